"""plot_history, and scikit-learn's display classes on a model that takes raw text."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.calibration import CalibrationDisplay
from sklearn.exceptions import NotFittedError
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    RocCurveDisplay,
    confusion_matrix,
    roc_auc_score,
)
from sklearn.pipeline import FunctionTransformer, make_pipeline

from sklstm import LSTMSentimentClassifier, plot_history

# No display needed, whatever the machine's default backend.
plt.switch_backend("Agg")


def tiny(**params):
    defaults = dict(embedding_dim=8, hidden_size=8, min_df=1, max_iter=3, random_state=0)
    return LSTMSentimentClassifier(**{**defaults, **params})


@pytest.fixture(scope="module")
def binary_fit(make_corpus):
    texts, labels = make_corpus(n_texts=80)
    labels = np.array(["negative", "positive"])[labels]
    return tiny(learning_rate_init=0.02).fit(texts, labels), texts, labels


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_history_draws_the_training_loss_per_epoch(binary_fit):
    clf, _, _ = binary_fit
    ax = plot_history(clf, ax=Figure().subplots())
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), clf.history_.index)
    np.testing.assert_array_equal(line.get_ydata(), clf.history_["train_loss"])
    assert len(ax.figure.axes) == 1  # no validation set, so no accuracy axis
    assert ax.get_xlabel() == "epoch"


def test_plot_history_adds_validation_loss_and_accuracy_on_a_twin_axis(make_corpus):
    texts, labels = make_corpus(n_texts=80)
    clf = tiny(early_stopping=True, validation_fraction=0.25, n_iter_no_change=5)
    clf.fit(texts, labels)
    ax = plot_history(clf)  # a new pyplot figure
    assert [line.get_label() for line in ax.get_lines()] == ["train loss", "validation loss"]
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), clf.history_["valid_loss"])
    twin = ax.figure.axes[-1]
    assert twin is not ax and twin.get_shared_x_axes().joined(ax, twin)
    (accuracy,) = twin.get_lines()
    np.testing.assert_array_equal(accuracy.get_ydata(), clf.history_["valid_accuracy"])
    legend = [text.get_text() for text in twin.get_legend().get_texts()]
    assert legend == ["train loss", "validation loss", "validation accuracy"]


def test_plot_history_keeps_the_accuracy_label_inside_its_figure(make_corpus):
    texts, labels = make_corpus(n_texts=80)
    clf = tiny(early_stopping=True, validation_fraction=0.25, n_iter_no_change=5)
    clf.fit(texts, labels)
    # Accuracies of three decimals, as on real data, have the widest tick labels: these pushed
    # the label on the right out of the figure, which a saved image then cut off.
    clf.history_["valid_accuracy"] = np.linspace(0.89, 0.915, len(clf.history_))
    figure = plot_history(clf).figure
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    label = figure.axes[-1].yaxis.label.get_window_extent(renderer)
    assert figure.bbox.x0 <= label.x0 and label.x1 <= figure.bbox.x1


def test_plot_history_takes_a_pipeline_and_refuses_an_unfitted_model(binary_fit):
    clf, texts, labels = binary_fit
    pipeline = make_pipeline(FunctionTransformer(), tiny(max_iter=2)).fit(texts, labels)
    ax = plot_history(pipeline, ax=Figure().subplots())
    assert len(ax.get_lines()[0].get_xdata()) == 2
    with pytest.raises(NotFittedError):
        plot_history(tiny())


def test_confusion_matrix_display_on_raw_text(binary_fit):
    clf, texts, labels = binary_fit
    display = ConfusionMatrixDisplay.from_estimator(clf, texts, labels)
    np.testing.assert_array_equal(
        display.confusion_matrix, confusion_matrix(labels, clf.predict(texts))
    )
    assert list(display.display_labels) == ["negative", "positive"]


def test_roc_curve_display_on_raw_text(binary_fit):
    clf, texts, labels = binary_fit
    display = RocCurveDisplay.from_estimator(clf, texts, labels)
    positive = clf.predict_proba(texts)[:, 1]
    assert display.roc_auc == pytest.approx(roc_auc_score(labels == "positive", positive))


def test_calibration_display_on_raw_text(binary_fit):
    clf, texts, labels = binary_fit
    display = CalibrationDisplay.from_estimator(clf, texts, labels, n_bins=4)
    np.testing.assert_allclose(display.y_prob, clf.predict_proba(texts)[:, 1])
    assert display.pos_label == "positive"
    assert np.all((display.prob_true >= 0) & (display.prob_true <= 1))
