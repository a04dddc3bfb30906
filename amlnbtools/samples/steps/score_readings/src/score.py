"""Score each sensor's readings file: its mean, and whether it went over the limit (a parallel step's entry script).

The service calls init() once per process and run(mini_batch) with a list of file paths; each element returned
counts one file done.
"""

import argparse
import csv
import os

from azureml_user.parallel_run import EntryScript

limit = None
logger = None


def init():
    global limit, logger
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=float, default=80.0)
    args, _unknown = parser.parse_known_args()
    limit = args.limit
    logger = EntryScript().logger
    logger.info("scoring with limit %s", limit)


def run(mini_batch):
    results = []
    for path in mini_batch:
        with open(path, newline="") as f:
            values = [float(row["value"]) for row in csv.DictReader(f)]
        mean = sum(values) / len(values)
        results.append(f"{os.path.basename(path)} {mean:.2f} {'over' if max(values) > limit else 'ok'}")
    return results
