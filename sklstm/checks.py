"""Checks of the estimator's parameters against what a fit already built or was given.

A continued fit (``warm_start`` or a later ``partial_fit``) trains the vocabulary and network
it built before, so the parameters that shaped them cannot change; the classes are those of
the first fit; and a vocabulary given to the estimator must have been learned with its
settings. Each check raises before any work, with what differs and what to do.
"""

import os

import numpy as np
from sklearn.utils.validation import check_is_fitted

# Parameters that shape the vocabulary or the network, fixed once a model exists: a warm
# start or a later partial_fit call cannot change them.
STRUCTURE_PARAMS = (
    "max_features",
    "min_df",
    "max_len",
    "lowercase",
    "tokenizer",
    "ngram_range",
    "ngram_buckets",
    "linear_ngram_range",
    "vocabulary",
    "embedding_dim",
    "pretrained_embeddings",
    "hidden_size",
    "num_layers",
    "bidirectional",
    "pooling",
)


def is_plain(value):
    """Whether ``value`` compares by value (None, numbers, strings, tuples, paths)."""
    return value is None or isinstance(value, str | int | float | bool | tuple | os.PathLike)


def same_value(a, b):
    # Objects (a tokenizer, a dict of vectors) by identity, which pickling keeps: comparing
    # a dict of arrays by value is ambiguous.
    return type(a) is type(b) and a == b if is_plain(a) else a is b


def describe(value):
    # Never the contents of a dict of word vectors, which may hold millions of numbers.
    return repr(value) if is_plain(value) else f"a {type(value).__name__} object"


def check_structure_unchanged(estimator, structure):
    """Raise if a parameter of STRUCTURE_PARAMS differs from its value in ``structure``."""
    changed = [
        f"{name} from {describe(structure[name])} to {describe(getattr(estimator, name))}"
        for name in STRUCTURE_PARAMS
        if not same_value(getattr(estimator, name), structure[name])
    ]
    if changed:
        raise ValueError(
            f"The model was built with other parameters than it has now: "
            f"{'; '.join(changed)}. warm_start and partial_fit continue training the same "
            f"vocabulary and network, which these parameters shape: set them back, or fit "
            f"with warm_start=False to start afresh."
        )


def check_partial_fit_params(estimator):
    """Raise for the parameters that ``partial_fit`` cannot honour."""
    if estimator.early_stopping:
        raise ValueError(
            "partial_fit does not hold out a validation set, so early_stopping=True would "
            "be ignored; set early_stopping=False, or call fit."
        )
    if isinstance(estimator.class_weight, str) and estimator.class_weight == "balanced":
        # As scikit-learn's SGDClassifier: one batch's frequencies are not the classes'.
        raise ValueError(
            "class_weight='balanced' is not supported by partial_fit: a batch's class "
            "frequencies are not those of the whole stream. Compute the weights once, "
            "e.g. dict(zip(classes, compute_class_weight('balanced', classes=classes, "
            "y=y_sample))) from sklearn.utils.class_weight, and pass that dict."
        )


def check_given_vocabulary(vocabulary, expected):
    """Raise unless ``vocabulary`` is fitted with the settings of the unfitted ``expected``."""
    check_is_fitted(
        vocabulary,
        msg="vocabulary is a VocabularyTransformer that has not learned a vocabulary yet; "
        "call its fit or partial_fit first, or pass vocabulary=None to learn one from "
        "the training texts.",
    )
    given = vocabulary.get_params()
    differ = [
        f"{name}={describe(given[name])} (this classifier: {describe(value)})"
        for name, value in expected.get_params().items()
        if not same_value(given[name], value)
    ]
    if differ:
        raise ValueError(
            f"vocabulary was built with other settings than this classifier's: "
            f"{'; '.join(differ)}. Build the VocabularyTransformer with the classifier's "
            f"settings, or set the classifier's to match."
        )


def check_known_labels(y, classes):
    """Raise if ``y`` holds a label outside ``classes``, those of the first fit."""
    unknown = np.setdiff1d(np.unique(y), classes)
    if len(unknown):
        raise ValueError(
            f"y has labels {unknown.tolist()!r} that are not among the classes "
            f"{classes.tolist()!r}; with warm_start or partial_fit the classes are fixed by "
            f"the first fit (or the classes argument of the first partial_fit)."
        )
