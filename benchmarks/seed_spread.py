"""Accuracy of one setting of LSTMSentimentClassifier over several random seeds, IMDB or MR.

A single run cannot tell a better default from a lucky seed; this fits the estimator from
scratch (one ``fit`` call, as a user would) once per seed and adds one row per seed to
``benchmarks/results/seeds_<dataset>.csv``. IMDB: train on the official train split, score
on the test split. MR: the 10-fold cross-validation of ``sklstm compare --dataset mr``
(stratified, shuffled with random_state=0); the row gives the mean over the folds.
``fit_seconds`` is the whole run for the seed, scoring included.

    python benchmarks/seed_spread.py '{}' --seeds 1 2 3 4 5     # the defaults, on IMDB
    python benchmarks/seed_spread.py '{"dropout": 0.5}' --seeds 1 2 3
    python benchmarks/seed_spread.py '{}' --seeds 1 2 --dataset mr
"""

import argparse
import time

import numpy as np
import pandas as pd
from common import DATA, read_params, save
from sklearn.model_selection import StratifiedKFold

from sklstm import LSTMSentimentClassifier, reuse_freed_memory


def imdb_accuracy(params):
    train = pd.read_csv(DATA / "imdb" / "train.csv.gz")
    test = pd.read_csv(DATA / "imdb" / "test.csv.gz")
    clf = LSTMSentimentClassifier(**params).fit(train.text, train.label)
    return clf.score(test.text, test.label)


def mr_accuracy(params):
    data = pd.read_csv(DATA / "mr" / "all.csv.gz")
    folds = StratifiedKFold(10, shuffle=True, random_state=0).split(data.text, data.label)
    return float(
        np.mean(
            [
                LSTMSentimentClassifier(**params)
                .fit(data.text.iloc[train], data.label.iloc[train])
                .score(data.text.iloc[test], data.label.iloc[test])
                for train, test in folds
            ]
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("params", help="JSON object of parameters on top of the defaults")
    parser.add_argument("--seeds", type=int, nargs="+", required=True)
    parser.add_argument("--dataset", choices=["imdb", "mr"], default="imdb")
    args = parser.parse_args()
    reuse_freed_memory()
    accuracy = {"imdb": imdb_accuracy, "mr": mr_accuracy}[args.dataset]
    params = read_params(args.params)
    for seed in args.seeds:
        start = time.perf_counter()
        row = {
            "params": args.params,
            "seed": seed,
            "accuracy": accuracy({**params, "random_state": seed}),
            "fit_seconds": time.perf_counter() - start,
        }
        # Saved seed by seed, so that an interrupted run keeps the seeds it finished.
        save([row], f"seeds_{args.dataset}", small=False, settings=f"dataset={args.dataset}")


if __name__ == "__main__":
    main()
