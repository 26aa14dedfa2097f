#!/usr/bin/env python3
"""Build the per-language word lexicons the tagger reads (model/lexicon-<lang>.tsv).

Each line: `word  zipf_bucket  flags`, lowercase, sorted. The bucket (1..7) is the word's
Zipf frequency from the `wordfreq` package (data CC BY-SA 4.0, code Apache-2.0: Robyn Speer,
"wordfreq", https://github.com/rspeer/wordfreq); flags mark given names (g) and surnames (s)
from the Faker package's person providers (MIT) and the `names` package's US Census lists (MIT
code; the census lists are US public-domain data). Name lists are pooled over all locales,
since news in any language names people from everywhere.

Usage:
    pip install wordfreq==3.1.1 faker==40.54.0 names==0.3.0
    python3 tools/make_lexicon.py model/    # writes model/lexicon-{en,de,nb,fi}.tsv
"""

import importlib
import os
import sys

import wordfreq

LANGS = {"en": "en", "de": "de", "nb": "nb", "fi": "fi"}
TOP_WORDS = 50000
NAME_LOCALES = ["en_US", "en_GB", "de_DE", "de_AT", "de_CH", "no_NO", "fi_FI", "sv_SE", "da_DK",
                "fr_FR", "it_IT", "es_ES", "pl_PL", "nl_NL", "ru_RU", "uk_UA", "cs_CZ"]


def faker_names(attr):
    out = set()
    for loc in NAME_LOCALES:
        try:
            mod = importlib.import_module(f"faker.providers.person.{loc}")
        except ImportError:
            continue
        for a in attr:
            vals = getattr(mod.Provider, a, None) or ()
            for v in vals:
                if isinstance(v, str) and v.isalpha() and v[:1].isupper() and len(v) >= 2:
                    out.add(v.lower())
    return out


def census_names(fname):
    import names
    path = os.path.join(os.path.dirname(names.__file__), fname)
    out = set()
    with open(path) as f:
        for i, line in enumerate(f):
            if i >= 3000:
                break
            w = line.split()[0]
            if w.isalpha():
                out.add(w.lower())
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "model"
    given = faker_names(["first_names", "first_names_male", "first_names_female"])
    given |= census_names("dist.male.first") | census_names("dist.female.first")
    surnames = faker_names(["last_names"]) | census_names("dist.all.last")
    for code, wf in LANGS.items():
        rows = {}
        for w in wordfreq.top_n_list(wf, TOP_WORDS):
            if any(c.isalpha() for c in w) and "\t" not in w:
                rows[w] = max(1, min(7, int(wordfreq.zipf_frequency(w, wf))))
        for w in given | surnames:
            rows.setdefault(w, max(0, min(7, int(wordfreq.zipf_frequency(w, wf)))))
        path = os.path.join(outdir, f"lexicon-{code}.tsv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"# wordfreq {wordfreq.__version__ if hasattr(wordfreq, '__version__') else '3.1.1'} "
                    "(CC BY-SA 4.0) zipf buckets; names: Faker (MIT), US Census via names (MIT)\n")
            for w in sorted(rows):
                flags = ("g" if w in given else "") + ("s" if w in surnames else "")
                f.write(f"{w}\t{rows[w]}\t{flags}\n")
        print(f"{path}: {len(rows)} words", file=sys.stderr)


if __name__ == "__main__":
    main()
