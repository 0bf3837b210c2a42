"""Few labels and many unlabelled texts on IMDB: what the unlabelled reviews add to each model.

For each number of labels, ``N`` training reviews keep their labels (a stratified sample
with a fixed seed, :func:`sklstm.unlabeled.keep_labeled`) and every model of
``make_models(semi_supervised=True)`` is scored on the official test set twice: with the
``N`` labelled reviews alone, and with the other 24,000-odd training reviews and the 50,000
``unsup`` reviews added as unlabelled texts. Only the LSTM (``unlabeled_label=-1``: they
shape its vocabulary, its linear path's n-grams and its starting word vectors) and
self-training over TF-IDF + LR use them; the other baselines see the labelled reviews in both
runs, so their two rows agree and show the spread of a rerun.

    python benchmarks/unlabeled.py                    # 1,000 labels
    python benchmarks/unlabeled.py --labels 500 5000
"""

import argparse

import numpy as np
import pandas as pd
from common import DATA, save

from sklstm import reuse_freed_memory
from sklstm.compare import compare, make_models
from sklstm.unlabeled import keep_labeled


def run(n_labels, unlabelled):
    train = pd.read_csv(DATA / "imdb" / "train.csv.gz")
    test = pd.read_csv(DATA / "imdb" / "test.csv.gz")
    y = train["label"].to_numpy()
    labeled, others = keep_labeled(np.arange(len(y)), y, n_labels)
    X_unlabeled = None
    if unlabelled:
        unsup = pd.read_csv(DATA / "imdb" / "unsup.csv.gz")["text"]
        X_unlabeled = train["text"].iloc[others].tolist() + unsup.tolist()
    table = compare(
        make_models(semi_supervised=True),
        train["text"].iloc[labeled].tolist(),
        y[labeled],
        test["text"].tolist(),
        test["label"].to_numpy(),
        X_unlabeled=X_unlabeled,
        initializer=reuse_freed_memory,
    )
    table.insert(0, "labels", n_labels)
    table.insert(1, "unlabelled_texts", 0 if X_unlabeled is None else len(X_unlabeled))
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, nargs="+", default=[1000])
    args = parser.parse_args()
    reuse_freed_memory()
    for n_labels in args.labels:
        for unlabelled in (False, True):
            save(run(n_labels, unlabelled), "unlabeled", small=False, settings="")


if __name__ == "__main__":
    main()
