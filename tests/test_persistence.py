"""Saving fitted models with skops, the secure format, next to pickle (see test_classifier)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline

from sklstm import LSTMSentimentClassifier

sio = pytest.importorskip(
    "skops.io", reason="skops is an optional extra: pip install -e '.[skops]'"
)


def tiny(**params):
    defaults = dict(embedding_dim=8, hidden_size=8, min_df=1, max_iter=2, random_state=0)
    return LSTMSentimentClassifier(**{**defaults, **params})


def skops_round_trip(model, tmp_path):
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    untrusted = sio.get_untrusted_types(file=path)
    return sio.load(path, trusted=untrusted), untrusted


def only_sklstm_types(untrusted):
    # What a user reviews before trusting the file: sklstm's own classes, nothing from torch,
    # pandas or Python's internals.
    return untrusted and all(name.startswith("sklstm.") for name in untrusted)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"early_stopping": True, "validation_fraction": 0.25},
        {"warm_start": True},
        {"ngram_range": (1, 2), "ngram_buckets": 64},
    ],
    ids=["default", "early_stopping", "warm_start", "ngrams"],
)
def test_skops_round_trip_is_exact_and_needs_only_sklstm_types(make_corpus, tmp_path, params):
    texts, labels = make_corpus(n_texts=60)
    labels = np.array(["neg", "pos"])[labels]
    clf = tiny(**params).fit(texts, labels)
    loaded, untrusted = skops_round_trip(clf, tmp_path)
    assert set(untrusted) == {
        "sklstm.classifier.LSTMSentimentClassifier",
        "sklstm.text.VocabularyTransformer",
    }
    np.testing.assert_array_equal(loaded.predict_proba(texts), clf.predict_proba(texts))
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    pd.testing.assert_frame_equal(loaded.history_, clf.history_)
    assert loaded.get_params() == clf.get_params()


def test_warm_start_continues_identically_after_skops(make_corpus, tmp_path):
    texts, labels = make_corpus(n_texts=60)
    clf = tiny(warm_start=True).fit(texts, labels)
    loaded, _ = skops_round_trip(clf, tmp_path)
    # The optimizer state travels too: the next epochs are those of the original model.
    clf.fit(texts, labels)
    loaded.fit(texts, labels)
    assert loaded.n_iter_ == 4
    np.testing.assert_array_equal(loaded.predict_proba(texts), clf.predict_proba(texts))


def test_a_pipeline_selecting_the_text_column_round_trips(make_corpus, tmp_path):
    texts, labels = make_corpus(n_texts=60)
    reviews = pd.DataFrame({"review": texts, "stars": labels * 4 + 1})
    # The column of texts, kept as a one-column DataFrame, which the classifier accepts.
    select_text = ColumnTransformer(
        [("text", "passthrough", ["review"])], verbose_feature_names_out=False
    ).set_output(transform="pandas")
    pipeline = make_pipeline(select_text, tiny()).fit(reviews, labels)
    loaded, untrusted = skops_round_trip(pipeline, tmp_path)
    assert only_sklstm_types(untrusted)
    np.testing.assert_array_equal(loaded.predict_proba(reviews), pipeline.predict_proba(reviews))


def test_a_file_with_untrusted_types_is_refused_unless_trusted(make_corpus, tmp_path):
    texts, labels = make_corpus(n_texts=40)
    path = tmp_path / "model.skops"
    sio.dump(tiny(max_iter=1).fit(texts, labels), path)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="sklstm"):
        sio.load(path)
    assert isinstance(
        sio.load(path, trusted=sio.get_untrusted_types(file=path)), LSTMSentimentClassifier
    )
