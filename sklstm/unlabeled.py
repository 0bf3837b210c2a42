"""Unlabelled texts in a comparison: which models learn from them, and how they get them.

:func:`~sklstm.compare.compare` may have training texts without labels: texts added as such,
and the training texts whose labels ``n_labeled`` drops. It gives them only to the models
that can learn from them, each with the label that marks a text unlabelled for that model
(:func:`unlabeled_marker`); every other model is fitted on the labelled texts alone, and no
unlabelled text is ever scored.
"""

from numbers import Integral

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.semi_supervised import SelfTrainingClassifier

# scikit-learn's label for unlabelled samples, the only one SelfTrainingClassifier takes.
SKLEARN_UNLABELED = -1


def unlabeled_marker(model):
    """The label that marks a text unlabelled for ``model``, or None if it takes none.

    The rule is explicit rather than guessed from behaviour: a pipeline counts by its last
    step; a :class:`~sklearn.semi_supervised.SelfTrainingClassifier` takes -1 (scikit-learn's
    convention); a model with a parameter ``unlabeled_label`` that is not None, such as
    :class:`~sklstm.LSTMSentimentClassifier`, takes its value. Any other model gets no
    unlabelled texts.

    Parameters
    ----------
    model : estimator
        An unfitted classifier.

    Returns
    -------
    marker : int, str or None
    """
    while isinstance(model, Pipeline):
        model = model.steps[-1][1]
    if isinstance(model, SelfTrainingClassifier):
        return SKLEARN_UNLABELED
    return model.get_params(deep=False).get("unlabeled_label")


def check_marker(name, model, classes):
    """Raise a ValueError if the label ``model`` marks unlabelled texts with is a class."""
    marker = unlabeled_marker(model)
    # A loop rather than np.isin: it compares an int marker with string labels without a
    # numpy cast, and keeps True from equalling 1.
    if marker is not None and any(_same(label, marker) for label in classes):
        raise ValueError(
            f"Model {name!r} takes unlabelled texts with the label {marker!r}, which is also "
            "a class of y_train; recode the labels (e.g. to 0 and 1, or to strings)."
        )


def _same(label, marker):
    def is_bool(value):
        return isinstance(value, bool | np.bool_)

    return is_bool(label) == is_bool(marker) and label == marker


def keep_labeled(train, y, n_labeled):
    """Split the training positions ``train`` into ``n_labeled`` kept labelled and the rest.

    The kept ones are a sample stratified by ``y[train]``, with a fixed seed so that every
    model and every run gets the same; both parts keep the order of ``train``.

    Returns
    -------
    labeled, unlabeled : ndarray of int
    """
    if not isinstance(n_labeled, Integral) or isinstance(n_labeled, bool):
        raise ValueError(f"n_labeled must be an int, got {n_labeled!r}.")
    try:
        labeled, unlabeled = train_test_split(
            train, train_size=n_labeled, stratify=y[train], random_state=0
        )
    except ValueError as error:
        raise ValueError(
            f"Cannot keep {n_labeled} labelled texts of a training set of {len(train)}: {error}"
        ) from None
    return np.sort(labeled), np.sort(unlabeled)


def training_set(model, X, y, labeled, unlabeled):
    """The texts and labels to fit ``model`` on: the unlabelled ones only if it takes them.

    Parameters
    ----------
    model : estimator
    X : ndarray of object
        All texts.
    y : ndarray
        The labels of the labelled texts, which come first in ``X``.
    labeled, unlabeled : ndarray of int
        Positions in ``X`` of the labelled and unlabelled training texts.

    Returns
    -------
    X_fit : ndarray of object
    y_fit : ndarray
        The labels of ``labeled``, then the model's marker once per unlabelled text.
    """
    marker = unlabeled_marker(model)
    if marker is None or not len(unlabeled):
        return X[labeled], y[labeled]
    X_fit = X[np.concatenate([labeled, unlabeled])]
    labels = y[labeled]
    if labels.dtype.kind in "iu" and isinstance(marker, Integral):
        # Integer labels stay integers: SelfTrainingClassifier's classifier would reject the
        # integers of an object array as of unknown type.
        return X_fit, np.concatenate([labels, np.full(len(unlabeled), marker)]).astype(np.int64)
    # Other labels go into an object array, where an int marker stays an int beside strings
    # rather than becoming the string "-1".
    y_fit = np.empty(len(labels) + len(unlabeled), dtype=object)
    y_fit[: len(labels)] = labels
    y_fit[len(labels) :] = [marker] * len(unlabeled)
    return X_fit, y_fit
