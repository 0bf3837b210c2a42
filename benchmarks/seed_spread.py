"""IMDB test accuracy of one setting of LSTMSentimentClassifier over several random seeds.

A single run cannot tell a better default from a lucky seed; this fits the estimator from
scratch (one ``fit`` call, as a user would) once per seed, trains on the official train
split, scores on the test split, and appends one row per seed to
``benchmarks/results/seeds_imdb.csv``.

    python benchmarks/seed_spread.py '{}' --seeds 1 2 3 4 5     # the defaults
    python benchmarks/seed_spread.py '{"dropout": 0.5}' --seeds 1 2 3
"""

import argparse
import json
import os
import platform
import time
from datetime import date
from pathlib import Path

import pandas as pd
import torch

from sklstm import LSTMSentimentClassifier, reuse_freed_memory

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RESULTS = Path(__file__).resolve().parent / "results" / "seeds_imdb.csv"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("params", help="JSON object of parameters on top of the defaults")
    parser.add_argument("--seeds", type=int, nargs="+", required=True)
    args = parser.parse_args()
    reuse_freed_memory()
    train = pd.read_csv(DATA / "imdb" / "train.csv.gz")
    test = pd.read_csv(DATA / "imdb" / "test.csv.gz")
    params = json.loads(args.params)
    for seed in args.seeds:
        start = time.perf_counter()
        clf = LSTMSentimentClassifier(**params, random_state=seed).fit(train.text, train.label)
        row = {
            "params": args.params,
            "seed": seed,
            "accuracy": clf.score(test.text, test.label),
            "fit_seconds": time.perf_counter() - start,
            "date": date.today().isoformat(),
            "machine": f"{platform.machine()} {os.cpu_count()} cpus, "
            f"{torch.get_num_threads()} torch threads, torch {torch.__version__}",
        }
        print(row, flush=True)
        pd.DataFrame([row]).to_csv(RESULTS, mode="a", header=not RESULTS.exists(), index=False)


if __name__ == "__main__":
    main()
