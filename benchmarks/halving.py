"""Successive halving against a grid search over the same grid, on MR: best score and time.

Both searches tune ``hidden_size`` and ``learning_rate_init`` of LSTMSentimentClassifier (the
other parameters at their defaults). MR's 10,662 sentences are split once into a stratified
test set (``--test-size``, 20%) and the training sentences; every candidate is scored on one
fixed stratified validation split of those (``--validation``, 10%), and each search refits its
best candidate on all the training sentences, which is then scored on the test set.

- ``grid``: :class:`~sklearn.model_selection.GridSearchCV`, every candidate trained
  ``--max-epochs`` epochs.
- ``halving``: :class:`~sklearn.model_selection.HalvingGridSearchCV` with ``factor``
  (``--factor``, 3), ``min_resources="exhaust"`` and, by default, ``resource="max_iter"``: the
  candidates get a few epochs, the best ``1 / factor`` of them ``factor`` times as many, and so
  on up to ``--max-epochs`` (reached when it is a power of the factor, as the default 9 is;
  otherwise the last round gets the largest power below it). ``n_iter_no_change`` is set to
  ``--max-epochs`` in both searches, so that every fit trains exactly the epochs it is given.
  With ``--resource n_samples`` the budget is the number of training sentences instead, and
  every fit trains ``--max-epochs`` epochs.

Each row is one search: its best parameters, best validation accuracy and test accuracy; the
texts it trained on over its fits (texts times epochs, the refit left out); ``train_seconds``,
the fit times of all its fits added up (in whichever process ran them), ``refit_seconds``, and
``wall_seconds`` for the whole search. The halving row also gives its ``train_seconds`` and
``wall_seconds`` as a share of the grid search's, and the difference of test accuracies. The
issue's target: the grid's best score within noise, in at most a third of its training time.

A small fit runs first in every process that trains (this one, or each Dask worker) and is
not reported, so that one-time costs (imports, thread pools, oneDNN kernels) do not land on
the search that runs first, the grid search.

``--dask-workers N`` runs both searches on a Dask ``LocalCluster`` of N worker processes of one
thread each (joblib's Dask backend, ``n_jobs=-1``); without it they run in this process, one
fit at a time.

    python benchmarks/halving.py                         # the measurement, in this process
    python benchmarks/halving.py --dask-workers 2        # the same on a 2-worker LocalCluster
    python benchmarks/halving.py --limit 300 --max-epochs 1 --threads 1   # a small check
"""

import argparse
import json
import time

import joblib
import numpy as np
import pandas as pd
from common import DATA, add_threads_flag, save, set_threads, settings_text
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    StratifiedShuffleSplit,
    train_test_split,
)

from sklstm import LSTMSentimentClassifier, reuse_freed_memory


def load_mr(limit, test_size, seed):
    """MR's training and test sentences and labels; ``limit`` keeps a stratified sample."""
    data = pd.read_csv(DATA / "mr" / "all.csv.gz")
    texts, labels = data["text"].to_numpy(dtype=object), data["label"].to_numpy()
    if limit is not None:
        texts, _, labels, _ = train_test_split(
            texts, labels, train_size=limit, stratify=labels, random_state=seed
        )
    return train_test_split(texts, labels, test_size=test_size, stratify=labels, random_state=seed)


def warm_up(texts, labels, seed):
    """One small, unreported fit, to pay the one-time costs before the searches."""
    LSTMSentimentClassifier(max_iter=1, random_state=seed).fit(texts[:256], labels[:256])


def make_search(kind, args, n_jobs):
    """The ``grid`` or ``halving`` search of the command line's grid."""
    lstm = LSTMSentimentClassifier(n_iter_no_change=args.max_epochs, random_state=args.seed)
    grid = {"hidden_size": args.hidden_sizes, "learning_rate_init": args.learning_rates}
    validation = StratifiedShuffleSplit(
        n_splits=1, test_size=args.validation, random_state=args.seed
    )
    if kind == "grid":
        lstm.set_params(max_iter=args.max_epochs)
        return GridSearchCV(lstm, grid, cv=validation, n_jobs=n_jobs)
    if args.resource == "n_samples":
        lstm.set_params(max_iter=args.max_epochs)
        max_resources = "auto"
    else:
        max_resources = args.max_epochs
    return HalvingGridSearchCV(
        lstm,
        grid,
        resource=args.resource,
        factor=args.factor,
        min_resources="exhaust",
        max_resources=max_resources,
        cv=validation,
        n_jobs=n_jobs,
        random_state=args.seed,
    )


def texts_trained(search, n_fit_texts, max_epochs):
    """Texts times epochs over a search's fits, the refit left out."""
    results = pd.DataFrame(search.cv_results_)
    if "n_resources" not in results:  # a grid search
        per_fit = n_fit_texts * max_epochs
        return int(per_fit * len(results) * search.n_splits_)
    if search.resource == "max_iter":
        per_fit = n_fit_texts * results["n_resources"]
    else:  # n_samples: n_resources sentences, split like the whole training set
        per_fit = results["n_resources"] / search.max_resources_ * n_fit_texts * max_epochs
    return int(round((per_fit * search.n_splits_).sum()))


def run(kind, args, X_train, y_train, X_test, y_test, n_jobs):
    search = make_search(kind, args, n_jobs)
    start = time.perf_counter()
    search.fit(X_train, y_train)
    wall = time.perf_counter() - start
    results = pd.DataFrame(search.cv_results_)
    n_fit_texts = len(X_train) - int(np.ceil(args.validation * len(X_train)))
    return {
        "search": kind,
        "resource": args.resource if kind == "halving" else "",
        "candidates": len(args.hidden_sizes) * len(args.learning_rates),
        "fits": len(results) * search.n_splits_,
        "texts_trained": texts_trained(search, n_fit_texts, args.max_epochs),
        "best_params": json.dumps(search.best_params_),
        "best_validation_accuracy": search.best_score_,
        "test_accuracy": search.score(X_test, y_test),
        "train_seconds": (results["mean_fit_time"] * search.n_splits_).sum(),
        "refit_seconds": search.refit_time_,
        "wall_seconds": wall,
    }


def run_both(args, data, n_jobs):
    rows = [run(kind, args, *data, n_jobs) for kind in ("grid", "halving")]
    grid, halving = rows
    halving["train_seconds_share_of_grid"] = halving["train_seconds"] / grid["train_seconds"]
    halving["wall_seconds_share_of_grid"] = halving["wall_seconds"] / grid["wall_seconds"]
    halving["test_accuracy_minus_grid"] = halving["test_accuracy"] - grid["test_accuracy"]
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hidden-sizes", type=int, nargs="+", default=[32, 64, 128])
    parser.add_argument("--learning-rates", type=float, nargs="+", default=[1e-3, 2e-3, 4e-3])
    parser.add_argument("--max-epochs", type=int, default=9)
    parser.add_argument("--factor", type=int, default=3)
    parser.add_argument("--resource", choices=["max_iter", "n_samples"], default="max_iter")
    parser.add_argument("--validation", type=float, default=0.1)
    parser.add_argument("--test-size", type=float, default=0.2)
    parser.add_argument("--limit", type=int, help="use this many MR sentences (a small check)")
    parser.add_argument("--dask-workers", type=int, help="run on a LocalCluster of N workers")
    parser.add_argument("--seed", type=int, default=0)
    add_threads_flag(parser)
    args = parser.parse_args()
    reuse_freed_memory()
    set_threads(args.threads)

    X_train, X_test, y_train, y_test = load_mr(args.limit, args.test_size, args.seed)
    data = (X_train, y_train, X_test, y_test)
    warm_up(X_train, y_train, args.seed)
    if args.dask_workers is None:
        rows = run_both(args, data, n_jobs=None)
        backend = "in-process"
    else:
        from dask.distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=args.dask_workers, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
            joblib.parallel_backend("dask"),
        ):
            client.run(reuse_freed_memory)
            client.run(warm_up, X_train, y_train, args.seed)
            rows = run_both(args, data, n_jobs=-1)
        backend = f"dask, {args.dask_workers} workers of 1 thread"
    for row in rows:
        row["backend"] = backend
    save(rows, "halving", args.limit is not None, settings_text(args))


if __name__ == "__main__":
    main()
