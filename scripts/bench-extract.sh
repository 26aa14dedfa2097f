#!/usr/bin/env bash
# Extraction speed and memory against spaCy's en_core_web_sm, one core each, in the same run
# (called by `make bench`; runs alone too). Needs the release `copydesk` binary.
# Usage: scripts/bench-extract.sh CORPUS_DIR   (default ../shared/data/news/bbc)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release
corpus="${1:-${COPYDESK_DATA_DIR:-../shared/data}/news/bbc}"
echo "== extract (one core) over $corpus, against spaCy en_core_web_sm in the same run"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
ours=$("${pin[@]}" "$bin/copydesk" bench extract --corpus "$corpus" --json)
echo "copydesk: $ours"
theirs=$(scripts/bench-spacy.sh "$corpus")
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
