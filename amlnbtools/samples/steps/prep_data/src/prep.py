"""Split the raw rows into a training and a test file (the sample step of amlnbtools.run_step_locally)."""

import argparse
import csv
import os
import random

parser = argparse.ArgumentParser()
parser.add_argument("--raw", required=True)
parser.add_argument("--test-ratio", type=float, default=0.25)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--prepared", required=True)
args = parser.parse_args()

rows = []
for name in sorted(os.listdir(args.raw)):
    if name.endswith(".csv"):
        with open(os.path.join(args.raw, name), newline="") as f:
            rows += list(csv.DictReader(f))
print(f"read {len(rows)} rows from {args.raw}")
random.Random(args.seed).shuffle(rows)
cut = int(len(rows) * (1 - args.test_ratio))
for part, chunk in (("train.csv", rows[:cut]), ("test.csv", rows[cut:])):
    # the output folder is given, not created: writing into it without os.makedirs fails on Azure ML too
    with open(os.path.join(args.prepared, part), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(chunk)
    print(f"wrote {len(chunk)} rows to {part}")
