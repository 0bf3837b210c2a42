"""Training labels: which texts carry one (``unlabeled_label``), checked as scikit-learn does."""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import _check_sample_weight, column_or_1d

from .text import check_texts


def check_training_data(X, y, sample_weight, unlabeled_label):
    """The texts, the labelled texts' labels and weights, and the labelled texts' positions.

    Raises
    ------
    ValueError
        If ``X`` is not texts, ``y`` is not one label per text (texts marked
        ``unlabeled_label`` aside) or a weight is negative.
    """
    texts = check_texts(X)
    y, labelled = labelled_part(y, len(texts), unlabeled_label)
    check_classification_targets(y)
    unique_labels(y)  # rejects a mix of strings and numbers before numpy casts them
    y = column_or_1d(y, warn=True)
    sample_weight = _check_sample_weight(
        sample_weight, texts, dtype=np.float32, ensure_non_negative=True
    )
    return texts, y, sample_weight[labelled], labelled


def labelled_part(y, n_texts, unlabeled_label):
    """The labels of the texts not marked ``unlabeled_label``, and their positions."""
    # An object array keeps a marker such as -1 an int beside string labels.
    raw = np.asarray(y, dtype=object)
    raw = raw.ravel() if raw.ndim == 2 and raw.shape[1] == 1 else raw
    if raw.ndim == 1 and len(raw) != n_texts:
        raise ValueError(f"X and y have different lengths: {n_texts} texts but {len(raw)} labels.")
    if unlabeled_label is None or raw.ndim != 1:  # other shapes fail in the checks
        return y, np.arange(n_texts)
    is_marker = np.fromiter(
        (type(label) is not bool and label == unlabeled_label for label in raw), bool, n_texts
    )
    labelled = np.flatnonzero(~is_marker)
    return np.asarray(raw[labelled].tolist()), labelled
