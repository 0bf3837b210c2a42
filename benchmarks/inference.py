"""Texts per second of ``predict_proba`` on the IMDB test set: sklstm against TF-IDF + LR.

Both models take raw strings, so the time includes turning texts into features
(tokenising, vocabulary lookup) as well as the model itself; for sklstm the share spent on
text to ids (``vectorizer_.transform``) is reported too. Each figure is the best of
``--repeats`` timed calls over the same texts, after a warm-up call on 100 texts.

sklstm is fitted quickly (one epoch on ``--fit-size`` training texts, default parameters):
the speed of inference does not depend on how accurate the model is. It depends on the
network's sizes and on ``max_len``, which keep their default values, and hardly on the
vocabulary size (an embedding lookup costs the same in a small table as in a large one).
TF-IDF + LR (``make_baselines()["tfidf_lr"]``) is fitted on the whole training set by
default, because its number of n-gram features, and so the work per text, grows with it.

    python benchmarks/inference.py                                                 # full size
    python benchmarks/inference.py --limit 2000 --fit-size 500 --baseline-fit-size 2000
"""

import argparse
import time

from common import add_threads_flag, load_imdb, save, set_threads, settings_text

from sklstm import LSTMSentimentClassifier, reuse_freed_memory
from sklstm.baselines import make_baselines


def best_seconds(function, texts, repeats):
    """Shortest of ``repeats`` timed calls ``function(texts)``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(texts)
        times.append(time.perf_counter() - start)
    return min(times)


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
    models = {
        "sklstm": LSTMSentimentClassifier(max_iter=1, random_state=args.seed).fit(
            train_texts[: args.fit_size], train_labels[: args.fit_size]
        ),
        "tfidf_lr": make_baselines(random_state=args.seed)["tfidf_lr"].fit(
            train_texts[:n_fit], train_labels[:n_fit]
        ),
    }
    rows = []
    for name, model in models.items():
        model.predict_proba(test_texts[:100])  # warm-up: lazy initialisation, thread pools
        seconds = best_seconds(model.predict_proba, test_texts, args.repeats)
        row = {
            "model": name,
            "texts": len(test_texts),
            "fitted_on": args.fit_size if name == "sklstm" else n_fit,
            "seconds": seconds,
            "texts_per_second": len(test_texts) / seconds,
        }
        if name == "sklstm":
            ids_seconds = best_seconds(model.vectorizer_.transform, test_texts, args.repeats)
            row["text_to_ids_share"] = ids_seconds / seconds
        rows.append(row)
    speeds = {row["model"]: row["texts_per_second"] for row in rows}
    for row in rows:
        row["speed_vs_tfidf_lr"] = row["texts_per_second"] / speeds["tfidf_lr"]
    small = args.limit is not None or args.baseline_fit_size is not None
    save(rows, "inference", small, settings_text(args))


if __name__ == "__main__":
    main()
