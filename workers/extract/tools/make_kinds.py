#!/usr/bin/env python3
"""Build `model/kinds-<lang>.bin`: what kind of word a word form is, from open lexicons.

German (`--nouns`, writes kinds-de.bin), from Wiktionary:

German capitalises every noun, so a capital letter says little about a name; what the tagger
needs is whether a capitalised word is a common noun ("Forschung", "Ministerium") or a name
("Aachen", "Petra", "Schmidt"). The `german-nouns` package on PyPI (CC BY-SA 4.0, from the
German Wiktionary; https://github.com/gambolputty/german-nouns) lists about 100,000 nouns with
every case form and a part of speech. Each lowercase form gets the kinds of the entries it is a
form of, as bits:

    1 common noun (an entry that is no kind of name)   2 place name (Toponym)
    4 given name (Vorname)   8 surname (Nachname)   16 other proper name (Eigenname)

The file has the layout of `brown-<lang>.bin` under its own magic (`CDKINDS1`): the count, the
FNV-1a 32-bit hashes of the forms' UTF-8 bytes sorted ascending (u32 little-endian), then each
hash's bits (u16). Forms whose hashes collide share the union of their bits. Only derived
statistics are kept (no definitions, no examples); shared alike, CC BY-SA 4.0.

Norwegian Bokmål (`--nb-lemmas`, writes kinds-nb.bin), from Norsk Ordbank: the full-form lists
of common nouns, adjectives, verbs and adverbs in `nb_lemma_exc.json.gz` of the
`spacy-lookups-data` PyPI package (MIT; the word forms are from Norsk Ordbank, Bokmål 2005,
Språkbanken at the National Library of Norway, CC BY 4.0). Bits: 1 noun, 32 adjective,
128 verb, 256 adverb (64 is the tagger's "taken from a compound tail" mark).

Usage (offline; nothing here runs at build or run time):

    pip download --no-deps spacy-lookups-data==1.0.5 -d /tmp/sld
    unzip -q /tmp/sld/*.whl -d /tmp/sld/x
    python3 workers/extract/tools/make_kinds.py \
        --nb-lemmas /tmp/sld/x/spacy_lookups_data/data/nb_lemma_exc.json.gz --out workers/extract/model/

    pip download --no-deps german-nouns==1.2.5 -d /tmp/gn
    unzip -q /tmp/gn/*.whl -d /tmp/gn/x
    python3 workers/extract/tools/make_kinds.py --nouns /tmp/gn/x/german_nouns/nouns.csv \
        --out workers/extract/model/

Same inputs, same bytes.
"""

import argparse
import csv
import gzip
import json
import os
import struct
import sys

MAGIC = b"CDKINDS1"
NOUN, PLACE, GIVEN, SURNAME, PROPER = 1, 2, 4, 8, 16
NB_POS = {"noun": 1, "adj": 32, "verb": 128, "adv": 256}


def fnv1a32(s):
    h = 0x811C9DC5
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def kinds_of(pos):
    parts = set(pos.split(","))
    bits = (PLACE if "Toponym" in parts else 0) | (GIVEN if "Vorname" in parts else 0) \
        | (SURNAME if "Nachname" in parts else 0) | (PROPER if "Eigenname" in parts else 0)
    return bits or NOUN


def german(nouns):
    table = {}
    with open(nouns, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            bits = kinds_of(row.get("pos") or "")
            for col, value in row.items():
                if col is None or not value or col == "pos" or col.startswith("genus"):
                    continue
                for form in value.split():
                    # Affixes ("-algie") and symbols are not words of running text.
                    if form.startswith("-") or not any(c.isalpha() for c in form):
                        continue
                    h = fnv1a32(form.lower())
                    table[h] = table.get(h, 0) | bits
    return table


def norwegian(lemmas):
    table = {}
    with gzip.open(lemmas, "rt", encoding="utf-8") as f:
        by_pos = json.load(f)
    for pos, bits in NB_POS.items():
        for form in by_pos.get(pos, {}):
            # One word per entry ("à la carte-servering" is several).
            if " " in form or not any(c.isalpha() for c in form):
                continue
            h = fnv1a32(form.lower())
            table[h] = table.get(h, 0) | bits
    return table


def write(table, path):
    rows = sorted(table.items())
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<I", len(rows)))
        f.write(b"".join(struct.pack("<I", h) for h, _ in rows))
        f.write(b"".join(struct.pack("<H", bits) for _, bits in rows))
    print(f"{path}: {len(rows)} forms", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nouns", help="nouns.csv of the german-nouns package (writes kinds-de.bin)")
    ap.add_argument("--nb-lemmas", help="nb_lemma_exc.json.gz of spacy-lookups-data (writes kinds-nb.bin)")
    ap.add_argument("--out", required=True, help="folder to write into")
    args = ap.parse_args()
    if not (args.nouns or args.nb_lemmas):
        ap.error("give --nouns, --nb-lemmas or both")
    if args.nouns:
        write(german(args.nouns), os.path.join(args.out, "kinds-de.bin"))
    if args.nb_lemmas:
        write(norwegian(args.nb_lemmas), os.path.join(args.out, "kinds-nb.bin"))


if __name__ == "__main__":
    main()
