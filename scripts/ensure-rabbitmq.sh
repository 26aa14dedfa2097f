#!/usr/bin/env bash
# Make sure RabbitMQ answers AMQP on the configured host and port; start a local one if it is
# installed, and say exactly what to do if it is not.
#
# "Answers" means the broker replies to an AMQP protocol header, not merely that the port is
# open: RabbitMQ 3.10 on a small machine has been seen to keep accepting TCP connections while
# never answering the handshake (wedged mid quorum-queue creation after bursts of test
# namespaces). A local node in that state is killed and started again. If it is still wedged
# after the restart (it replays every quorum queue it holds), and COPYDESK_RESET_WEDGED_BROKER=1
# (.ci/run sets it; the tests' queues are throwaway), its data directory is moved aside
# (/var/lib/rabbitmq/mnesia-wedged-<time>) and it starts empty. Without that variable the script
# stops and prints the commands.
#
#   scripts/ensure-rabbitmq.sh           make sure it answers (start or heal a local node)
#   scripts/ensure-rabbitmq.sh --check   exit 0 when it answers, 1 when not; changes nothing
set -euo pipefail

url="${COPYDESK__AMQP__URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
hostport="${url#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"
[ "$port" = "$hostport" ] && port=5672
mnesia_base="${RABBITMQ_MNESIA_BASE:-/var/lib/rabbitmq/mnesia}"
node_dir="$mnesia_base/rabbit@localhost"

listening() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

# The broker's first reply to "AMQP 0 0 9 1" is a Connection.Start method frame: type byte 01.
answers() {
  local first
  first="$(timeout "${1:-10}" bash -c "exec 3<>/dev/tcp/$host/$port; printf 'AMQP\x00\x00\x09\x01' >&3; head -c 1 <&3" 2>/dev/null | od -An -tx1 | tr -d ' \n')" || true
  [ "$first" = "01" ]
}

local_node() { case "$host" in 127.*|localhost) return 0 ;; *) return 1 ;; esac; }

wait_answers() {
  # $1: seconds
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    if answers 5; then return 0; fi
    sleep 1
  done
  return 1
}

kill_local_node() {
  pkill -f rabbitmqcli >/dev/null 2>&1 || true
  local pid=""
  [ -r "$mnesia_base/rabbit@localhost.pid" ] && pid="$(cat "$mnesia_base/rabbit@localhost.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  # The shared node is the one whose home is /var/lib/rabbitmq (test nodes of rabbit-node.sh
  # live under target/rabbit-nodes and are left alone).
  pkill -9 -f "beam.smp.*-home /var/lib/rabbitmq " >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do listening || return 0; sleep 0.2; done
}

start_local_node() {
  rabbitmq-server -detached >/dev/null 2>&1 || true
}

# --check: only say (by the exit status, silently) whether the broker answers the handshake.
if [ "${1:-}" = "--check" ]; then
  answers 10
  exit $?
fi

if answers 10; then
  echo "RabbitMQ: answering on $host:$port"
  exit 0
fi

if ! local_node; then
  echo "RabbitMQ at $host:$port (from amqp.url) does not answer the AMQP handshake. Check that broker, or point COPYDESK__AMQP__URL at a running one." >&2
  exit 1
fi

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

if listening && [ "${COPYDESK_BROKER_RESET_FIRST:-}" = "1" ] && [ "${COPYDESK_RESET_WEDGED_BROKER:-}" = "1" ] && [ -d "$node_dir" ]; then
  # A broker that wedged under a test step tends to wedge again soon after a plain restart (it
  # replays every quorum queue it holds): scripts/test.sh asks for the empty start at once.
  aside="$mnesia_base/../mnesia-wedged-$(date +%Y%m%d-%H%M%S)"
  echo "RabbitMQ: wedged under a test step; COPYDESK_RESET_WEDGED_BROKER=1, so moving its data to $aside and starting it empty"
  kill_local_node
  mv "$node_dir" "$aside"
  rm -rf "$node_dir-plugins-expand"
  start_local_node
  if wait_answers 120; then
    echo "RabbitMQ: started empty on $host:$port"
    exit 0
  fi
fi

if listening; then
  echo "RabbitMQ: $host:$port accepts connections but does not answer the AMQP handshake (wedged); killing the local node and starting it again"
  kill_local_node
else
  echo "RabbitMQ: not running on $host:$port; starting it (rabbitmq-server -detached)"
fi
start_local_node
if wait_answers 120; then
  echo "RabbitMQ: started on $host:$port"
  exit 0
fi

if [ "${COPYDESK_RESET_WEDGED_BROKER:-}" = "1" ] && [ -d "$node_dir" ]; then
  aside="$mnesia_base/../mnesia-wedged-$(date +%Y%m%d-%H%M%S)"
  echo "RabbitMQ: still not answering after a restart; COPYDESK_RESET_WEDGED_BROKER=1, so moving its data to $aside and starting it empty"
  kill_local_node
  mv "$node_dir" "$aside"
  rm -rf "$node_dir-plugins-expand"
  start_local_node
  if wait_answers 120; then
    echo "RabbitMQ: started empty on $host:$port"
    exit 0
  fi
fi

cat >&2 <<MSG
RabbitMQ on $host:$port does not answer the AMQP handshake, even after a restart. See its log
(/var/log/rabbitmq/). If it holds nothing you need (a test broker), start it empty:
  pkill -9 -f 'beam.smp.*-home /var/lib/rabbitmq '
  mv $node_dir $mnesia_base/../mnesia-wedged-\$(date +%s)
  rabbitmq-server -detached
or run this script again with COPYDESK_RESET_WEDGED_BROKER=1, which does exactly that.
MSG
exit 1
