"""Which learned word vectors to start from, by corpus size: PPMI against word2vec.

``pretrained_embeddings="auto"`` (the default) learns PPMI vectors from a small training
set and word2vec's from a large one; this measures where one overtakes the other. For each
size, the default estimator is fitted on that many reviews of the shuffled IMDB training
set twice, once starting from ``"ppmi"`` and once from ``"word2vec"``, and scored on the
same ``--test-size`` reviews of the shuffled test set. Rows (with the training tokens, after
``max_len`` truncation, which is what ``"auto"`` counts) go to ``results/word_vectors.csv``.

    python benchmarks/word_vectors.py                                # 2,000, 5,000, 10,000
    python benchmarks/word_vectors.py --sizes 300 --test-size 300    # small check
"""

import argparse
import time

from common import add_threads_flag, load_imdb, save, set_threads, settings_text

from sklstm import LSTMSentimentClassifier, reuse_freed_memory

METHODS = ("ppmi", "word2vec")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000, 10000])
    parser.add_argument("--test-size", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    add_threads_flag(parser)
    args = parser.parse_args()
    reuse_freed_memory()
    set_threads(args.threads)

    texts, labels = load_imdb("train", max(args.sizes), args.seed)
    test_texts, test_labels = load_imdb("test", args.test_size, args.seed)
    rows = []
    for n in sorted(args.sizes):
        for method in METHODS:
            clf = LSTMSentimentClassifier(pretrained_embeddings=method, random_state=args.seed)
            start = time.perf_counter()
            clf.fit(texts[:n], labels[:n])
            rows.append(
                {
                    "texts": n,
                    "tokens": len(clf.vectorizer_.transform(texts[:n]).ids),
                    "word_vectors": method,
                    "test_accuracy": clf.score(test_texts, test_labels),
                    "fit_seconds": time.perf_counter() - start,
                }
            )
            print(rows[-1], flush=True)
    small = args.test_size < 5000 or max(args.sizes) < 2000
    save(rows, "word_vectors", small=small, settings=settings_text(args))


if __name__ == "__main__":
    main()
