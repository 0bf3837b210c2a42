import gzip
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone

import sklstm.embeddings
from sklstm import LSTMSentimentClassifier
from sklstm.embeddings import (
    PPMI_VECTOR_NORM,
    _cooccurrence_counts,
    ppmi_word_vectors,
    train_word_vectors,
)
from sklstm.ragged import RaggedSequences


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


@pytest.mark.parametrize("method", ["ppmi", "word2vec"])
def test_learned_vectors_with_no_vocabulary_word_left_after_truncation_still_fit(method):
    # The only vocabulary word, "a", is always cut off by max_len (without a linear path,
    # which would keep it): word2vec or PPMI sees only unknown words, has nothing to learn,
    # and the fit goes on from random vectors.
    X, y = ["b a", "c a", "d a", "e a"], [0, 1, 0, 1]
    clf = LSTMSentimentClassifier(
        embedding_dim=8,
        hidden_size=8,
        min_df=1,
        max_features=1,
        max_len=1,
        max_iter=1,
        pretrained_embeddings=method,
        linear_ngram_range=None,
    ).fit(X, y)
    assert clf.vectorizer_.vocabulary_ == {"a": 2}
    assert clf.embedding_coverage_ == 0.0
    assert clf.predict_proba(X).shape == (4, 2)


def test_ppmi_counts_pairs_within_the_window_and_within_one_text_only():
    # Texts [2 3 4 5 6 7 8], [9 9]: 2 and 7 are 5 apart (counted), 2 and 8 are 6 (not);
    # 8 and 9 are adjacent in the flat array but in different texts (not counted).
    texts = RaggedSequences.from_lists([[2, 3, 4, 5, 6, 7, 8], [9, 9]])
    counts = _cooccurrence_counts(texts.ids, texts.lengths, 10).toarray()
    np.testing.assert_array_equal(counts, counts.T)
    assert counts[2, 7] == 1 and counts[2, 8] == 0
    assert counts[8, 9] == 0 and counts[9, 9] == 2  # the pair (9, 9), in both orders
    assert counts[:2].sum() == 0  # padding and unknown words are never counted


def test_ppmi_vectors_place_words_of_one_topic_together():
    texts, _ = _topic_texts()
    vocabulary = {word: i for i, word in enumerate(sorted({*" ".join(texts).split()}), 2)}
    sequences = RaggedSequences.from_lists(
        [[vocabulary[word] for word in text.split()] for text in texts]
    )
    n_ids = len(vocabulary) + 2
    rows, vectors = ppmi_word_vectors(sequences, n_ids, 8, seed=0)
    assert rows.tolist() == sorted(vocabulary.values())
    assert vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1).mean() == pytest.approx(PPMI_VECTOR_NORM, rel=1e-5)
    vector = dict(zip(rows, vectors, strict=True))
    rain, snow, sun = (vector[vocabulary[word]] for word in ("rain", "snow", "sun"))
    assert _cosine(rain, snow) > _cosine(rain, sun) + 0.5
    again = ppmi_word_vectors(sequences, n_ids, 8, seed=0)
    np.testing.assert_array_equal(again[1], vectors)


def test_ppmi_gives_no_vector_to_a_word_that_never_has_a_neighbour():
    # 5 only ever stands alone in its text; 2, 3 and 4 co-occur.
    texts = RaggedSequences.from_lists([[2, 3, 4], [4, 3], [5]] * 10)
    rows, vectors = ppmi_word_vectors(texts, n_ids=6, dim=8, seed=0)
    assert rows.tolist() == [2, 3, 4]
    assert vectors.shape == (3, 8)


def test_ppmi_embeddings_are_learned_on_the_fit_texts_reproducibly():
    texts, labels = _topic_texts()
    clf = _small(pretrained_embeddings="ppmi", freeze_embeddings=True, embedding_dim=8)
    clf.fit(texts, labels)
    assert clf.embedding_coverage_ == 1.0
    rows = _embedding_rows(clf, ["rain", "snow", "sun"])
    assert _cosine(rows["rain"], rows["snow"]) > _cosine(rows["rain"], rows["sun"]) + 0.5
    again = clone(clf).fit(texts, labels)
    np.testing.assert_array_equal(again.predict_proba(texts), clf.predict_proba(texts))


def test_auto_learns_ppmi_vectors_on_few_tokens_and_word2vec_on_many(monkeypatch):
    texts, labels = _topic_texts()  # 3,600 tokens

    def embedding_after_fit(method):
        clf = _small(pretrained_embeddings=method, embedding_dim=8).fit(texts, labels)
        return clf.module_.embedding.weight.detach().numpy()

    np.testing.assert_array_equal(embedding_after_fit("auto"), embedding_after_fit("ppmi"))
    monkeypatch.setattr(sklstm.embeddings, "AUTO_WORD2VEC_TOKENS", 3_600)
    np.testing.assert_array_equal(embedding_after_fit("auto"), embedding_after_fit("word2vec"))
