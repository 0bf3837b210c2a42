import numpy as np
import pytest
import torch

import sklstm.pretraining
from sklstm import LSTMSentimentClassifier, VocabularyTransformer
from sklstm import classifier as classifier_module
from sklstm.network import LSTMTextNetwork
from sklstm.pretraining import pretrain_language_model

# A language where every word has one successor and one predecessor: "w0 w1 w2 ... w11 w0".
CYCLE = [f"w{i}" for i in range(12)]


def cyclic_texts(n_texts=192, seed=0):
    rng = np.random.default_rng(seed)
    texts = []
    for _ in range(n_texts):
        start, length = int(rng.integers(len(CYCLE))), int(rng.integers(4, 16))
        texts.append(" ".join(CYCLE[(start + i) % len(CYCLE)] for i in range(length)))
    return texts


def network_for(vectorizer, bidirectional=True, num_layers=1):
    torch.manual_seed(0)
    return LSTMTextNetwork(
        n_ids=vectorizer.n_ids_,
        n_ngram_ids=0,
        embedding_dim=16,
        hidden_size=16,
        num_layers=num_layers,
        bidirectional=bidirectional,
        pooling=("mean",),
        dropout=0.0,
        n_outputs=1,
    )


def pretrain(network, sequences, epochs, seed=0):
    return pretrain_language_model(
        network,
        sequences,
        epochs=epochs,
        batch_size=16,
        learning_rate=0.02,
        rng=np.random.default_rng(seed),
        device=torch.device("cpu"),
        verbose=0,
    )


@pytest.mark.parametrize("bidirectional", [True, False])
def test_each_direction_learns_to_predict_the_next_word_it_reads(bidirectional):
    texts = cyclic_texts()
    vectorizer = VocabularyTransformer(min_df=1).fit(texts)
    network = network_for(vectorizer, bidirectional)
    history = pretrain(network, vectorizer.transform(texts), epochs=6)
    losses = [row["train_loss"] for row in history]
    # 64 negatives at chance cost about 65 * log(2) = 45 per word.
    assert losses[0] > 20
    assert losses[-1] < 0.2 * losses[0]
    assert [row["epoch"] for row in history] == list(range(1, 7))


def test_only_the_embeddings_and_the_first_layer_change():
    texts = cyclic_texts(n_texts=64)
    vectorizer = VocabularyTransformer(min_df=1).fit(texts)
    network = network_for(vectorizer, num_layers=2)
    before = {name: value.clone() for name, value in network.state_dict().items()}
    pretrain(network, vectorizer.transform(texts), epochs=1)
    changed = {
        name for name, value in network.state_dict().items() if not torch.equal(value, before[name])
    }
    first_layer = {
        name for name in before if name.startswith(("forward_layers.0.", "backward_layers.0."))
    }
    assert changed == first_layer | {"embedding.weight"}


def test_texts_of_one_word_give_nothing_to_predict_and_no_nan():
    texts = ["good", "bad", "fine", ""] * 8
    vectorizer = VocabularyTransformer(min_df=1).fit(texts)
    network = network_for(vectorizer)
    before = network.embedding.weight.clone()
    history = pretrain(network, vectorizer.transform(texts), epochs=2)
    assert [row["train_loss"] for row in history] == [0.0, 0.0]
    assert torch.equal(network.embedding.weight, before)


def test_the_classifier_pretrains_before_it_learns_the_labels(sentiment_corpus):
    X, y = sentiment_corpus[0][:96], sentiment_corpus[1][:96]
    params = dict(embedding_dim=8, hidden_size=8, min_df=1, max_iter=2, random_state=0)
    with_lm = LSTMSentimentClassifier(pretrain_epochs=2, **params).fit(X, y)
    without = LSTMSentimentClassifier(pretrain_epochs=0, **params).fit(X, y)
    assert list(with_lm.pretraining_history_.index) == [1, 2]
    assert list(with_lm.pretraining_history_.columns) == list(with_lm.history_.columns)
    assert without.pretraining_history_ is None
    assert not np.allclose(with_lm.predict_proba(X), without.predict_proba(X))
    again = LSTMSentimentClassifier(pretrain_epochs=2, **params).fit(X, y)
    np.testing.assert_array_equal(with_lm.predict_proba(X), again.predict_proba(X))


def test_pretraining_reads_only_the_texts_left_for_training(sentiment_corpus, monkeypatch):
    X, y = sentiment_corpus[0][:100], sentiment_corpus[1][:100]
    seen = []

    def record(network, sequences, **kwargs):
        seen.append(len(sequences))
        return []

    monkeypatch.setattr(classifier_module, "pretrain_language_model", record)
    params = dict(embedding_dim=8, hidden_size=8, min_df=1, max_iter=1, random_state=0)
    LSTMSentimentClassifier(early_stopping=True, validation_fraction=0.2, **params).fit(X, y)
    assert seen == [80]


def test_partial_fit_pretrains_on_its_first_call_only(sentiment_corpus):
    X, y = sentiment_corpus[0][:64], sentiment_corpus[1][:64]
    clf = LSTMSentimentClassifier(embedding_dim=8, hidden_size=8, min_df=1, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    first = clf.pretraining_history_
    assert len(first) == 1
    clf.partial_fit(X, y)
    assert clf.pretraining_history_ is first and clf.n_iter_ == 2


def test_ctrl_c_in_pretraining_goes_on_to_learn_the_labels(sentiment_corpus, monkeypatch):
    X, y = sentiment_corpus[0][:64], sentiment_corpus[1][:64]
    original = sklstm.pretraining._pretrain_epoch

    def interrupted_in_epoch_2(step, sequences, batch_size, rng, verbose, epoch):
        if epoch == 2:
            raise KeyboardInterrupt
        return original(step, sequences, batch_size, rng, verbose, epoch)

    monkeypatch.setattr(sklstm.pretraining, "_pretrain_epoch", interrupted_in_epoch_2)
    clf = LSTMSentimentClassifier(
        embedding_dim=8, hidden_size=8, min_df=1, pretrain_epochs=3, max_iter=2, random_state=0
    )
    with pytest.warns(UserWarning, match="pretraining interrupted after 1 complete epoch"):
        clf.fit(X, y)
    assert len(clf.pretraining_history_) == 1
    assert clf.n_iter_ == 2 and clf.predict(X).shape == (64,)


def test_texts_left_without_a_vocabulary_word_still_fit():
    # One vocabulary word, "a", always cut off by max_len: word2vec and pretraining see
    # only unknown words, so both have nothing to learn, and the fit goes on.
    X, y = ["b a", "c a", "d a", "e a"], [0, 1, 0, 1]
    clf = LSTMSentimentClassifier(
        embedding_dim=8, hidden_size=8, min_df=1, max_features=1, max_len=1, max_iter=1
    ).fit(X, y)
    assert clf.vectorizer_.vocabulary_ == {"a": 2}
    assert clf.embedding_coverage_ == 0.0
    assert clf.pretraining_history_["train_loss"].tolist() == [0.0]
    assert clf.predict_proba(X).shape == (4, 2)
