#!/usr/bin/env bash
# `make run`: declare the topology, start the four workers, feed samples/ into the inbox, show
# each story as it is published, and keep running until Ctrl-C (which stops the workers
# gracefully). Logs: .run/logs/<worker>.log. Output: ./out (publish.out_dir).
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${COPYDESK_BIN_DIR:-target/debug}"
inbox="${COPYDESK__INGEST__DROP_DIR:-./inbox}"
out="${COPYDESK__PUBLISH__OUT_DIR:-./out}"
logs=".run/logs"
mkdir -p "$logs" "$inbox" "$out"

for b in copydesk ingest-worker extract-worker summarize-worker publish-worker; do
  [ -x "$bin/$b" ] || { echo "$bin/$b is missing: run 'cargo build --workspace --bins' (make run does)" >&2; exit 1; }
done

"$bin/copydesk" topology declare

pids=()
stop() {
  echo
  echo "stopping workers (SIGTERM; in-flight work finishes, the rest stays queued)..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  echo "stopped. Articles are in $out; logs in $logs."
  exit 0
}
trap stop INT TERM

for w in ingest extract summarize publish; do
  "$bin/$w-worker" >"$logs/$w.log" 2>&1 &
  pids+=("$!")
  echo "started $w-worker (pid $!, log $logs/$w.log)"
done

# Feed the samples: write under a dot-name, then rename, so ingest never reads a half-copied file.
# Kills and corrections go in last so the demo shows a retraction after the original appears.
total=0
for f in samples/*.txt samples/*.xml; do
  [ -e "$f" ] || continue
  name="$(basename "$f")"
  cp "$f" "$inbox/.$name.part" && mv "$inbox/.$name.part" "$inbox/$name"
  total=$((total + 1))
done
echo "fed $total sample files into $inbox; waiting for articles (Ctrl-C to stop)..."

declare -A shown=()
while true; do
  for f in "$out"/*.json; do
    [ -e "$f" ] || continue
    if [ -z "${shown[$f]:-}" ]; then
      shown[$f]=1
      case "$f" in
        *.retracted.json) echo "  retracted  $(basename "$f")" ;;
        *) echo "  published  $(basename "$f" .json)   [${#shown[@]} so far]" ;;
      esac
    fi
  done
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "a worker exited; see $logs/ (tail below)" >&2
      tail -n 20 "$logs"/*.log >&2
      stop
    fi
  done
  failed=$(ls "$inbox/.failed" 2>/dev/null | grep -vc '\.reason$' || true)
  [ "${failed:-0}" -gt 0 ] && [ -z "${warned:-}" ] && { echo "  note: $failed file(s) in $inbox/.failed (see the .reason files)"; warned=1; }
  sleep 1
done
