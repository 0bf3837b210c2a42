"""Texts per second of ``predict_proba`` on the IMDB test set: sklstm against TF-IDF + LR.

Both models take raw strings, so the time includes turning texts into features
(tokenising, vocabulary lookup) as well as the model itself; for sklstm the share spent on
text to ids (``vectorizer_.transform``) is reported too. Each figure is the best of
``--repeats`` timed calls over the same texts, after a warm-up call on 100 texts.

sklstm is fitted with its defaults on ``--fit-size`` training texts, then predicts with
``precision="float32"`` and with ``"bfloat16"`` (set on the fitted model); the bfloat16
rows say on what share of the texts both predict the same class and how far apart their
probabilities are. Speed depends on the network's sizes and on ``max_len``, which keep
their default values, and hardly on the vocabulary size (an embedding lookup costs the
same in a small table as in a large one). TF-IDF + LR (``make_baselines()["tfidf_lr"]``)
is fitted on the whole training set by default, because its number of n-gram features,
and so the work per text, grows with it.

    python benchmarks/inference.py                                                 # full size
    python benchmarks/inference.py --limit 2000 --fit-size 500 --baseline-fit-size 2000
"""

import argparse
import time

from common import add_threads_flag, load_imdb, save, set_threads, settings_text

from sklstm import LSTMSentimentClassifier, reuse_freed_memory
from sklstm.baselines import make_baselines


def best_seconds(functions, texts, repeats):
    """Shortest of ``repeats`` timed calls ``function(texts)`` for each of ``functions``.

    The rounds interleave the functions, so that a change in the machine's speed during
    the run falls on all of them alike.
    """
    times = [[] for _ in functions]
    for _ in range(repeats):
        for function, seconds in zip(functions, times, strict=True):
            start = time.perf_counter()
            function(texts)
            seconds.append(time.perf_counter() - start)
    return [min(seconds) for seconds in times]


def predict_in(model, precision):
    """``model.predict_proba`` computed in ``precision``."""

    def predict_proba(texts):
        return model.set_params(precision=precision).predict_proba(texts)

    return predict_proba


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="predict only this many test texts")
    parser.add_argument("--fit-size", type=int, default=2500, help="texts to fit sklstm on")
    parser.add_argument(
        "--baseline-fit-size", type=int, help="texts to fit TF-IDF + LR on (default: all)"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    add_threads_flag(parser)
    args = parser.parse_args()
    reuse_freed_memory()
    set_threads(args.threads)

    test_texts, _ = load_imdb("test", args.limit, args.seed)
    train_texts, train_labels = load_imdb("train", None, args.seed)
    n_fit = args.baseline_fit_size or len(train_texts)
    sklstm = LSTMSentimentClassifier(random_state=args.seed).fit(
        train_texts[: args.fit_size], train_labels[: args.fit_size]
    )
    baseline = make_baselines(random_state=args.seed)["tfidf_lr"]
    baseline.fit(train_texts[:n_fit], train_labels[:n_fit])
    precisions = ("float32", "bfloat16")
    functions = [predict_in(sklstm, p) for p in precisions]
    functions += [baseline.predict_proba, sklstm.vectorizer_.transform]
    for function in functions:
        function(test_texts[:100])  # warm-up: lazy initialisation, thread pools
    *sklstm_seconds, baseline_seconds, ids_seconds = best_seconds(
        functions, test_texts, args.repeats
    )
    exact = functions[0](test_texts)
    rows = []
    for precision, function, seconds in zip(
        precisions, functions[: len(precisions)], sklstm_seconds, strict=True
    ):
        proba = function(test_texts)
        rows.append(
            {
                "model": "sklstm",
                "precision": precision,
                "fitted_on": args.fit_size,
                "seconds": seconds,
                "text_to_ids_share": ids_seconds / seconds,
                "agreement_with_float32": (proba.argmax(1) == exact.argmax(1)).mean(),
                "max_proba_difference": abs(proba - exact).max(),
            }
        )
    rows.append({"model": "tfidf_lr", "fitted_on": n_fit, "seconds": baseline_seconds})
    for row in rows:
        row["texts"] = len(test_texts)
        row["texts_per_second"] = len(test_texts) / row["seconds"]
        row["speed_vs_tfidf_lr"] = baseline_seconds / row["seconds"]
    small = args.limit is not None or args.baseline_fit_size is not None
    save(rows, "inference", small, settings_text(args))


if __name__ == "__main__":
    main()
