#!/usr/bin/env bash
# `make bench`: every benchmark, each reported against a baseline or target in the same run.
# Needs release binaries (make bench builds them) and, for the corpus benchmarks, the data
# folder (COPYDESK_DATA_DIR, default ../shared/data); those are skipped with a message without it.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release
data="${COPYDESK_DATA_DIR:-../shared/data}"
stories="${BENCH_STORIES:-3000}"

echo "== end-to-end pipeline vs raw broker baseline ($stories stories)"
"$bin/copydesk-bench-pipeline" --stories "$stories"

if [ ! -d "$data" ]; then
  echo "skipped: corpus benchmarks need the data folder at $data (set COPYDESK_DATA_DIR)"
  exit 0
fi
echo "== ingest parse throughput over $data/wire"
"$bin/copydesk" bench ingest --corpus "$data/wire"
echo "== extract (one core) over $data/news/bbc, against spaCy en_core_web_sm in the same run"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
ours=$("${pin[@]}" "$bin/copydesk" bench extract --corpus "$data/news/bbc" --json)
echo "copydesk: $ours"
theirs=$(scripts/bench-spacy.sh "$data/news/bbc")
echo "spaCy:    $theirs"
python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours = json.loads(sys.argv[1])
try:
    spacy = json.loads(sys.argv[2])
except ValueError:
    print(f"copydesk {ours['words_per_sec']:.0f} words/s, peak RSS {ours['peak_rss_mb']} MB; spaCy skipped")
    sys.exit(0)
print(f"copydesk {ours['words_per_sec']:.0f} words/s, peak RSS {ours['peak_rss_mb']} MB; "
      f"spaCy {spacy['words_per_sec']:.0f} words/s, peak RSS {spacy['peak_rss_mb']} MB; "
      f"copydesk is {ours['words_per_sec'] / spacy['words_per_sec']:.1f}x faster")
PY
echo "== summarize (one thread) over $data/news/bbc"
"$bin/copydesk" bench summarize --corpus "$data/news/bbc"
