"""Score candidate settings of LSTMSentimentClassifier, epoch by epoch, on IMDB or MR.

Each candidate is trained one epoch at a time (``warm_start=True``) and scored after every
epoch, so one run shows the whole accuracy-against-epochs curve. Rows are added to
``benchmarks/results/tune_<dataset>.csv``.

    python benchmarks/tune_defaults.py imdb '{"hidden_size": 64}' '{"pooling": "last"}'
    python benchmarks/tune_defaults.py mr '{}'

IMDB: train on the official train split, score on the test split. MR: 10-fold stratified
cross-validation (shuffled, random_state=0); the row for epoch k averages the folds.
Candidates are JSON objects of parameters on top of the defaults (JSON lists become tuples,
e.g. ``"ngram_range": [1, 2]``); ``max_iter`` is the number of epochs to run.
"""

import sys
import time

import numpy as np
import pandas as pd
from common import DATA, read_params, save
from sklearn.model_selection import StratifiedKFold

from sklstm import LSTMSentimentClassifier, reuse_freed_memory


def epoch_scores(params, X_train, y_train, X_test, y_test):
    """Test accuracy and cumulative fit seconds after each epoch."""
    params = {**params, "random_state": 0, "warm_start": True}
    n_epochs = params.pop("max_iter", LSTMSentimentClassifier().max_iter)
    clf = LSTMSentimentClassifier(**params, max_iter=1)
    fit_seconds, rows = 0.0, []
    for epoch in range(1, n_epochs + 1):
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        fit_seconds += time.perf_counter() - start
        rows.append(
            {"epoch": epoch, "accuracy": clf.score(X_test, y_test), "fit_seconds": fit_seconds}
        )
        print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def run_imdb(params):
    train = pd.read_csv(DATA / "imdb" / "train.csv.gz")
    test = pd.read_csv(DATA / "imdb" / "test.csv.gz")
    return epoch_scores(params, train.text, train.label, test.text, test.label)


def run_mr(params):
    data = pd.read_csv(DATA / "mr" / "all.csv.gz")
    folds = StratifiedKFold(10, shuffle=True, random_state=0).split(data.text, data.label)
    scores = [
        epoch_scores(
            params, data.text.iloc[tr], data.label.iloc[tr], data.text.iloc[te], data.label.iloc[te]
        )
        for tr, te in folds
    ]
    return pd.concat(scores).groupby("epoch", as_index=False).mean()


def main(dataset, candidates):
    reuse_freed_memory()
    run = {"imdb": run_imdb, "mr": run_mr}[dataset]
    for text in candidates:
        scores = run(read_params(text))
        scores.insert(0, "params", text)
        save(scores, f"tune_{dataset}", small=False, settings=f"dataset={dataset}")


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main(sys.argv[1], sys.argv[2:])
