"""Fit time against the number of IMDB training reviews: is the time per token flat?

``LSTMSentimentClassifier`` (default parameters, one epoch: every epoch does the same work,
so one shows how the time grows) is fitted on the first 5,000, 10,000 and 25,000 reviews of
the shuffled training set. It starts from word2vec vectors at every size: by default
(``pretrained_embeddings="auto"``) the 5,000 reviews, 1.05 million tokens, would get the
cheaper PPMI vectors instead, and the sizes would not do the same work per token. For each
size the script reports the wall time of ``fit`` (vocabulary and tokenising included) and of
its training loop (``history_["seconds"]``), the real tokens read (``history_`` tokens/s x
seconds: each text's length after ``max_len`` truncation), the seconds per token and their
ratio to the smallest size. The target is a
ratio within 1 +- 0.2.

A small fit runs first and is not reported, so that one-time costs (thread pools, oneDNN
kernels, lazy imports) do not land on the smallest size.

    python benchmarks/scaling.py                                      # full size
    python benchmarks/scaling.py --sizes 500 1000 2500 --max-len 64   # small check
"""

import argparse
import time

from common import add_threads_flag, load_imdb, save, set_threads, settings_text

from sklstm import LSTMSentimentClassifier, reuse_freed_memory

FULL_SIZES = [5000, 10000, 25000]
TOLERANCE = 0.2


def fit_once(texts, labels, args):
    clf = LSTMSentimentClassifier(
        max_len=args.max_len,
        max_iter=1,
        pretrained_embeddings="word2vec",
        random_state=args.seed,
    )
    start = time.perf_counter()
    clf.fit(texts, labels)
    fit_seconds = time.perf_counter() - start
    epoch = clf.history_.iloc[0]
    tokens = round(epoch["tokens_per_second"] * epoch["seconds"])
    return {
        "texts": len(texts),
        "real_tokens": tokens,
        "vocabulary_ids": clf.vectorizer_.n_ids_,
        "fit_seconds": fit_seconds,
        "train_seconds": epoch["seconds"],
        "fit_us_per_token": 1e6 * fit_seconds / tokens,
        "train_us_per_token": 1e6 * epoch["seconds"] / tokens,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=FULL_SIZES)
    parser.add_argument("--max-len", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    add_threads_flag(parser)
    args = parser.parse_args()
    reuse_freed_memory()
    set_threads(args.threads)

    texts, labels = load_imdb("train", max(args.sizes), args.seed)
    fit_once(texts[:256], labels[:256], args)  # warm-up, not reported
    rows = [fit_once(texts[:n], labels[:n], args) for n in sorted(args.sizes)]
    for row in rows:
        for kind in ("fit", "train"):
            ratio = row[f"{kind}_us_per_token"] / rows[0][f"{kind}_us_per_token"]
            row[f"{kind}_ratio_to_smallest"] = ratio
        row["flat_within_20pct"] = abs(row["fit_ratio_to_smallest"] - 1) <= TOLERANCE
    small = sorted(args.sizes) != FULL_SIZES or args.max_len != 400
    save(rows, "scaling", small, settings_text(args))


if __name__ == "__main__":
    main()
