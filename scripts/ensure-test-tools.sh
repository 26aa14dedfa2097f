#!/usr/bin/env bash
# Tools some tests use besides the broker and the database: strace (the files sink's fsync test
# traces the publish worker). Installed with apt-get when missing and possible; otherwise the
# tests that need a tool say they were skipped and why.
set -euo pipefail
missing=()
command -v strace >/dev/null 2>&1 || missing+=(strace)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (apt-get)..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; } \
    || echo "could not install ${missing[*]}; the tests that need it will be skipped" >&2
else
  echo "missing ${missing[*]} (apt-get install ${missing[*]}); the tests that need it will be skipped" >&2
fi
