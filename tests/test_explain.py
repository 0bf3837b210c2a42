import re

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import SIGNAL_WORDS
from scipy.special import logit

from sklstm import LSTMSentimentClassifier, show_explanation
from sklstm.explain import HTMLExplanation


def _small(**params):
    defaults = {
        "embedding_dim": 8,
        "hidden_size": 8,
        "min_df": 1,
        "batch_size": 16,
        "max_iter": 8,
        "learning_rate_init": 0.02,
        "random_state": 0,
    }
    return LSTMSentimentClassifier(**{**defaults, **params})


@pytest.fixture(scope="module")
def fitted(make_corpus):
    X, y = make_corpus(300)
    return _small().fit(X, y), X, y


def _log_odds_from_inputs(clf, inputs, linear, class_index):
    # The model's log-odds for one text given as input vectors (1, T, E) and the linear
    # path's terms (1, T, K), computed directly.
    with torch.no_grad():
        logits = clf.module_.classify(inputs, torch.tensor([inputs.size(1)]), linear)[0]
    if len(logits) == 1:
        return float(logits[0]) if class_index == 1 else -float(logits[0])
    others = torch.cat([logits[:class_index], logits[class_index + 1 :]])
    return float(logits[class_index] - others.logsumexp(0))


def _log_odds(proba):
    return logit(np.clip(proba, 1e-12, 1 - 1e-12))


@pytest.mark.parametrize(
    ("n_classes", "ngram_range", "linear_ngram_range"),
    [(2, (1, 1), None), (3, (1, 1), (1, 2)), (2, (1, 2), (1, 2)), (2, (1, 1), (1, 2))],
)
def test_a_score_is_the_fall_in_log_odds_when_its_token_is_blanked_out(
    make_corpus, n_classes, ngram_range, linear_ngram_range
):
    X, y = make_corpus(300, n_classes=n_classes)
    # Explanations are computed in float32, as predictions are with this precision.
    clf = _small(
        ngram_range=ngram_range,
        ngram_buckets=1000,
        linear_ngram_range=linear_ngram_range,
        precision="float32",
    ).fit(X, y)
    texts = X[:3]
    explanation = clf.explain(texts)
    proba = clf.predict_proba(texts)
    for text_id, rows in explanation.groupby("text_id"):
        k = int(np.searchsorted(clf.classes_, rows.target.iloc[0]))
        assert k == proba[text_id].argmax()
        ids = torch.from_numpy(clf.vectorizer_.transform([texts[text_id]])[0][None])
        with torch.no_grad():
            inputs = clf.module_.embed(ids)
            linear = clf.module_.linear_terms(ids)
        assert (linear is None) == (linear_ngram_range is None)
        full = _log_odds_from_inputs(clf, inputs, linear, k)
        assert full == pytest.approx(float(_log_odds(proba[text_id, k])), abs=1e-4)
        for position, score in zip(rows.position, rows.score, strict=True):
            blanked = inputs.clone()
            blanked[0, position] = 0.0
            blanked_linear = None if linear is None else linear.clone()
            if linear is not None:
                blanked_linear[0, position] = 0.0
            expected = full - _log_odds_from_inputs(clf, blanked, blanked_linear, k)
            assert score == pytest.approx(expected, abs=1e-4)


def test_explanations_are_computed_in_float32_whatever_the_precision(make_corpus):
    X, y = make_corpus(300)
    clf = _small(precision="float32").fit(X, y)
    exact, exact_proba = clf.explain(X[:3]), clf.predict_proba(X[:50])
    clf.set_params(precision="bfloat16")
    pd.testing.assert_frame_equal(clf.explain(X[:3]), exact)
    assert not np.array_equal(clf.predict_proba(X[:50]), exact_proba)  # unlike predictions


def test_the_words_that_decide_the_class_score_highest(fitted):
    clf, X, _ = fitted
    explanation = clf.explain(X[:20])
    for _, rows in explanation.groupby("text_id"):
        signal = rows.token.isin(SIGNAL_WORDS[int(rows.target.iloc[0])])
        assert rows.score[signal].mean() > max(rows.score[~signal].mean(), 0.0)


def test_explaining_the_other_class_flips_the_scores_of_a_binary_model(fitted):
    clf, X, _ = fitted
    predicted = clf.explain(X[:3])
    other = clf.explain(X[:3], target=1 - predicted.target.iloc[0])
    first = predicted.text_id == 0
    np.testing.assert_allclose(other.score[first], -predicted.score[first], atol=1e-5)
    assert (other.target == 1 - predicted.target.iloc[0]).all()


def test_tokens_are_those_the_model_saw_after_truncation(make_corpus):
    X, y = make_corpus(100)
    params = dict(max_len=4, max_iter=1, ngram_range=(1, 2), ngram_buckets=500)
    clf = _small(linear_ngram_range=None, **params).fit(X, y)
    explanation = clf.explain(["One two three FOUR five six", "", "unseenword"])
    assert explanation.token.tolist() == ["one", "two", "five", "six", "unseenword"]
    assert explanation.text_id.tolist() == [0, 0, 0, 0, 2]
    assert explanation.position.tolist() == [0, 1, 4, 5, 0]
    assert np.isfinite(explanation.score).all()


def test_tokens_left_out_by_truncation_are_scored_by_the_linear_path(make_corpus):
    X, y = make_corpus(100)
    clf = _small(max_len=4, max_iter=1).fit(X, y)
    text = " ".join(X[0].split()[:2] + X[1].split()[:2] + X[0].split()[-2:])
    explanation = clf.explain([text]).sort_values("position")
    tokens = clf.vectorizer_.analyze([text])[0]  # the 4 the LSTM reads, then the middle
    assert explanation.token.tolist() == tokens[:2] + tokens[4:] + tokens[2:4]
    assert explanation.position.tolist() == list(range(len(tokens)))
    # The middle tokens reach the logits through the linear path alone: blanking one
    # removes the features first found there, and nothing else.
    ids = torch.from_numpy(clf.vectorizer_.transform([text])[0][None])
    with torch.no_grad():
        inputs = clf.module_.embed(ids)
        linear = clf.module_.linear_terms(ids)
    assert inputs.shape[1] == 4 and linear.shape[1] == 6
    k = int(clf.predict_proba([text])[0].argmax())
    full = _log_odds_from_inputs(clf, inputs, linear, k)
    for step, position in ((4, 2), (5, 3)):  # steps after the LSTM's 4 hold the middle
        without = linear.clone()
        without[0, step] = 0.0
        expected = full - _log_odds_from_inputs(clf, inputs, without, k)
        score = explanation.set_index("position").score[position]
        assert score == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"target": "maybe"}, r"labels \['maybe'\] that are not among the classes"),
    ],
)
def test_bad_explain_arguments_are_clear_errors(fitted, params, message):
    clf, X, _ = fitted
    with pytest.raises(ValueError, match=message):
        clf.explain(X[:1], **params)


def test_show_explanation_escapes_user_text_and_saves_html(fitted, tmp_path):
    clf, _, _ = fitted
    explanation = clf.explain(["<script>alert(1)</script> & awful"])
    page = show_explanation(
        explanation, path=tmp_path / "why.html", captions={0: "true label: <b>neg</b>"}
    )
    assert isinstance(page, HTMLExplanation)
    assert "<script>" not in page.html and "&lt;b&gt;neg&lt;/b&gt;" in page.html
    assert ">script<" in page.html and ">awful<" in page.html
    assert page._repr_html_() == page.html
    assert (tmp_path / "why.html").read_text(encoding="utf-8") == page.html
    # Embedded in another page, a <body> with attributes would pass them to that page's body.
    assert re.findall(r"<body[^>]*>", page.html) == ["<body>"]


def test_show_explanation_colours_support_green_and_opposition_red():
    import pandas as pd

    explanation = pd.DataFrame(
        {
            "text_id": [3, 3],
            "position": [0, 1],
            "token": ["good", "bad"],
            "score": [2.0, -1.0],
            "target": ["pos", "pos"],
        }
    )
    page = show_explanation(explanation).html
    assert 'style="background: rgba(0, 160, 0, 0.60)">good<' in page
    assert 'style="background: rgba(200, 0, 0, 0.30)">bad<' in page
    assert "Text 3: evidence for class pos (total +1.00)" in page
