#!/usr/bin/env bash
# Run a cargo-fuzz target of fuzz/ (default parse_document) for FUZZ_SECONDS (default 300),
# one process, seeded from the ingest fixtures and, when present, the wire corpus in
# $COPYDESK_DATA_DIR/wire (default ../shared/data from the repo root).
#
#   scripts/fuzz.sh [TARGET] [-- EXTRA_LIBFUZZER_FLAGS...]
#   FUZZ_SECONDS=900 scripts/fuzz.sh parse_document
#   FUZZ_SECONDS=60 scripts/fuzz.sh parse_named -- -max_len=8192
#
# Installs nothing: it needs the nightly toolchain and cargo-fuzz and says how to get them.
# The grown corpus and any crash files go outside the repo (FUZZ_WORK_DIR, default
# ../fuzz-work from the repo root), because the corpus grows from mutated wire copy, which
# must not be committed. Replay a crash: `cd fuzz && cargo +nightly fuzz run TARGET CRASH_FILE`;
# shrink it: `cargo +nightly fuzz tmin TARGET CRASH_FILE`.
# Honours CARGO_TARGET_DIR like any cargo command.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
target="parse_document"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  target="$1"
  shift
fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then
  shift
fi
seconds="${FUZZ_SECONDS:-300}"
data="${COPYDESK_DATA_DIR:-$(dirname "$repo_root")/shared/data}"
work="${FUZZ_WORK_DIR:-$(dirname "$repo_root")/fuzz-work}"

die() {
  echo "fuzz.sh: $*" >&2
  exit 1
}

command -v rustup >/dev/null 2>&1 || die "rustup not found; install Rust with rustup (https://rustup.rs), then: rustup toolchain install nightly"
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  die "the nightly toolchain is not installed (cargo-fuzz needs it for -Zsanitizer); fix: rustup toolchain install nightly"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  die "cargo-fuzz is not installed; fix: cargo install cargo-fuzz --locked"
fi
if [ ! -f "$repo_root/fuzz/fuzz_targets/$target.rs" ]; then
  known=""
  for f in "$repo_root"/fuzz/fuzz_targets/*.rs; do
    known="$known $(basename "$f" .rs)"
  done
  die "no fuzz target '$target'; targets:$known"
fi

corpus="$work/corpus/$target"
artifacts="$work/artifacts/$target"
mkdir -p "$corpus" "$artifacts"

seeds=("$repo_root/workers/ingest/tests/fixtures")
if [ -d "$data/wire" ]; then
  seeds+=("$(cd "$data/wire" && pwd)")
else
  echo "fuzz.sh: no wire corpus at $data/wire (set COPYDESK_DATA_DIR); seeding from the fixtures only" >&2
fi

echo "fuzz.sh: $target for ${seconds}s; corpus $corpus; crashes to $artifacts/; seeds: ${seeds[*]}" >&2
cd "$repo_root/fuzz"
# The first corpus folder receives new inputs; the seed folders are only read.
exec cargo +nightly fuzz run "$target" "$corpus" "${seeds[@]}" -- \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
  -dict="$repo_root/fuzz/dict/xml.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 "$@"
