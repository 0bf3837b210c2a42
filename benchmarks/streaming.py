"""Training on a stream of blocks with dask-ml's Incremental, against an in-memory fit.

The 25,000 IMDB training reviews are split into ``--blocks`` (10) Dask partitions; every model
is scored on the 25,000 test reviews. Four ways to train LSTMSentimentClassifier with its
defaults (``random_state=--seed``) for ``--epochs`` (3) epochs:

- ``in_memory``: ``fit`` on all the reviews, ``max_iter=--epochs``.
- ``stream, counted vocabulary``: a counting pass over the blocks
  (:meth:`VocabularyTransformer.partial_fit`, one block in memory at a time), then
  ``Incremental(LSTMSentimentClassifier(vocabulary=...)).partial_fit`` once per epoch: one
  ``partial_fit`` call, one epoch, per block, blocks in a shuffled order.
- ``stream, counted vocabulary and word vectors``: the same, and between the two, word2vec
  vectors of the counted vocabulary learned over the blocks (gensim reads the blocks, one at
  a time, on each of its passes), given as ``pretrained_embeddings``. Without them, the
  first call learns its starting vectors from its own block, where the in-memory fit learns
  them from all the reviews.
- ``stream, first block's vocabulary``: the same without ``vocabulary``, so that the first
  call learns it from its block alone (what ``partial_fit`` did before the counted one).

Dask runs in this process (its threaded scheduler: one block at a time, since each call
needs the model of the call before), so that the times compare with the in-memory fit on the
same cores; ``tests/test_dask.py`` runs the same code on a ``LocalCluster``. Each row gives
the test accuracy, the training seconds (the counting pass, and the word vectors', in their
own column), and the
model's pickled size.

    python benchmarks/streaming.py
    python benchmarks/streaming.py --limit 2000 --epochs 1      # a small check
    python benchmarks/streaming.py --seed 1 --trainings in_memory counted
"""

import argparse
import pickle
import time

import dask
import dask.dataframe as dd
import pandas as pd
from common import add_threads_flag, load_imdb, save, set_threads, settings_text
from dask_ml.wrappers import Incremental

from sklstm import LSTMSentimentClassifier, VocabularyTransformer, reuse_freed_memory
from sklstm.embeddings import train_word_vectors

TRAININGS = ["in_memory", "counted", "counted_vectors", "first_block"]


def count_vocabulary(texts):
    """The default classifier's vocabulary, counted block by block over the Dask ``texts``."""
    vocabulary = VocabularyTransformer(linear_ngram_range=(1, 2))
    for block in texts.partitions:
        vocabulary.partial_fit(block.compute())
    return vocabulary


class BlockTokens:
    """The stream's texts as token lists, one block in memory at a time; gensim reads it
    several times, so it is an iterable rather than a generator."""

    def __init__(self, texts, vocabulary):
        self.texts, self.vocabulary = texts, vocabulary

    def __iter__(self):
        for block in self.texts.partitions:
            yield from self.vocabulary.analyze(block.compute())


def stream_word_vectors(texts, vocabulary, dim, seed):
    """Word2vec vectors of ``vocabulary``'s words, learned over the Dask ``texts``."""
    tokens = BlockTokens(texts, vocabulary)
    return train_word_vectors(tokens, vocabulary.vocabulary_, dim, seed)


def stream(model, texts, labels, epochs, seed):
    """``model`` trained by Incremental, one ``partial_fit`` per block, ``epochs`` passes."""
    incremental = Incremental(model, shuffle_blocks=True, random_state=seed)
    for _ in range(epochs):
        incremental.partial_fit(texts, labels, classes=[0, 1])
    return incremental.estimator_


def counted_stream(texts, labels, X_test, y_test, args, with_vectors):
    """The row of a stream on a counted vocabulary, and word vectors learned over it too."""
    model = LSTMSentimentClassifier(random_state=args.seed)
    start = time.perf_counter()
    vocabulary = count_vocabulary(texts)
    model.set_params(vocabulary=vocabulary)
    if with_vectors:
        vectors = stream_word_vectors(texts, vocabulary, model.embedding_dim, args.seed)
        model.set_params(pretrained_embeddings=vectors)
    count_seconds = time.perf_counter() - start
    start = time.perf_counter()
    model = stream(model, texts, labels, args.epochs, args.seed)
    train_seconds = time.perf_counter() - start
    name = "stream, counted vocabulary" + (" and word vectors" if with_vectors else "")
    return row(name, model, X_test, y_test, train_seconds, count_seconds)


def row(name, model, X_test, y_test, train_seconds, count_seconds=0.0):
    return {
        "training": name,
        "accuracy": model.score(X_test, y_test),
        "epochs": model.n_iter_,
        "vocabulary_size": len(model.vectorizer_.vocabulary_),
        "linear_features": model.vectorizer_.n_linear_ids_ - 1,
        "count_seconds": count_seconds,
        "train_seconds": train_seconds,
        "pickled_mb": len(pickle.dumps(model)) / 2**20,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--limit", type=int, help="use this many training and test reviews")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--trainings",
        nargs="+",
        choices=TRAININGS,
        default=TRAININGS,
        help="which of the four to run (default: all)",
    )
    add_threads_flag(parser)
    args = parser.parse_args()
    reuse_freed_memory()
    set_threads(args.threads)
    dask.config.set(scheduler="threads")

    X_train, y_train = load_imdb("train", args.limit, args.seed)
    X_test, y_test = load_imdb("test", args.limit, args.seed)
    texts = dd.from_pandas(pd.Series(X_train), npartitions=args.blocks)
    labels = dd.from_pandas(pd.Series(y_train), npartitions=args.blocks)
    rows = []

    if "in_memory" in args.trainings:
        model = LSTMSentimentClassifier(max_iter=args.epochs, random_state=args.seed)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        rows.append(row("in_memory", model, X_test, y_test, time.perf_counter() - start))

    for training, with_vectors in (("counted", False), ("counted_vectors", True)):
        if training in args.trainings:
            rows.append(counted_stream(texts, labels, X_test, y_test, args, with_vectors))

    if "first_block" in args.trainings:
        model = LSTMSentimentClassifier(random_state=args.seed)
        start = time.perf_counter()
        model = stream(model, texts, labels, args.epochs, args.seed)
        train_seconds = time.perf_counter() - start
        rows.append(row("stream, first block's vocabulary", model, X_test, y_test, train_seconds))

    save(rows, "streaming", args.limit is not None, settings_text(args))


if __name__ == "__main__":
    main()
