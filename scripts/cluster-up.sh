#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this machine, for tests of broker failover. Never touches the
# shared RabbitMQ on 5672.
#
#   scripts/cluster-up.sh [PREFIX] [BASE_PORT]
#
# Starts PREFIX-1, PREFIX-2 and PREFIX-3 (default prefix copydesk-cluster) @localhost on
# 127.0.0.1:BASE_PORT, +1 and +2 (default 5791), each with its own data and logs under
# $RABBIT_NODES_DIR (see scripts/rabbit-node.sh), joins the second and third to the first, and
# prints the three URLs on the last line, comma-separated: what amqp.urls takes, e.g.
#   COPYDESK__AMQP__URLS="$(scripts/cluster-up.sh | tail -n1)"
# Quorum queues declared after this returns get a replica on each of the three nodes.
# scripts/cluster-down.sh [PREFIX] stops and removes them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="${1:-copydesk-cluster}"
base_port="${2:-5791}"
node="$here/rabbit-node.sh"

pids=()
for i in 1 2 3; do
  port=$((base_port + i - 1))
  # Distribution ports well away from the AMQP ones and from each other.
  "$node" start "$prefix-$i" "$port" $((port + 20000)) &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
if [ "$failed" = 1 ]; then
  echo "cluster-up: a node did not start; stopping the others" >&2
  "$here/cluster-down.sh" "$prefix" >&2 || true
  exit 1
fi

for i in 2 3; do
  "$node" ctl "$prefix-$i" -q stop_app
  "$node" ctl "$prefix-$i" -q join_cluster "$prefix-1@localhost"
  "$node" ctl "$prefix-$i" -q start_app
done
"$node" ctl "$prefix-1" -q await_startup
members="$("$node" ctl "$prefix-1" cluster_status --formatter json | tr -d ' \n' | grep -o '"running_nodes":\[[^]]*\]' || true)"
for i in 1 2 3; do
  case "$members" in *"$prefix-$i@localhost"*) ;; *) echo "cluster-up: $prefix-$i is not running in the cluster: $members" >&2; exit 1 ;; esac
done
echo "cluster-up: $prefix-1, -2, -3 running as one cluster"
echo "$("$node" url "$prefix-1"),$("$node" url "$prefix-2"),$("$node" url "$prefix-3")"
