#!/usr/bin/env bash
# Stop and remove the three nodes of scripts/cluster-up.sh: scripts/cluster-down.sh [PREFIX]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="${1:-copydesk-cluster}"
for i in 1 2 3; do "$here/rabbit-node.sh" remove "$prefix-$i" & done
wait
