#!/usr/bin/env python3
"""Compare copydesk's ROUGE with Google's rouge-score on the same candidate/reference pairs.

Usage (needs `pip install rouge-score`):
  cargo run --release -p copydesk-summarize --example summ_report -- rouge FILE.jsonl > /tmp/ours.jsonl
  python3 workers/summarize/tools/check_rouge.py /tmp/ours.jsonl
Prints the largest per-pair difference and the mean scores of both implementations.
"""
import json
import sys

from rouge_score import rouge_scorer

scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
worst = {k: (0.0, None) for k in ("rouge1", "rouge2", "rougeLsum")}
ours = {k: 0.0 for k in worst}
theirs = {k: 0.0 for k in worst}
for row in rows:
    ref = scorer.score(row["reference"], row["candidate"])
    for k in worst:
        diff = abs(ref[k].fmeasure - row[k])
        ours[k] += row[k]
        theirs[k] += ref[k].fmeasure
        if diff > worst[k][0]:
            worst[k] = (diff, row["id"])
n = len(rows)
print(f"pairs: {n}")
for k in worst:
    print(f"{k:10} ours {100 * ours[k] / n:.4f}  rouge-score {100 * theirs[k] / n:.4f}  "
          f"max per-pair |diff| {worst[k][0]:.6f} ({worst[k][1]})")
