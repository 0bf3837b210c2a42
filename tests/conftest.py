"""Shared test fixtures: a small generated sentiment corpus."""

import json
import os
from collections import Counter

import numpy as np
import pytest
import torch

import sklstm
import sklstm.compare

# glibc's malloc otherwise returns the LSTM's large buffers to the system after every step,
# which makes training up to 100x slower on some machines (see sklstm.reuse_freed_memory).
sklstm.reuse_freed_memory()

# The words that decide a text's class, by class index: negative, positive, lukewarm.
SIGNAL_WORDS = (
    ("awful", "boring", "hated", "terrible", "dull", "worst"),
    ("great", "excellent", "loved", "wonderful", "superb", "best"),
    ("average", "okay", "mediocre", "passable", "forgettable", "middling"),
)
FILLER_WORDS = (
    "the", "film", "movie", "plot", "actor", "story", "scene", "ending", "was", "a", "it",
    "and", "this", "of", "cast", "script",
)  # fmt: skip


def make_sentiment_corpus(n_texts=200, n_classes=2, seed=0):
    """Short texts whose class depends only on their two signal words.

    Each text has 3 to 12 filler words (so lengths vary) and two words of its class, in a
    random order, with random capitalisation of the first word and stray whitespace.

    Returns
    -------
    texts : list of str
    labels : ndarray of int, shape (n_texts,)
        Class indices ``0 .. n_classes - 1``, balanced and shuffled.
    """
    if not 2 <= n_classes <= len(SIGNAL_WORDS):
        raise ValueError(f"n_classes must be between 2 and {len(SIGNAL_WORDS)}.")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n_texts) % n_classes)
    texts = []
    for label in labels:
        n_filler = int(rng.integers(3, 13))
        words = [*rng.choice(FILLER_WORDS, n_filler), *rng.choice(SIGNAL_WORDS[label], 2)]
        rng.shuffle(words)
        text = " ".join(words) + "."
        if rng.random() < 0.5:
            text = text.capitalize()
        texts.append(" " * int(rng.integers(0, 2)) + text + " " * int(rng.integers(0, 2)))
    return texts, labels


def single_threaded_worker():
    """Initializer for compare's worker processes: as the command line's, plus one torch thread.

    Module level in conftest so that workers can import it; one thread for the reason given
    in one_torch_thread.
    """
    sklstm.reuse_freed_memory()
    torch.set_num_threads(1)


class EpochRecorder:
    """A scorer (accuracy) that also records the epochs of every model it scores.

    Each call appends a JSON line to ``path``: the model's ``hidden_size``,
    ``learning_rate_init``, ``max_iter`` (the epochs it was given), ``n_iter_`` and the rows
    of its ``history_`` (the epochs it ran), and the process id. A file, because a search's
    fits may run in other processes (joblib's or Dask's workers); module level in conftest,
    so that they can unpickle it.
    """

    def __init__(self, path):
        self.path = path

    def __call__(self, estimator, X, y):
        record = {
            "hidden_size": estimator.hidden_size,
            "learning_rate_init": estimator.learning_rate_init,
            "max_iter": estimator.max_iter,
            "n_iter": estimator.n_iter_,
            "history_rows": len(estimator.history_),
            "pid": os.getpid(),
        }
        with open(self.path, "a") as file:
            file.write(json.dumps(record) + "\n")
        return estimator.score(X, y)

    def records(self):
        with open(self.path) as file:
            return [json.loads(line) for line in file]


def check_halving_epochs(search, records, n_splits):
    """Each fit of a fitted halving ``search`` over ``max_iter`` ran the epochs it was given.

    ``records`` are an :class:`EpochRecorder`'s, one per fit (``return_train_score=False``).
    """
    assert all(r["n_iter"] == r["history_rows"] == r["max_iter"] for r in records), records
    given = Counter(r["max_iter"] for r in records)
    planned = zip(search.n_resources_, search.n_candidates_, strict=True)
    assert given == {epochs: n * n_splits for epochs, n in planned}
    results = search.cv_results_
    assert [p["max_iter"] for p in results["params"]] == list(results["n_resources"])
    # The search's estimator keeps its own value; only the clones get the resource.
    assert search.estimator.max_iter == "auto"
    best = search.best_estimator_
    assert best.max_iter == best.n_iter_ == best.resolved_params_["max_iter"]
    assert best.max_iter == search.best_params_["max_iter"]


def interrupt_the_second_model(monkeypatch):
    """Make the second model that compare runs end in Ctrl-C; the first runs as usual."""
    run_in_worker = sklstm.compare._run_in_worker
    calls = []

    def interrupted(*args):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return run_in_worker(*args)

    monkeypatch.setattr(sklstm.compare, "_run_in_worker", interrupted)


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    # The test networks are tiny: a second intra-op thread only adds synchronisation, and on
    # a loaded 2-core machine its spin-waiting makes fits tens of times slower.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="session")
def make_corpus():
    """The corpus generator, for tests that need another size, seed or number of classes."""
    return make_sentiment_corpus


@pytest.fixture
def sentiment_corpus():
    """A fresh binary corpus of 200 texts: ``(texts, labels)``."""
    return make_sentiment_corpus()
