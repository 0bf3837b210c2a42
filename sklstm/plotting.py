"""Plots of training: the loss and validation accuracy of each epoch, from ``history_``."""

from matplotlib.ticker import MaxNLocator
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

__all__ = ["plot_history"]


def plot_history(estimator, ax=None):
    """Plot a fitted model's training loss per epoch, and its validation scores when it has them.

    The training loss is a solid line. With a validation set (``early_stopping=True``) the
    validation loss is drawn dashed on the same axes and the validation accuracy on a twin
    axes, with its scale on the right.

    Parameters
    ----------
    estimator : LSTMSentimentClassifier or Pipeline
        A fitted model with a ``history_``, or a fitted pipeline ending in one.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; None creates a figure with :mod:`matplotlib.pyplot`.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes of the losses; the validation accuracy, when drawn, is on
        ``ax.figure.axes[-1]``, which shares its x axis.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from sklstm import LSTMSentimentClassifier, plot_history
    >>> texts = ["a wonderful film", "truly awful", "wonderful acting", "awful plot"] * 8
    >>> labels = ["pos", "neg", "pos", "neg"] * 8
    >>> clf = LSTMSentimentClassifier(embedding_dim=8, hidden_size=8, min_df=1, max_iter=3,
    ...                               random_state=0).fit(texts, labels)
    >>> ax = plot_history(clf, ax=Figure().subplots())
    >>> [line.get_label() for line in ax.get_lines()]
    ['train loss']
    """
    history = _history_of(estimator)
    if ax is None:
        # Imported only here: pyplot keeps global figure state a caller's ax avoids.
        import matplotlib.pyplot as plt

        # Constrained: the twin axes' label on the right stays inside the figure.
        _, ax = plt.subplots(layout="constrained")
    style = {"marker": "o"}  # keeps a curve of a single epoch visible
    _plot_losses(ax, history, **style)
    _label_epoch_axis(ax)
    lines = list(ax.get_lines())
    legend_axes = ax
    if "valid_accuracy" in history:
        right = ax.twinx()
        right.plot(history["valid_accuracy"], color="C2", label="validation accuracy", **style)
        right.set_ylabel("validation accuracy")
        lines += list(right.get_lines())
        # The twin is drawn over ax: a legend on ax would sit under its lines.
        legend_axes = right
    legend_axes.legend(handles=lines)
    ax.set_title("Training history")
    return ax


def _history_of(estimator):
    if isinstance(estimator, Pipeline):
        estimator = estimator[-1]
    check_is_fitted(estimator)
    history = getattr(estimator, "history_", None)
    if history is None:
        raise ValueError(
            f"{type(estimator).__name__} has no history_ to plot; pass a fitted "
            f"LSTMSentimentClassifier or a pipeline ending in one."
        )
    return history


def _plot_losses(ax, history, labels=("train loss", "validation loss"), **style):
    """Draw a ``history_``'s training loss, and its validation loss dashed when present.

    ``labels`` names the two lines in a legend; None leaves them out of it.
    """
    train_label, valid_label = labels or (None, None)
    ax.plot(history["train_loss"], label=train_label, **style)
    if "valid_loss" in history:
        ax.plot(history["valid_loss"], linestyle="--", label=valid_label, **style)


def _label_epoch_axis(ax):
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.set(xlabel="epoch", ylabel="loss")
