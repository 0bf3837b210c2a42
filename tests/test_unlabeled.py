"""Tests for sklstm.unlabeled: which models take unlabelled texts, and with which labels."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.semi_supervised import SelfTrainingClassifier

from sklstm import LSTMSentimentClassifier
from sklstm.baselines import make_baselines
from sklstm.unlabeled import check_marker, keep_labeled, training_set, unlabeled_marker

BASELINES = make_baselines(semi_supervised=True)


@pytest.mark.parametrize(
    ("model", "marker"),
    [
        (LSTMSentimentClassifier(), None),
        (LSTMSentimentClassifier(unlabeled_label=-1), -1),
        (make_pipeline(FunctionTransformer(), LSTMSentimentClassifier(unlabeled_label="?")), "?"),
        (SelfTrainingClassifier(LogisticRegression()), -1),
        (BASELINES["self_training_tfidf_lr"], -1),
        (BASELINES["tfidf_lr"], None),
        (LogisticRegression(), None),
    ],
)
def test_the_marker_of_each_kind_of_model(model, marker):
    assert unlabeled_marker(model) == marker


TEXTS = np.array(["a", "b", "c", "d", "e"], dtype=object)


@pytest.mark.parametrize(
    ("labels", "marker", "dtype", "expected"),
    [
        # Integer labels stay integers, as SelfTrainingClassifier's classifier needs.
        (np.array([3, 4]), -1, np.int64, [3, 4, -1, -1]),
        # Strings go into an object array, where -1 stays an int.
        (np.array(["neg", "pos"]), -1, object, ["neg", "pos", -1, -1]),
        (np.array(["neg", "pos"]), "?", object, ["neg", "pos", "?", "?"]),
    ],
)
def test_training_set_marks_the_unlabelled_texts(labels, marker, dtype, expected):
    model = LSTMSentimentClassifier(unlabeled_label=marker)
    X_fit, y_fit = training_set(model, TEXTS, labels, np.array([1, 0]), np.array([4, 2]))
    assert X_fit.tolist() == ["b", "a", "e", "c"]
    assert y_fit.dtype == dtype and y_fit.tolist() == [labels[1], labels[0], *expected[2:]]
    assert all(type(label) is type(marker) for label in y_fit.tolist()[2:])


def test_a_model_without_a_marker_gets_the_labelled_texts_alone():
    X_fit, y_fit = training_set(
        LogisticRegression(), TEXTS, np.array([0, 1, 0]), np.array([2, 0]), np.array([3, 4])
    )
    assert X_fit.tolist() == ["c", "a"] and y_fit.tolist() == [0, 0]


def test_keep_labeled_is_a_fixed_stratified_sample_in_order():
    y = np.array([0] * 6 + [1] * 12)
    train = np.arange(18)
    labeled, unlabeled = keep_labeled(train, y, 6)
    assert np.bincount(y[labeled]).tolist() == [2, 4]
    assert sorted([*labeled, *unlabeled]) == train.tolist()
    assert np.all(np.diff(labeled) > 0) and np.all(np.diff(unlabeled) > 0)
    np.testing.assert_array_equal(keep_labeled(train, y, 6)[0], labeled)


def test_a_marker_that_is_a_class_is_refused():
    with pytest.raises(ValueError, match="'lstm' takes unlabelled texts with the label -1"):
        check_marker("lstm", LSTMSentimentClassifier(unlabeled_label=-1), np.array([-1, 1]))
    # True equals 1 in Python, but a bool label is no int marker; a string never equals -1.
    check_marker("lstm", LSTMSentimentClassifier(unlabeled_label=1), np.array([False, True]))
    check_marker("lstm", LSTMSentimentClassifier(unlabeled_label=-1), np.array(["-1", "1"]))
