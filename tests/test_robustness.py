"""Reliability under hostile input: odd texts, bad data, bad parameters, huge texts.

Property-based where inputs are generated (hypothesis), so that the guarantees hold for
texts nobody thought of, not only for the examples written down.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import InvalidParameterError

import sklstm
from sklstm import LSTMSentimentClassifier, VocabularyTransformer
from sklstm import classifier as classifier_module
from sklstm import fitting as fitting_module
from sklstm.text import PAD_ID, UNKNOWN_TOKEN, tokenize

TINY = dict(embedding_dim=8, hidden_size=8, min_df=1, batch_size=16, random_state=0)

# Texts of every kind the issue names; st.text() alone rarely produces the rarer ones.
EMOJI = st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
RIGHT_TO_LEFT = st.characters(min_codepoint=0x0590, max_codepoint=0x06FF) | st.sampled_from(
    "\u200f\u202b\u202e"  # right-to-left mark, embedding and override
)
CONTROL = st.characters(categories=["Cc", "Cf"])  # NUL and the other control characters
WHITESPACE = st.characters(categories=["Zs", "Zl", "Zp"]) | st.sampled_from(" \t\n\r\x0b\x0c")
PUNCTUATION = st.characters(categories=["Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "So"])
ODD_TEXT = st.one_of(
    st.text(),
    st.text(EMOJI),
    st.text(RIGHT_TO_LEFT | st.sampled_from(" ")),
    st.text(CONTROL),
    st.text(WHITESPACE),
    st.text(PUNCTUATION),
    st.text(EMOJI | RIGHT_TO_LEFT | CONTROL | WHITESPACE | PUNCTUATION | st.characters()),
)
ODD_TEXTS = st.lists(ODD_TEXT, min_size=1, max_size=6)


@pytest.fixture(scope="module")
def fitted(make_corpus):
    """One tiny model for the prediction properties, fitted once."""
    texts, labels = make_corpus(n_texts=64)
    return LSTMSentimentClassifier(max_iter=1, **TINY).fit(texts, labels)


@pytest.fixture(scope="module")
def vocabulary(make_corpus):
    texts, _ = make_corpus(n_texts=64)
    return VocabularyTransformer(min_df=1, max_len=5).fit(texts)


def assert_probabilities(proba, n_texts, n_classes=2):
    assert proba.shape == (n_texts, n_classes)
    assert np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)


# ------------------------------------------------------------------ generated texts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=ODD_TEXTS)
def test_predict_proba_of_any_text_is_a_finite_distribution(fitted, texts):
    assert_probabilities(fitted.predict_proba(texts), len(texts))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(ODD_TEXT, min_size=2, max_size=8))
def test_fit_on_any_texts_predicts_or_says_the_vocabulary_is_empty(texts):
    labels = np.arange(len(texts)) % 2
    clf = LSTMSentimentClassifier(max_iter=1, **TINY)
    if not any(tokenize(text.lower()) for text in texts):
        with pytest.raises(ValueError, match="vocabulary would be empty"):
            clf.fit(texts, labels)
        return
    clf.fit(texts, labels)
    assert_probabilities(clf.predict_proba(texts), len(texts))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=ODD_TEXTS)
def test_vocabulary_maps_any_text_to_ids_in_range(vocabulary, texts):
    sequences = vocabulary.transform(texts)
    assert len(sequences) == len(texts)
    assert (sequences.lengths <= vocabulary.max_len).all()
    assert ((sequences.ids > PAD_ID) & (sequences.ids < vocabulary.n_ids_)).all()
    known = set(vocabulary.vocabulary_) | {UNKNOWN_TOKEN}
    for text, tokens in zip(texts, vocabulary.inverse_transform(sequences), strict=True):
        assert set(tokens) <= known
        assert len(tokens) == min(len(tokenize(text.lower())), vocabulary.max_len)


# ------------------------------------------------------------------ bad data


def _exhausted_generator():
    texts = (text for text in ["a good film", "a bad film"])
    list(texts)
    return texts


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        (None, TypeError, "NoneType"),
        (float("nan"), TypeError, "float"),
        ([1.5, 2.5], TypeError, "float 1.5 at position 0"),
        ([b"a good film", b"a bad film"], TypeError, "Decode bytes"),
        ([["a good film"], ["a bad film"]], TypeError, "list"),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), ValueError, r"shape \(2, 2\)"),
        (pd.DataFrame({"a": ["x", "y"], "b": ["x", "y"]}), ValueError, "2 columns"),
        (_exhausted_generator(), ValueError, "already consumed"),
        ((), ValueError, "empty"),
        (["a good film", float("nan")], ValueError, "missing value"),
    ],
    ids=[
        "None",
        "NaN",
        "numbers",
        "bytes",
        "nested lists",
        "2-D array",
        "multi-column DataFrame",
        "exhausted generator",
        "empty",
        "NaN entry",
    ],
)
def test_bad_texts_fail_at_fit_and_predict_with_a_clear_error(
    fitted, monkeypatch, X, error, message
):
    _forbid_training(monkeypatch)
    clf = LSTMSentimentClassifier(**TINY)
    with pytest.raises(error, match=message):
        clf.fit(X, [0, 1])
    assert not hasattr(clf, "module_")
    with pytest.raises(error, match=message):
        fitted.predict_proba(X)


@pytest.mark.parametrize(
    ("y", "error", "message"),
    [
        ([0, 1, 0], ValueError, "4 texts but 3 labels"),
        ([1, 1, 1, 1], ValueError, r"single class \(1\)"),
        ([0.0, 1.0, float("nan"), 0.0], ValueError, "NaN"),
        ([0, "pos", 1, "neg"], (TypeError, ValueError), "Mix"),
    ],
    ids=["wrong length", "one class", "NaN labels", "mixed label types"],
)
@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_bad_labels_fail_before_any_training(monkeypatch, y, error, message):
    _forbid_training(monkeypatch)
    clf = LSTMSentimentClassifier(**TINY)
    with pytest.raises(error, match=message):
        clf.fit(["a good film", "a bad film", "good", "bad"], y)
    assert not hasattr(clf, "module_")


def test_score_counts_labels_unseen_at_fit_as_errors_as_scikit_learn_does(fitted, make_corpus):
    # A rare class missing from a training fold must cost accuracy in cross-validation, not
    # turn the fold into an error.
    texts, labels = make_corpus(n_texts=40, seed=1)
    right = fitted.predict(texts) == labels
    unseen = labels.copy()
    unseen[:10] = 7
    assert fitted.score(texts, unseen) == pytest.approx(np.mean(right[10:]) * 30 / 40)
    assert fitted.score(texts, unseen) == accuracy_score(unseen, fitted.predict(texts))


def test_score_with_known_labels_is_the_accuracy(fitted, make_corpus):
    texts, labels = make_corpus(n_texts=40, seed=1)
    expected = np.mean(fitted.predict(texts) == labels)
    assert fitted.score(texts, labels) == pytest.approx(expected)


def _forbid_training(monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("training started despite invalid input")

    monkeypatch.setattr(fitting_module, "train", no_training)


@pytest.mark.parametrize(
    ("weight", "message"),
    [(-1.0, "Negative values"), (np.nan, "NaN"), (np.inf, "infinity")],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_negative_or_non_finite_sample_weight_fails_before_any_training(
    monkeypatch, make_corpus, weight, message, method
):
    _forbid_training(monkeypatch)
    texts, labels = make_corpus(n_texts=8)
    sample_weight = np.ones(8)
    sample_weight[3] = weight
    extra = {"classes": [0, 1]} if method == "partial_fit" else {}
    clf = LSTMSentimentClassifier(**TINY)
    with pytest.raises(ValueError, match=message):
        getattr(clf, method)(texts, labels, sample_weight=sample_weight, **extra)
    assert not hasattr(clf, "module_")


# ------------------------------------------------------------------ bad parameters

# Out-of-range or wrong-type values of every parameter, with the part of the error message
# that shows the allowed values.
BAD_PARAMETERS = {
    "max_features": [(0, r"int in the range \[1, inf\) or None"), ("many", "int")],
    "min_df": [(0, r"int in the range \[1, inf\)"), (1.5, "int")],
    "max_len": [(0, r"int in the range \[1, inf\) or None"), (2.5, "int")],
    "lowercase": [("yes", "instance of 'bool'")],
    "tokenizer": [(5, "callable")],
    "ngram_range": [("1,2", "instance of 'tuple'"), ((2, 3), r"tuple \(1, max_n\)")],
    "ngram_buckets": [(1, r"int in the range \[2, inf\)")],
    "linear_ngram_range": [((1,), r"tuple \(1, max_n\)"), ("1,2", "instance of 'tuple'")],
    "pseudo_label_share": [(1.5, r"float in the range \[0.0, 1.0\]"), ("auto", "float")],
    "linear_init": [(-0.5, r"float in the range \[0.0, inf\)"), ("full", r"\{'auto'\}")],
    "vocabulary": [({"good": 2}, "instance of 'sklstm.text.VocabularyTransformer'")],
    "unlabeled_label": [(-1.5, "int.*str.*None"), ([-1], "int.*str.*None")],
    "embedding_dim": [(0, r"int in the range \[1, inf\)"), (8.0, "int")],
    "pretrained_embeddings": [(5, "instance of 'collections.abc.Mapping'")],
    "freeze_embeddings": [("no", "instance of 'bool'")],
    "hidden_size": [(0, r"int in the range \[1, inf\)"), ("8", "int")],
    "num_layers": [(0, r"int in the range \[1, inf\)")],
    "bidirectional": [(2, "instance of 'bool'")],
    "pooling": [("avg", "str among"), ("max+mean", "str among")],
    "dropout": [(1.0, r"float in the range \[0.0, 1.0\)"), (-0.1, r"\[0.0, 1.0\)")],
    "batch_size": [(0, r"int in the range \[1, inf\)")],
    "max_iter": [(0, r"int in the range \[1, inf\)"), (2.5, "int")],
    "learning_rate_init": [(0, r"float in the range \(0.0, inf\)"), ("fast", "float")],
    "alpha": [(-1.0, r"float in the range \[0.0, inf\)")],
    "adversarial_epsilon": [(-0.5, r"float in the range \[0.0, inf\)"), ("big", "float")],
    "early_stopping": [("yes", "instance of 'bool'")],
    "validation_fraction": [(0.0, r"float in the range \(0.0, 1.0\)"), (1, r"\(0.0, 1.0\)")],
    "n_iter_no_change": [(0, r"int in the range \[1, inf\)")],
    "tol": [(-1e-4, r"float in the range \[0.0, inf\)")],
    "class_weight": [("even", r"str among \{'balanced'\}"), (3, "instance of 'dict'")],
    "random_state": [("seed", r"int in the range \[0, 4294967295\], an instance of .*RandomState")],
    "warm_start": [("yes", "instance of 'bool'")],
    "verbose": [("loud", r"int in the range \[0, inf\)"), (-1, r"\[0, inf\)")],
    "device": [("tpu", "'auto', 'cpu', 'cuda' or 'cuda:N'"), (3, "instance of 'str'")],
    "precision": [("float16", "'precision' parameter"), (None, "'precision' parameter")],
}
BAD_TRANSFORMER_PARAMETERS = {
    name: cases
    for name, cases in BAD_PARAMETERS.items()
    if name in VocabularyTransformer._parameter_constraints
} | {"truncation": [("middle", r"str among \{.*'head_tail'.*\}")]}


def _cases(table):
    return [
        pytest.param(name, value, message, id=f"{name}={value!r}")
        for name, cases in table.items()
        for value, message in cases
    ]


@pytest.mark.parametrize(
    ("estimator", "table"),
    [
        (LSTMSentimentClassifier, BAD_PARAMETERS),
        (VocabularyTransformer, BAD_TRANSFORMER_PARAMETERS),
    ],
)
def test_every_parameter_has_a_bad_value_case(estimator, table):
    assert set(table) == set(estimator._parameter_constraints)


@pytest.mark.parametrize(("name", "value", "message"), _cases(BAD_PARAMETERS))
def test_a_bad_parameter_fails_at_fit_naming_it_and_the_allowed_values(
    monkeypatch, make_corpus, name, value, message
):
    _forbid_training(monkeypatch)
    texts, labels = make_corpus(n_texts=20)
    clf = LSTMSentimentClassifier(**{**TINY, name: value})
    with pytest.raises(ValueError, match=f"'{name}' parameter") as error:
        clf.fit(texts, labels)
    assert str(value) in str(error.value)
    assert error.match(message)
    assert not hasattr(clf, "vectorizer_")


@pytest.mark.parametrize(("name", "value", "message"), _cases(BAD_TRANSFORMER_PARAMETERS))
def test_a_bad_transformer_parameter_fails_at_fit_naming_it(make_corpus, name, value, message):
    texts, _ = make_corpus(n_texts=20)
    vectorizer = VocabularyTransformer(**{name: value})
    with pytest.raises(ValueError, match=f"'{name}' parameter") as error:
        vectorizer.fit(texts)
    assert error.match(message)
    assert not hasattr(vectorizer, "vocabulary_")


def test_parameter_errors_are_invalid_parameter_errors(make_corpus):
    # sklearn's own error type, so that tools catching it (e.g. search CVs) treat it alike.
    texts, labels = make_corpus(n_texts=20)
    with pytest.raises(InvalidParameterError):
        LSTMSentimentClassifier(**{**TINY, "hidden_size": 0}).fit(texts, labels)


# ------------------------------------------------------------------ huge texts

MILLION = 1_000_000


@pytest.fixture
def network_widths(monkeypatch):
    """The number of steps of every batch the network runs, recorded as it runs them."""
    widths = []
    original = sklstm.network.LSTMTextNetwork.classify

    # Training and prediction both run every batch through classify (training calls embed
    # and classify itself, to perturb the input vectors in between).
    def recording_classify(self, inputs, lengths, linear=None):
        widths.append(inputs.shape[1])
        return original(self, inputs, lengths, linear)

    monkeypatch.setattr(sklstm.network.LSTMTextNetwork, "classify", recording_classify)
    return widths


def test_a_million_character_text_costs_at_most_max_len_steps(fitted, network_widths):
    words = "the film was great and the plot was awful "
    huge = (words * (MILLION // len(words) + 1))[:MILLION]
    proba = fitted.predict_proba([huge, "a short one", huge[: MILLION // 2]])
    assert_probabilities(proba, 3)
    assert network_widths and max(network_widths) <= fitted.max_len
    assert math.isclose(proba[0, 1], fitted.predict_proba([huge])[0, 1], abs_tol=1e-6)


def test_a_million_character_text_of_one_token_or_none_is_finite(fitted):
    texts = ["a" * MILLION, " " * MILLION, "\x00" * MILLION, "!" * MILLION]
    assert_probabilities(fitted.predict_proba(texts), len(texts))


def test_fit_on_a_million_character_text_is_bounded_by_max_len(network_widths, make_corpus):
    texts, labels = make_corpus(n_texts=32)
    texts[0] = " ".join(texts[:2]) * (MILLION // len(" ".join(texts[:2])))
    clf = LSTMSentimentClassifier(max_iter=1, max_len=48, **TINY).fit(texts, labels)
    assert max(network_widths) <= 48
    assert_probabilities(clf.predict_proba(texts[:1]), 1)


# ------------------------------------------------------------------ many texts


def test_predict_tokenises_and_runs_at_most_one_chunk_at_a_time(fitted, monkeypatch, make_corpus):
    # Memory bounded independently of the number of texts: no step ever holds the ids of
    # more than PREDICT_CHUNK_SIZE texts (the figures are in benchmarks/memory.py).
    monkeypatch.setattr(classifier_module, "PREDICT_CHUNK_SIZE", 16)
    sizes = []
    original = classifier_module.predict_logits

    def recording_predict_logits(network, sequences, device, compute_dtype):
        sizes.append(len(sequences))
        return original(network, sequences, device, compute_dtype)

    monkeypatch.setattr(classifier_module, "predict_logits", recording_predict_logits)
    texts, _ = make_corpus(n_texts=100)
    proba = fitted.predict_proba(texts)
    assert sizes == [16] * 6 + [4]
    assert_probabilities(proba, 100)
