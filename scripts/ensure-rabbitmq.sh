#!/usr/bin/env bash
# Make sure RabbitMQ answers on the configured host and port; start a local one if it is
# installed, and say exactly what to do if it is not.
set -euo pipefail

url="${COPYDESK__AMQP__URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
hostport="${url#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"
[ "$port" = "$hostport" ] && port=5672

listening() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

if listening; then
  echo "RabbitMQ: listening on $host:$port"
  exit 0
fi

case "$host" in
  127.*|localhost) ;;
  *) echo "RabbitMQ is not reachable at $host:$port (from amqp.url). Start it there, or point COPYDESK__AMQP__URL at a running broker." >&2; exit 1 ;;
esac

if ! command -v rabbitmq-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ "${CI:-}" = "true" ]; then
    echo "RabbitMQ: not installed; installing rabbitmq-server with apt-get (CI)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  else
    cat >&2 <<MSG
RabbitMQ is not running on $host:$port and is not installed.
Install and start it with one of:
  sudo apt-get install -y rabbitmq-server && sudo rabbitmq-server -detached   (Debian/Ubuntu)
  brew install rabbitmq && brew services start rabbitmq                       (macOS)
  docker run -d --name rabbitmq -p 5672:5672 -p 15672:15672 rabbitmq:3-management
or set COPYDESK__AMQP__URL to a broker you already run.
MSG
    exit 1
  fi
fi

echo "RabbitMQ: not running on $host:$port; starting it (rabbitmq-server -detached)"
rabbitmq-server -detached >/dev/null 2>&1 || true
for _ in $(seq 1 120); do
  if listening; then
    # The port opens before the node is fully booted; wait for that too.
    if command -v rabbitmqctl >/dev/null 2>&1; then rabbitmqctl -q await_startup >/dev/null 2>&1 || true; fi
    echo "RabbitMQ: started on $host:$port"
    exit 0
  fi
  sleep 0.5
done
echo "RabbitMQ did not start within 60 s. See its log (e.g. /var/log/rabbitmq/) and run 'rabbitmq-server' in the foreground to see why." >&2
exit 1
