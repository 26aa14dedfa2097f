#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 for the store's multi-replica mode and
# its tests. Starts the local Debian cluster when it is installed but stopped; otherwise says how.
set -euo pipefail
url="${COPYDESK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
ready() { psql "$url" -Atqc 'select 1' >/dev/null 2>&1; }
if ready; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "starting PostgreSQL $version (cluster main)..."
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 60); do
    if ready; then echo "PostgreSQL is up"; exit 0; fi
    sleep 0.5
  done
fi
echo "PostgreSQL is not reachable at $url." >&2
echo "Install and start it (Debian: apt-get install postgresql && pg_ctlcluster 15 main start)," >&2
echo "or point COPYDESK_TEST_POSTGRES_URL at a server where the user may create databases." >&2
exit 1
