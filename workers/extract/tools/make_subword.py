#!/usr/bin/env python3
"""Build `model/subword-<lang>.bin`: subword-embedding clusters the tagger can compute for any word.

The source is a floret table (fastText-style vectors whose rows are shared by hashed character
n-grams), learned from unlabeled web text and shipped on PyPI inside an MIT-licensed spaCy
package. A word's vector is the mean of the rows of its padded form and of its 4- and 5-character
n-grams, so an inflected or never-seen name ("Sallalle", "Kiurun") still gets a vector close to
words used alike. This script keeps only derived statistics:

  1. the 300-dimensional rows projected to DIMS principal directions (fitted on the vectors of a
     vocabulary: the language's lexicon words, lowercase and capitalised, and the word forms of
     the training split; labels are not read), quantised to int8 per dimension;
  2. a binary tree of depth DEPTH from hierarchical spherical 2-means over those vocabulary
     vectors: each internal node keeps the direction (c1 - c0) that decides its branch;
  3. per dimension, the int8 scale and the spread of the vocabulary's unit vectors, so the tagger
     can also read a word's leading coordinates, binned, as features.

The tagger reads a word's branch path like a Brown-cluster path (`src/subword.rs`).

Usage (offline; nothing here runs at build or run time):

    pip install numpy==2.* mmh3==5.*
    pip download --no-deps spacy-fi-experimental-web-md==0.15.0 -d /tmp/fi
    unzip -q /tmp/fi/*.whl -d /tmp/fi/x
    python3 workers/extract/tools/make_subword.py --lang fi \
        --vectors /tmp/fi/x/spacy_fi_experimental_web_md/fi_experimental_web_md-0.15.0/vocab \
        --train ../shared/data/ner/fi/train.iob2 --out workers/extract/model/

Same inputs, same bytes: the only randomness is seeded.
"""

import argparse
import json
import os
import struct
import sys

import mmh3
import numpy as np

DIMS = 64
DEPTH = 12
MAGIC = b"CDSUBW02"


def ngram_rows(word, cfg, buckets):
    key = cfg["bow"] + word + cfg["eow"]
    grams = [key] + [
        key[s : s + n]
        for n in range(cfg["minn"], cfg["maxn"] + 1)
        for s in range(0, len(key) - n + 1)
    ]
    rows = []
    for g in grams:
        h = mmh3.hash128(g.encode("utf8"), cfg["hash_seed"], True, False)
        lo, hi = h & ((1 << 64) - 1), h >> 64
        parts = [lo & 0xFFFFFFFF, lo >> 32, hi & 0xFFFFFFFF, hi >> 32]
        rows.extend(p % buckets for p in parts[: cfg["hash_count"]])
    return rows


def vocabulary(lexicon_path, train_path):
    words = set()
    if lexicon_path and os.path.exists(lexicon_path):
        with open(lexicon_path, encoding="utf8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                w = line.split("\t", 1)[0]
                if w and any(c.isalpha() for c in w):
                    words.add(w)
                    words.add(w[:1].upper() + w[1:])
    if train_path:
        with open(train_path, encoding="utf8") as f:
            for line in f:
                cols = line.split()
                if cols and any(c.isalpha() for c in cols[0]):
                    words.add(cols[0])
    return sorted(words)


def split_tree(x, depth, rng):
    """Hierarchical spherical 2-means; returns (2**depth - 1, dims) node directions, heap order."""
    nodes = np.zeros(((1 << depth) - 1, x.shape[1]), dtype=np.float64)
    stack = [(1, np.arange(len(x)))]
    while stack:
        node, idx = stack.pop()
        if node >= (1 << depth) or len(idx) < 8:
            continue
        pts = x[idx]
        # Start from the principal direction of the node's points, then refine as 2-means.
        centred = pts - pts.mean(0)
        v = rng.standard_normal(x.shape[1])
        for _ in range(20):
            v = centred.T @ (centred @ v)
            v /= np.linalg.norm(v) + 1e-12
        side = centred @ v > 0
        for _ in range(10):
            if side.all() or (~side).all():
                break
            c1 = pts[side].mean(0)
            c0 = pts[~side].mean(0)
            c1 /= np.linalg.norm(c1) + 1e-12
            c0 /= np.linalg.norm(c0) + 1e-12
            w = c1 - c0
            new = pts @ w > 0
            if (new == side).all():
                break
            side = new
        if side.all() or (~side).all():
            continue
        c1 = pts[side].mean(0)
        c0 = pts[~side].mean(0)
        w = c1 / (np.linalg.norm(c1) + 1e-12) - c0 / (np.linalg.norm(c0) + 1e-12)
        nodes[node - 1] = w
        side = pts @ w > 0
        stack.append((2 * node, idx[~side]))
        stack.append((2 * node + 1, idx[side]))
    return nodes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", required=True)
    ap.add_argument("--vectors", required=True, help="a spaCy floret vocab folder")
    ap.add_argument("--train", help="the language's train.iob2 (word forms only are read)")
    ap.add_argument("--out", required=True, help="the model folder")
    args = ap.parse_args()

    cfg = json.load(open(os.path.join(args.vectors, "vectors.cfg")))
    if cfg.get("mode") != "floret":
        sys.exit(f"{args.vectors}: not a floret table (mode {cfg.get('mode')!r})")
    table = np.load(os.path.join(args.vectors, "vectors")).astype(np.float64)
    buckets = table.shape[0]
    lexicon = os.path.join(args.out, f"lexicon-{args.lang}.tsv")
    words = vocabulary(lexicon, args.train)
    print(f"{len(words)} vocabulary words, table {table.shape}", file=sys.stderr)

    rows = [ngram_rows(w, cfg, buckets) for w in words]
    vecs = np.stack([table[r].mean(0) for r in rows])
    mu = vecs.mean(0)
    cov = np.cov((vecs - mu).T)
    vals, vecs_e = np.linalg.eigh(cov)
    proj = vecs_e[:, ::-1][:, :DIMS]
    # Make each direction's sign deterministic (largest component positive).
    for d in range(DIMS):
        if proj[np.argmax(np.abs(proj[:, d])), d] < 0:
            proj[:, d] *= -1
    tp = (table - mu) @ proj
    scale = np.abs(tp).max(0) / 127.0
    q = np.clip(np.rint(tp / scale), -127, 127).astype(np.int8)

    # Vocabulary vectors as the tagger will compute them (from the quantised rows).
    deq = q.astype(np.float64) * scale
    x = np.stack([deq[r].mean(0) for r in rows])
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-12
    # Spread of each dimension of the unit vectors, so the tagger can bin a word's coordinates
    # on one scale (`z = x_d / |x| / std_d`).
    spread = x.std(0) + 1e-9
    rng = np.random.default_rng(20261202)
    nodes = split_tree(x, DEPTH, rng)
    # Fold the per-dimension scale into the directions: sign(sum q_d s_d w_d).
    folded = (nodes * scale[None, :]).astype(np.float32)

    out = os.path.join(args.out, f"subword-{args.lang}.bin")
    with open(out, "wb") as f:
        f.write(MAGIC)
        bow, eow = cfg["bow"].encode("utf8"), cfg["eow"].encode("utf8")
        f.write(
            struct.pack(
                "<8I",
                buckets,
                DIMS,
                DEPTH,
                cfg["minn"],
                cfg["maxn"],
                cfg["hash_count"],
                cfg["hash_seed"],
                len(bow) << 8 | len(eow),
            )
        )
        f.write(bow + eow)
        f.write(q.tobytes())
        f.write(folded.astype("<f4").tobytes())
        f.write(scale.astype("<f4").tobytes())
        f.write(spread.astype("<f4").tobytes())
    # A few words and their paths, for the eye.
    def path(w):
        v = deq[ngram_rows(w, cfg, buckets)].mean(0)
        node, bits = 1, ""
        while node < (1 << DEPTH):
            b = int(v @ nodes[node - 1] > 0)
            bits += str(b)
            node = 2 * node + b
        return bits

    for w in ["Helsinki", "Helsingissä", "Tampereella", "Sanna", "Marin", "Sallalle", "Nokia", "Nokian", "kissa", "juoksi", "Ranska", "yliopisto"]:
        print(w, path(w), file=sys.stderr)
    print(f"wrote {out} ({os.path.getsize(out)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
