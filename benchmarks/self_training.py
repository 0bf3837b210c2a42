"""Self-training on unlabelled IMDB reviews: what it adds, at what cost.

``--labels`` (1,000) training reviews keep their labels (a stratified sample,
:func:`sklstm.unlabeled.keep_labeled`); the other training reviews and the 50,000 ``unsup``
reviews (the first ``--unlabelled`` of them, shuffled; all by default) are passed as
unlabelled texts (``unlabeled_label=-1``). LSTMSentimentClassifier with its defaults and each
``--shares`` value of ``pseudo_label_share`` is fitted at each ``--seeds`` and scored on the
official test set. With 0 the unlabelled texts only shape the vocabulary and word vectors.

``--validation N`` chooses on training data only: N training reviews (drawn with the seed) are
held out, never passed to ``fit``, and the models are scored on them instead of the test set;
the labelled and unlabelled reviews come from the rest.

    python benchmarks/self_training.py                                 # shares 0 and 0.5
    python benchmarks/self_training.py --labels 25000 --seeds 0 1 2
    python benchmarks/self_training.py --unlabelled 5000 --limit-test 5000 --shares 0 0.5
    python benchmarks/self_training.py --validation 5000 --unlabelled 20000 --shares 0.25 0.5 0.75
"""

import argparse
import time

import numpy as np
import pandas as pd
from common import DATA, add_threads_flag, save, set_threads, settings_text

from sklstm import LSTMSentimentClassifier, reuse_freed_memory
from sklstm.unlabeled import keep_labeled


def load(n_labels, n_unlabelled, n_test, n_validation, seed):
    """Training texts and labels (-1 for the unlabelled ones), and the texts and labels to
    score on: the test set, or ``n_validation`` held-out training reviews."""
    train = pd.read_csv(DATA / "imdb" / "train.csv.gz")
    if n_validation:
        held_out = train.sample(n_validation, random_state=seed)
        train, test = train.drop(held_out.index).reset_index(drop=True), held_out
    else:
        test = pd.read_csv(DATA / "imdb" / "test.csv.gz")
    if n_test is not None:
        test = test.sample(n_test, random_state=seed)
    y = train["label"].to_numpy()
    if n_labels < len(y):
        labeled, others = keep_labeled(np.arange(len(y)), y, n_labels)
    else:
        labeled, others = np.arange(len(y)), np.arange(0)
    unsup = pd.read_csv(DATA / "imdb" / "unsup.csv.gz")["text"]
    unlabelled = pd.concat([train["text"].iloc[others], unsup], ignore_index=True)
    unlabelled = unlabelled.sample(frac=1.0, random_state=seed).iloc[:n_unlabelled]
    X = train["text"].iloc[labeled].tolist() + unlabelled.tolist()
    y = np.concatenate([y[labeled], np.full(len(unlabelled), -1)])
    return X, y, test["text"].tolist(), test["label"].to_numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--unlabelled", type=int, help="keep this many unlabelled reviews")
    parser.add_argument("--shares", type=float, nargs="+", default=[0.0, 0.5])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--limit-test", type=int, help="score on a sample of the test set")
    parser.add_argument(
        "--validation", type=int, help="score on this many held-out training reviews instead"
    )
    add_threads_flag(parser)
    args = parser.parse_args()
    reuse_freed_memory()
    set_threads(args.threads)
    rows = []
    for seed in args.seeds:
        X, y, X_test, y_test = load(
            args.labels, args.unlabelled, args.limit_test, args.validation, seed
        )
        for share in args.shares:
            model = LSTMSentimentClassifier(
                pseudo_label_share=share, unlabeled_label=-1, random_state=seed
            )
            start = time.perf_counter()
            model.fit(X, y)
            fit_seconds = time.perf_counter() - start
            rows.append(
                {
                    "labels": int((y != -1).sum()),
                    "unlabelled_texts": int((y == -1).sum()),
                    "pseudo_label_share": share,
                    "seed": seed,
                    "accuracy": model.score(X_test, y_test),
                    "scored_on": "validation" if args.validation else "test",
                    "test_texts": len(X_test),
                    "fit_seconds": fit_seconds,
                    "pseudo_labeled": model.n_pseudo_labeled_,
                    "epochs": model.n_iter_,
                }
            )
            print(rows[-1], flush=True)
    # The number of unlabelled texts is a setting of the measurement (its own column), not
    # a reduction of it; a sample of the test set is.
    save(rows, "self_training", args.limit_test is not None, settings_text(args))


if __name__ == "__main__":
    main()
