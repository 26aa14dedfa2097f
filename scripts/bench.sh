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
echo "== article extraction over $data/extraction (pages per CPU-second, peak RSS)"
"$bin/copydesk" bench extraction --data "$data/extraction"
echo "== ingest parse throughput over $data/wire"
"$bin/copydesk" bench ingest --corpus "$data/wire"
scripts/bench-extract.sh "$data/news/bbc"
echo "== summarize (one thread) over $data/news/bbc"
"$bin/copydesk" bench summarize --corpus "$data/news/bbc"
