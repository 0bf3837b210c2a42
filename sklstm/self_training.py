"""Self-training: a first fit labels the unlabelled texts it is surest of for a second fit.

With few labels, the texts a model is surest of are far more often labelled right than the
rest. Training again, from the same start, on the labelled texts and these pseudo-labelled
ones teaches the network from many more examples than the labels alone (Yarowsky 1995; Lee
2013 for neural networks); ``benchmarks/self_training.py`` measures the gain.
"""

import numpy as np


def surest_texts(proba, class_shares, n_texts):
    """Positions of the ``n_texts`` rows of ``proba`` surest of their class, and that class.

    Each class ``c`` gets ``round(n_texts * class_shares[c])`` of the texts predicted as
    ``c`` (or all of them, if fewer), those with its highest probability. Taking them in
    the labelled texts' class shares rather than by probability alone keeps a first fit
    that leans towards one class from filling the pseudo-labels with it.

    Parameters
    ----------
    proba : ndarray of shape (n_unlabelled, n_classes)
        Class probabilities of the unlabelled texts.
    class_shares : ndarray of shape (n_classes,)
        Share of each class among the labelled texts; sums to 1.
    n_texts : int
        How many texts to pseudo-label in all.

    Returns
    -------
    positions : ndarray of int
        Rows of ``proba``, class by class.
    class_index : ndarray of int
        The class (column of ``proba``) each is labelled with.

    Examples
    --------
    >>> proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.3, 0.7]])
    >>> positions, class_index = surest_texts(proba, np.array([0.5, 0.5]), 2)
    >>> positions.tolist(), class_index.tolist()
    ([0, 2], [0, 1])
    """
    predicted = proba.argmax(axis=1)
    positions, class_index = [], []
    for c, share in enumerate(class_shares):
        candidates = np.flatnonzero(predicted == c)
        surest = candidates[np.argsort(-proba[candidates, c], kind="stable")]
        positions.append(surest[: round(n_texts * share)])
        class_index.append(np.full(len(positions[-1]), c))
    return np.concatenate(positions), np.concatenate(class_index)
