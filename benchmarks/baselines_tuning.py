"""Measure a few hyperparameter candidates for each bag-of-words baseline.

The defaults of :func:`sklstm.baselines.make_baselines` were chosen from the
output of this script. Each model gets a handful of candidates, given as
``Pipeline.set_params`` values of its tuned parameters (all others keep the
values shipped in ``make_baselines``), and each candidate is scored on

- IMDB: fit on the official 25,000 train reviews, accuracy on the 25,000
  test reviews;
- MR: 10-fold stratified cross-validation (shuffled, ``random_state=0``),
  mean accuracy over the folds.

``fit_seconds`` is the wall-clock time of fitting the whole pipeline
(vectorizer ``fit_transform`` plus classifier ``fit``), averaged over the
folds for MR. Candidates that share a vectorizer reuse its output within a
split, which keeps the total run time down, but the time of that vectorizer
is still counted in each candidate's ``fit_seconds``.

Run by hand from the repository root (about 5 minutes on 2 cores)::

    python benchmarks/baselines_tuning.py

It prints one line per candidate and writes
``benchmarks/results/baselines_tuning.csv`` (columns dataset, model, params,
accuracy, fit_seconds) and a sidecar ``baselines_tuning.json`` with the
machine, library versions, date and command.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import sklearn
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Lets the script run from a checkout without installing the package.
    sys.path.insert(0, str(ROOT))

from sklstm.baselines import make_baselines  # noqa: E402

RANDOM_STATE = 0


def _variants(base, *changes):
    """Spell out every tuned parameter in every candidate.

    Explicit values keep the rows of the results file valid even after the
    shipped defaults change; ``{}`` in ``changes`` stands for ``base``.
    """
    return [{**base, **change} for change in changes]


# Kept small on purpose: the machine is shared and each IMDB fit of a bigram
# model takes 15 to 40 seconds. Parameters not listed keep the shipped values.
CANDIDATES = {
    "tfidf_lr": _variants(
        {
            "tfidf__min_df": 2,
            "tfidf__max_df": 1.0,
            "tfidf__sublinear_tf": True,
            "clf__estimator__C": 10.0,
            "clf__estimator__dual": True,
        },
        {"clf__estimator__C": 1.0},
        {"clf__estimator__C": 4.0},
        {},
        {"clf__estimator__C": 30.0},
        {"clf__estimator__dual": False},
        {"tfidf__min_df": 5},
        {"tfidf__max_df": 0.95},
        {"tfidf__sublinear_tf": False},
    ),
    "count_nb": _variants(
        {"counts__ngram_range": (1, 2), "counts__binary": True, "clf__alpha": 1.0},
        {"counts__ngram_range": (1, 1)},
        {},
        {"clf__alpha": 0.3},
        {"counts__binary": False},
        {"counts__binary": False, "clf__alpha": 0.3},
    ),
    "nb_lr": _variants(
        {"clf__C": 1.0, "clf__alpha": 1.0, "clf__dual": True},
        {"clf__C": 0.1},
        {"clf__C": 0.3},
        {},
        {"clf__C": 3.0},
        {"clf__dual": False},
        {"clf__alpha": 0.5},
    ),
}


def load_imdb(data_dir):
    """Return ``[(train_texts, train_labels, test_texts, test_labels)]``."""
    train = pd.read_csv(data_dir / "imdb" / "train.csv.gz")
    test = pd.read_csv(data_dir / "imdb" / "test.csv.gz")
    return [(_texts(train), train["label"].to_numpy(), _texts(test), test["label"].to_numpy())]


def load_mr(data_dir):
    """Return the 10 stratified CV splits of MR as (train, test) text/label tuples."""
    data = pd.read_csv(data_dir / "mr" / "all.csv.gz")
    texts, labels = _texts(data), data["label"].to_numpy()
    folds = StratifiedKFold(n_splits=10, shuffle=True, random_state=RANDOM_STATE)
    return [
        (texts[train], labels[train], texts[test], labels[test])
        for train, test in folds.split(texts, labels)
    ]


def _texts(frame):
    # An object array of str indexes like the labels and is what the
    # vectorizers expect.
    return frame["text"].to_numpy(dtype=object)


def subsample(splits, limit, seed=RANDOM_STATE):
    """Keep at most ``limit`` train and test documents per split (smoke runs)."""
    rng = np.random.default_rng(seed)

    def take(texts, labels):
        keep = rng.permutation(len(texts))[:limit]
        return texts[keep], labels[keep]

    return [(*take(xtr, ytr), *take(xte, yte)) for xtr, ytr, xte, yte in splits]


def candidate_pipelines(model, candidates, random_state=RANDOM_STATE):
    """Return ``(label, pipeline)`` for each candidate of ``model``.

    The label lists the effective value of every parameter tuned for this
    model, so rows stay readable even if the shipped defaults change.
    """
    tuned = sorted({name for overrides in candidates for name in overrides})
    result = []
    for overrides in candidates:
        pipeline = make_baselines(random_state=random_state)[model].set_params(**overrides)
        params = pipeline.get_params()
        label = "; ".join(f"{name}={params[name]!r}" for name in tuned)
        result.append((label, pipeline))
    return result


def vectorizer_key(pipeline):
    """Candidates with equal keys share the vectorizer output within a split."""
    return repr(pipeline[:-1])


def evaluate(pipelines, splits):
    """Return ``{label: (mean accuracy, mean fit seconds)}`` over ``splits``."""
    groups = defaultdict(list)
    for label, pipeline in pipelines:
        groups[vectorizer_key(pipeline)].append((label, pipeline))
    scores, seconds = defaultdict(list), defaultdict(list)
    for train_texts, train_labels, test_texts, test_labels in splits:
        for members in groups.values():
            vectorizer = clone(members[0][1][:-1])
            start = time.perf_counter()
            train_features = vectorizer.fit_transform(train_texts)
            vectorize_seconds = time.perf_counter() - start
            test_features = vectorizer.transform(test_texts)
            for label, pipeline in members:
                classifier = clone(pipeline[-1])
                start = time.perf_counter()
                classifier.fit(train_features, train_labels)
                seconds[label].append(vectorize_seconds + time.perf_counter() - start)
                scores[label].append(classifier.score(test_features, test_labels))
    return {
        label: (float(np.mean(scores[label])), float(np.mean(seconds[label])))
        for label, _ in pipelines
    }


def machine_info():
    """Describe the machine and software the numbers were measured with."""
    cpu = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "pandas": pd.__version__,
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--datasets", nargs="+", choices=["imdb", "mr"], default=["imdb", "mr"])
    parser.add_argument("--models", nargs="+", choices=list(CANDIDATES), default=list(CANDIDATES))
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "baselines_tuning.csv"
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="smoke test: keep at most this many train and test documents per split",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    loaders = {"imdb": load_imdb, "mr": load_mr}
    started = datetime.now(timezone.utc)
    clock = time.perf_counter()
    rows = []
    for dataset in args.datasets:
        splits = loaders[dataset](args.data_dir)
        if args.limit:
            splits = subsample(splits, args.limit)
        for model in args.models:
            pipelines = candidate_pipelines(model, CANDIDATES[model])
            for label, (accuracy, fit_seconds) in evaluate(pipelines, splits).items():
                print(
                    f"{dataset:5} {model:9} acc={accuracy:.4f} fit={fit_seconds:6.1f}s  {label}",
                    flush=True,
                )
                rows.append(
                    {
                        "dataset": dataset,
                        "model": model,
                        "params": label,
                        "accuracy": round(accuracy, 5),
                        "fit_seconds": round(fit_seconds, 2),
                    }
                )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(args.out, index=False)
    sidecar = {
        "command": " ".join(["python", *sys.argv]),
        "started_utc": started.isoformat(timespec="seconds"),
        "total_seconds": round(time.perf_counter() - clock, 1),
        "machine": machine_info(),
        "limit": args.limit,
        "notes": (
            "imdb: fit on official train, accuracy on official test. "
            "mr: mean accuracy and mean fit time over 10 stratified folds "
            f"(shuffle=True, random_state={RANDOM_STATE}). fit_seconds is wall-clock "
            "time of vectorizer fit_transform plus classifier fit on a shared machine."
        ),
    }
    args.out.with_suffix(".json").write_text(json.dumps(sidecar, indent=2) + "\n")
    print(f"wrote {args.out} and {args.out.with_suffix('.json')}")


if __name__ == "__main__":
    main()
