"""Shared test fixtures: a small generated sentiment corpus."""

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
