import gzip
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone

from sklstm import LSTMSentimentClassifier
from sklstm.embeddings import train_word_vectors


def _small(**params):
    defaults = {"embedding_dim": 4, "hidden_size": 4, "min_df": 1, "max_iter": 2}
    return LSTMSentimentClassifier(random_state=0, **{**defaults, **params})


def _vectors(words, dim=4, seed=0):
    rng = np.random.default_rng(seed)
    return {word: rng.normal(size=dim).astype(np.float32) for word in words}


def _embedding_rows(clf, vectors):
    vocabulary = clf.vectorizer_.vocabulary_
    weight = clf.module_.embedding.weight.detach().numpy()
    return {word: weight[vocabulary[word]] for word in vectors if word in vocabulary}


def _write_text_vectors(path, vectors, header=False):
    lines = [f"{len(vectors)} {len(next(iter(vectors.values())))}"] if header else []
    lines += [f"{word} {' '.join(f'{x:.6f}' for x in vector)}" for word, vector in vectors.items()]
    text = "\n".join(lines) + "\n"
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(make_corpus):
    return make_corpus(120)


@pytest.mark.parametrize(
    ("name", "header"), [("glove.txt", False), ("word2vec.txt", True), ("glove.txt.gz", False)]
)
def test_frozen_vectors_from_a_file_are_the_embeddings_after_training(
    corpus, tmp_path, name, header
):
    X, y = corpus
    # Half the vocabulary has a vector, plus words the texts never use.
    vectors = _vectors(["great", "awful", "film", "plot", "unused", "zebra"])
    path = _write_text_vectors(tmp_path / name, vectors, header=header)
    clf = _small(pretrained_embeddings=path, freeze_embeddings=True).fit(X, y)
    rows = _embedding_rows(clf, vectors)
    assert set(rows) == {"great", "awful", "film", "plot"}
    for word, row in rows.items():
        np.testing.assert_allclose(row, vectors[word], atol=1e-6)
    assert clf.embedding_coverage_ == pytest.approx(4 / len(clf.vectorizer_.vocabulary_))


def test_a_dict_of_vectors_is_fine_tuned_by_default(corpus):
    X, y = corpus
    vectors = _vectors(["great", "awful"])
    clf = _small(pretrained_embeddings=vectors, max_iter=1).fit(X, y)
    # Training moved the rows away from the vectors, but not far after one epoch.
    for word, row in _embedding_rows(clf, vectors).items():
        assert not np.allclose(row, vectors[word])
        np.testing.assert_allclose(row, vectors[word], atol=0.1)
    assert clf.module_.embedding.weight.requires_grad


def test_gensim_keyed_vectors(corpus):
    gensim_models = pytest.importorskip("gensim.models")
    X, y = corpus
    vectors = _vectors(["great", "awful", "notaword"])
    keyed = gensim_models.KeyedVectors(vector_size=4)
    keyed.add_vectors(list(vectors), np.stack(list(vectors.values())))
    clf = _small(pretrained_embeddings=keyed, freeze_embeddings=True).fit(X, y)
    rows = _embedding_rows(clf, vectors)
    assert set(rows) == {"great", "awful"}
    np.testing.assert_allclose(rows["great"], vectors["great"], atol=1e-6)


def test_freezing_survives_pickling_and_warm_start(corpus):
    X, y = corpus
    vectors = _vectors(["great", "awful"])
    clf = _small(pretrained_embeddings=vectors, freeze_embeddings=True, warm_start=True)
    clf = pickle.loads(pickle.dumps(clf.fit(X, y)))
    assert not clf.module_.embedding.weight.requires_grad
    before = clf.module_.embedding.weight.detach().clone()
    output_before = clf.module_.output.weight.detach().clone()
    clf.fit(X, y)
    assert torch.equal(clf.module_.embedding.weight, before)
    assert not torch.equal(clf.module_.output.weight, output_before)


@pytest.mark.parametrize(
    ("make_source", "message"),
    [
        (lambda tmp: tmp / "missing.txt", "is not a file. Pass the path of a GloVe"),
        (
            lambda tmp: _write_text_vectors(tmp / "v.txt", _vectors(["great"], dim=3)),
            r"'great' has 3 numbers but embedding_dim=4; set embedding_dim=3",
        ),
        (
            lambda tmp: tmp.joinpath("bad.txt").write_text("great 0.1 zero\n") and tmp / "bad.txt",
            "Line 1 of .*bad.txt is not a word followed by numbers",
        ),
        (lambda tmp: {"great": [1.0, 2.0]}, "has 2 numbers but embedding_dim=4"),
    ],
)
def test_bad_vectors_are_clear_errors_before_training(
    corpus, tmp_path, monkeypatch, make_source, message
):
    X, y = corpus
    monkeypatch.setattr(
        LSTMSentimentClassifier, "_train", lambda *a: pytest.fail("training started")
    )
    with pytest.raises(ValueError, match=message):
        _small(pretrained_embeddings=make_source(tmp_path)).fit(X, y)


def test_pretrained_embeddings_of_the_wrong_type_name_the_parameter(corpus):
    X, y = corpus
    with pytest.raises(ValueError, match="'pretrained_embeddings' parameter"):
        _small(pretrained_embeddings=[1, 2, 3]).fit(X, y)


def _topic_texts(n_texts=300, seed=0):
    # Words of one topic share their contexts, so word2vec should place them together.
    rng = np.random.default_rng(seed)
    topics = [
        (["rain", "snow"], ["cold", "wet", "grey"]),
        (["sun", "heat"], ["warm", "dry", "bright"]),
    ]
    texts, labels = [], []
    for i in range(n_texts):
        words, context = topics[i % 2]
        texts.append(" ".join(rng.choice(words + context, size=12)))
        labels.append(i % 2)
    return texts, labels


def _cosine(a, b):
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_word2vec_vectors_are_learned_from_the_training_texts():
    texts, _ = _topic_texts()
    tokens = [text.split() for text in texts]
    vocabulary = {"rain": 2, "snow": 3, "sun": 4, "heat": 5, "cold": 6}
    vectors = train_word_vectors(tokens, vocabulary, 8, seed=0)
    assert sorted(vectors.key_to_index) == sorted(vocabulary)  # only the vocabulary
    same_topic = _cosine(vectors["rain"], vectors["snow"])
    assert same_topic > _cosine(vectors["rain"], vectors["sun"]) + 0.2
    again = train_word_vectors(tokens, vocabulary, 8, seed=0)
    np.testing.assert_array_equal(vectors.vectors, again.vectors)


def test_word2vec_embeddings_are_trained_on_the_fit_texts_reproducibly():
    texts, labels = _topic_texts()
    clf = _small(pretrained_embeddings="word2vec", freeze_embeddings=True, embedding_dim=8)
    clf.fit(texts, labels)
    assert clf.embedding_coverage_ == 1.0
    rows = _embedding_rows(clf, ["rain", "snow", "sun"])
    # Random 8-d vectors are almost never this close; word2vec's of one topic are.
    assert _cosine(rows["rain"], rows["snow"]) > 0.9
    assert _cosine(rows["rain"], rows["snow"]) > _cosine(rows["rain"], rows["sun"])
    again = clone(clf).fit(texts, labels)
    np.testing.assert_array_equal(again.predict_proba(texts), clf.predict_proba(texts))
    np.testing.assert_array_equal(
        again.module_.embedding.weight.detach().numpy(),
        clf.module_.embedding.weight.detach().numpy(),
    )


def test_word2vec_with_no_vocabulary_word_left_after_truncation_still_fits():
    # The only vocabulary word, "a", is always cut off by max_len: word2vec sees only
    # unknown words, has nothing to learn, and the fit goes on from random vectors.
    X, y = ["b a", "c a", "d a", "e a"], [0, 1, 0, 1]
    clf = LSTMSentimentClassifier(
        embedding_dim=8, hidden_size=8, min_df=1, max_features=1, max_len=1, max_iter=1
    ).fit(X, y)
    assert clf.vectorizer_.vocabulary_ == {"a": 2}
    assert clf.embedding_coverage_ == 0.0
    assert clf.predict_proba(X).shape == (4, 2)
