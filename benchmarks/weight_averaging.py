"""The swing of the decision threshold during training, and what averaging the weights does.

One epoch on IMDB from random word vectors, one pass per step (the settings of
``training_speed.py``), trained twice with the same seed: with the default moving average
of the weights (``sklstm.training.AVERAGING_DECAY``) and with 0 (the last step's weights).
For the run with 0, the share of 1,000 test reviews predicted positive is measured after
each of the epoch's last ``--trace`` steps (the weights of that step), to show the swing;
for both, test accuracy, share predicted positive and ROC AUC on the 25,000 test reviews.
The training texts are shuffled with the seed, as in ``training_speed.py``.

    python benchmarks/weight_averaging.py --seeds 0 1 2
    python benchmarks/weight_averaging.py --seeds 0 --limit 2000 --trace 20   # small check
"""

import argparse

import numpy as np
from common import add_threads_flag, load_imdb, save, set_threads, settings_text
from sklearn.metrics import roc_auc_score

import sklstm.training
from sklstm import LSTMSentimentClassifier, reuse_freed_memory

DEFAULT_DECAY = sklstm.training.AVERAGING_DECAY
BACKWARD = sklstm.training._backward


def trace_positive_share(clf, texts, first_step):
    """From ``first_step`` on, record the share of ``texts`` predicted positive at each step.

    Wraps the training loop's ``_backward``, which runs at the start of each step: what is
    measured are the weights left by the step before.
    """
    shares, state = [], {"step": 0, "sequences": None}

    def recording(network, *args):
        if state["step"] >= first_step:
            if state["sequences"] is None:
                state["sequences"] = clf.vectorizer_.transform(texts)
            logits = sklstm.training.predict_logits(network, state["sequences"], "cpu")
            network.train()
            shares.append((logits[:, 0] > 0).double().mean().item())
        state["step"] += 1
        return BACKWARD(network, *args)

    sklstm.training._backward = recording
    return shares


def one_epoch(train_texts, y_train, seed, decay, trace_texts, trace_from):
    sklstm.training.AVERAGING_DECAY = decay
    clf = LSTMSentimentClassifier(
        max_iter=1, pretrained_embeddings=None, adversarial_epsilon=0.0, random_state=seed
    )
    shares = trace_positive_share(clf, trace_texts, trace_from) if trace_texts else []
    try:
        clf.fit(train_texts, y_train)
    finally:
        sklstm.training._backward = BACKWARD
        sklstm.training.AVERAGING_DECAY = DEFAULT_DECAY
    return clf, shares


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--limit", type=int, help="training reviews (default: all 25,000)")
    parser.add_argument("--trace", type=int, default=90, help="steps traced at the end")
    add_threads_flag(parser)
    args = parser.parse_args()
    set_threads(args.threads)
    reuse_freed_memory()
    test_texts, y_test = load_imdb("test")
    rows = []
    for seed in args.seeds:
        train_texts, y_train = load_imdb("train", args.limit, seed)
        n_steps = -(-len(train_texts) // LSTMSentimentClassifier().batch_size)
        for decay in (DEFAULT_DECAY, 0.0):
            trace_texts = test_texts[:1000] if decay == 0.0 else None
            clf, shares = one_epoch(
                train_texts, y_train, seed, decay, trace_texts, n_steps - args.trace
            )
            proba = clf.predict_proba(test_texts)[:, 1]
            rows.append(
                {
                    "seed": seed,
                    "averaging_decay": decay,
                    "accuracy": float(((proba > 0.5) == y_test).mean()),
                    "share_positive": float((proba > 0.5).mean()),
                    "roc_auc": roc_auc_score(y_test, proba),
                    "traced_share_min": min(shares, default=np.nan),
                    "traced_share_max": max(shares, default=np.nan),
                    "traced_share_std": float(np.std(shares)) if shares else np.nan,
                    "epoch_seconds": clf.history_["seconds"].iloc[0],
                }
            )
    save(rows, "weight_averaging", args.limit is not None, settings_text(args))


if __name__ == "__main__":
    main()
