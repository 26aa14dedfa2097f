#!/usr/bin/env python3
"""Build `model/brown-<lang>.bin`: Brown word clusters for the tagger, from `spacy-lookups-data`.

The MIT-licensed `spacy-lookups-data` package on PyPI ships, for German, the Brown cluster of a
million words (`de_lexeme_cluster.json.gz`, learned by spaCy from unlabeled web text) and each
word's log probability (`de_lexeme_prob.json.gz`). Clusters are what let the English tagger
generalise to names it never saw in training; German has no unlabeled text here, so these fill
that gap: "Merkel", "Schröder" and "Putin" share a cluster, "Berlin" and "Hamburg" another.

Kept: the TOP most probable words (case as written), each as (FNV-1a 32-bit hash of its UTF-8
bytes, cluster path of at most 15 bits). The file is the magic, the count, the hashes sorted
ascending (u32 little-endian), then each hash's path (u16: a leading 1 bit, then the branches,
first branch highest). A hash shared by two words keeps the more probable word's path.
spaCy stores a path reversed (`int(bits[::-1], 2)`), so the first branch is the lowest bit and a
path's trailing zero branches are lost; the tagger reads prefixes of up to 15 bits.

Usage (offline; nothing here runs at build or run time):

    pip download --no-deps spacy-lookups-data==1.0.5 -d /tmp/sld
    unzip -q /tmp/sld/*.whl -d /tmp/sld/x
    python3 workers/extract/tools/make_brown.py --lang de \
        --data /tmp/sld/x/spacy_lookups_data/data --out workers/extract/model/

Same inputs, same bytes.
"""

import argparse
import gzip
import json
import os
import struct
import sys

TOP = 500_000
MAX_BITS = 15
MAGIC = b"CDBROWN1"


def fnv1a32(s):
    h = 0x811C9DC5
    for b in s.encode("utf8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def path_of(v):
    """spaCy's reversed int -> our u16 path (leading 1 marker, first branch highest)."""
    bits = []
    while v:
        bits.append(v & 1)
        v >>= 1
    bits = bits[:MAX_BITS]
    p = 1
    for b in bits:
        p = p << 1 | b
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", required=True)
    ap.add_argument("--data", required=True, help="spacy_lookups_data/data folder")
    ap.add_argument("--out", required=True, help="the model folder")
    ap.add_argument("--top", type=int, default=TOP)
    ap.add_argument(
        "--coverage",
        nargs=2,
        metavar=("TRAIN", "DEV"),
        help="also print the share of DEV's name tokens not in TRAIN (IOB2 files) that get a cluster",
    )
    args = ap.parse_args()
    load = lambda name: json.load(
        gzip.open(os.path.join(args.data, f"{args.lang}_lexeme_{name}.json.gz"))
    )
    clusters, prob = load("cluster"), load("prob")
    words = sorted(
        (w for w in clusters if w and clusters[w] > 0),
        key=lambda w: (-prob.get(w, -99.0), w),
    )[: args.top]
    table = {}
    for w in words:
        table.setdefault(fnv1a32(w), path_of(clusters[w]))
    keys = sorted(table)
    out = os.path.join(args.out, f"brown-{args.lang}.bin")
    with open(out, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<I", len(keys)))
        f.write(struct.pack(f"<{len(keys)}I", *keys))
        f.write(struct.pack(f"<{len(keys)}H", *(table[k] for k in keys)))
    print(
        f"wrote {out}: {len(keys)} words ({len(words) - len(keys)} hash repeats dropped), "
        f"{os.path.getsize(out)} bytes",
        file=sys.stderr,
    )
    if args.coverage:
        words_of = lambda path: [
            line.split() for line in open(path, encoding="utf8") if line.strip()
        ]
        train = {cols[0] for cols in words_of(args.coverage[0])}
        unseen = [c[0] for c in words_of(args.coverage[1]) if c[-1] != "O" and c[0] not in train]
        kept, listed = set(words), {w for w in clusters if w and clusters[w] > 0}
        for label, pool in ((f"the top {len(words)}", kept), (f"all {len(listed)}", listed)):
            share = sum(w in pool for w in unseen) / max(1, len(unseen))
            print(f"{share:.1%} of {len(unseen)} unseen dev name tokens are among {label} words", file=sys.stderr)
    for w in ["Merkel", "Schröder", "Putin", "Berlin", "Hamburg", "Siemens", "Regierung"]:
        if w in clusters:
            print(w, bin(path_of(clusters[w]))[3:], file=sys.stderr)


if __name__ == "__main__":
    main()
