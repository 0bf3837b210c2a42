"""Language-model pretraining: it learns what can be predicted, nothing it could peek at."""

import math

import numpy as np
import pytest
import torch

import sklstm.classifier
from sklstm import LSTMSentimentClassifier

WORDS = [f"w{i}" for i in range(12)]


def model(**params):
    defaults = dict(
        embedding_dim=16,
        hidden_size=16,
        min_df=1,
        max_iter=1,
        linear_ngram_range=None,
        pretrained_embeddings=None,
        learning_rate_init=0.01,
        batch_size=16,
        dropout=0.0,
        random_state=0,
    )
    return LSTMSentimentClassifier(**{**defaults, **params})


def cycles(n_texts, rng):
    """Texts that walk the word list in order from a random start: every word follows from
    the one before, and precedes from the one after."""
    starts = rng.integers(len(WORDS), size=n_texts)
    return [" ".join(WORDS[(s + k) % len(WORDS)] for k in range(10)) for s in starts]


def noise(n_texts, rng):
    """Texts of words drawn independently: no word tells anything of its neighbours."""
    return [" ".join(rng.choice(WORDS, 10)) for _ in range(n_texts)]


@pytest.mark.parametrize("bidirectional", [True, False])
def test_the_language_model_learns_word_order_and_cannot_see_the_word_it_predicts(
    bidirectional,
):
    rng = np.random.default_rng(0)
    uniform = math.log(len(WORDS) + 2)  # the vocabulary, padding and unknown ids
    y = np.arange(240) % 2
    ordered = model(pretrain_epochs=8, bidirectional=bidirectional).fit(cycles(240, rng), y)
    random = model(pretrain_epochs=8, bidirectional=bidirectional).fit(noise(240, rng), y)
    # Each next (and previous) word of a cycle is certain: the loss falls far below chance.
    assert ordered.pretraining_history_["lm_loss"].iloc[-1] < 0.3 * uniform
    # Independent words are not: a model reading the word it predicts would still fall.
    assert random.pretraining_history_["lm_loss"].iloc[-1] > 0.9 * math.log(len(WORDS))
    assert list(ordered.pretraining_history_.index) == list(range(1, 9))


def test_pretraining_changes_the_first_layer_only(monkeypatch):
    monkeypatch.setattr(LSTMSentimentClassifier, "_train", lambda self, *args: None)
    rng = np.random.default_rng(0)
    X, y = cycles(64, rng), np.arange(64) % 2
    before = model(num_layers=2).fit(X, y).module_.state_dict()
    after = model(num_layers=2, pretrain_epochs=1).fit(X, y).module_.state_dict()
    changed = {name for name in before if not torch.equal(before[name], after[name])}
    first_layer = ("forward_layers.0.", "backward_layers.0.")
    assert changed == {name for name in before if name.startswith(first_layer)}


def test_pretraining_reads_the_unlabelled_texts_too(monkeypatch):
    read = []
    original = sklstm.classifier.pretrain

    def recording(network, sequences, **kwargs):
        read.append(len(sequences))
        return original(network, sequences, **kwargs)

    monkeypatch.setattr(sklstm.classifier, "pretrain", recording)
    rng = np.random.default_rng(0)
    y = np.where(np.arange(60) < 20, np.arange(60) % 2, -1)
    clf = model(pretrain_epochs=1, unlabeled_label=-1).fit(cycles(60, rng), y)
    assert read == [60]
    assert model().fit(cycles(20, rng), y[:20]).pretraining_history_ is None
    assert clf.pretraining_history_.shape[0] == 1
