#!/usr/bin/env bash
# A standalone extra RabbitMQ node for tests that stop, restart or kill a broker, so the machine's
# shared RabbitMQ on 5672 (which other tests use at the same time) is never touched.
#
#   scripts/rabbit-node.sh start NAME PORT [DIST_PORT]   start NAME@localhost on 127.0.0.1:PORT, wait until booted
#   scripts/rabbit-node.sh stop NAME                     stop it (rabbitmqctl stop; kill -9 if that hangs)
#   scripts/rabbit-node.sh remove NAME                   kill -9 it and delete its data (nothing in it is kept)
#   scripts/rabbit-node.sh ctl NAME ARGS...              rabbitmqctl -n NAME@localhost ARGS, with the node's cookie
#   scripts/rabbit-node.sh queues NAME ARGS...           rabbitmq-queues -n NAME@localhost ARGS
#   scripts/rabbit-node.sh pid NAME                      the OS pid of the node's Erlang VM (beam.smp)
#   scripts/rabbit-node.sh kill NAME                     kill -9 that pid (a crashed broker)
#   scripts/rabbit-node.sh url NAME                      amqp://guest:guest@127.0.0.1:PORT/%2f
#
# Everything a node writes lives under $RABBIT_NODES_DIR/NAME (default ./target/rabbit-nodes):
# its mnesia (RABBITMQ_MNESIA_BASE), logs (RABBITMQ_LOG_BASE), its own rabbitmq.conf (one
# listener on 127.0.0.1:PORT, no plugins, so no management port clashes) and an empty env file
# (the system's /etc/rabbitmq/rabbitmq-env.conf names the shared node; it is not read). The
# Erlang cookie is $RABBIT_NODES_DIR/.erlang.cookie, created once and shared by every node under
# that directory (a cluster needs one cookie) and by the CLI calls made through this script
# (HOME points there). Uses the Debian rabbitmq-server binaries in /usr/lib/rabbitmq/bin.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${RABBIT_NODES_DIR:-$here/target/rabbit-nodes}"
bin="${RABBITMQ_BIN_DIR:-/usr/lib/rabbitmq/bin}"
[ -x "$bin/rabbitmq-server" ] || bin="$(dirname "$(command -v rabbitmq-server 2>/dev/null || echo /nonexistent/x)")"

die() { echo "rabbit-node: $*" >&2; exit 1; }
[ -x "$bin/rabbitmq-server" ] || die "rabbitmq-server is not installed (apt-get install rabbitmq-server); scripts/ensure-rabbitmq.sh says how"

cmd="${1:-}"; name="${2:-}"
[ -n "$cmd" ] && [ -n "$name" ] || { sed -n '2,12p' "$0" >&2; exit 2; }
case "$name" in *[!a-zA-Z0-9_-]*) die "node name '$name': letters, digits, '-' and '_' only" ;; esac
shift 2
node="$name@localhost"
dir="$base/$name"

cookie() {
  mkdir -p "$base"
  if [ ! -s "$base/.erlang.cookie" ]; then
    # One random cookie per nodes directory; Erlang insists on mode 0400.
    local tmp="$base/.erlang.cookie.$$"
    (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr 'a-f' 'A-F' >"$tmp")
    mv -n "$tmp" "$base/.erlang.cookie" 2>/dev/null || rm -f "$tmp"
    chmod 400 "$base/.erlang.cookie"
  fi
}

node_env() {
  export HOME="$base"
  export RABBITMQ_NODENAME="$node"
  export RABBITMQ_USE_LONGNAME=false
  export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_MNESIA_BASE="$dir/mnesia"
  export RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_PID_FILE="$dir/beam.pid"
  export ERL_EPMD_ADDRESS=127.0.0.1
}

ctl() { node_env; "$bin/rabbitmqctl" -n "$node" "$@"; }

beam_pid() {
  [ -s "$dir/beam.pid" ] && kill -0 "$(cat "$dir/beam.pid")" 2>/dev/null && { cat "$dir/beam.pid"; return 0; }
  return 1
}

stop_node() {
  [ -d "$dir" ] || return 0
  if beam_pid >/dev/null; then
    local pid; pid="$(beam_pid)"
    (node_env; timeout 60 "$bin/rabbitmqctl" -n "$node" -q stop >/dev/null 2>&1) || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$dir/beam.pid"
}

case "$cmd" in
  start)
    port="${1:-}"; dist="${2:-}"
    [ -n "$port" ] || die "start needs a port"
    [ -n "$dist" ] || dist=$((port + 20000))
    if beam_pid >/dev/null; then echo "rabbit-node: $node already running (pid $(beam_pid))"; exit 0; fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is taken by something else"; fi
    cookie
    mkdir -p "$dir/mnesia" "$dir/log"
    : >"$dir/rabbitmq-env.conf"
    echo "[]." >"$dir/enabled_plugins"
    echo "[]." >"$dir/advanced.config"
    cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$port
loopback_users.guest = true
disk_free_limit.absolute = 50MB
CONF
    echo "$port" >"$dir/port"
    node_env
    export RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT="$dist"
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    # Its own session, so a test's Ctrl-C or process group kill does not reach the node.
    setsid "$bin/rabbitmq-server" >"$dir/log/console.log" 2>&1 </dev/null &
    for _ in $(seq 1 240); do
      if beam_pid >/dev/null && "$bin/rabbitmqctl" -n "$node" -q await_startup --timeout 5 >/dev/null 2>&1; then
        echo "rabbit-node: $node up on 127.0.0.1:$port (pid $(beam_pid), data $dir)"
        exit 0
      fi
      sleep 0.5
    done
    tail -n 30 "$dir/log/console.log" >&2 || true
    die "$node did not boot within 120 s; logs in $dir/log"
    ;;
  stop) stop_node; echo "rabbit-node: $node stopped" ;;
  remove)
    # The data goes too, so a graceful stop buys nothing (and a cluster member whose peers are
    # down can take a minute to stop).
    if pid="$(beam_pid)"; then kill -9 "$pid" 2>/dev/null || true; for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; fi
    rm -rf "$dir"; echo "rabbit-node: $node removed" ;;
  ctl) ctl "$@" ;;
  queues) node_env; "$bin/rabbitmq-queues" -n "$node" "$@" ;;
  pid) beam_pid || die "$node is not running" ;;
  kill)
    pid="$(beam_pid)" || die "$node is not running"
    kill -9 "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir/beam.pid"
    echo "rabbit-node: $node killed (pid $pid)"
    ;;
  url) [ -s "$dir/port" ] || die "$node was never started"; echo "amqp://guest:guest@127.0.0.1:$(cat "$dir/port")/%2f" ;;
  *) die "unknown command '$cmd' (start, stop, remove, ctl, queues, pid, kill, url)" ;;
esac
