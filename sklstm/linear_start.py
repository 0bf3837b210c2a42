"""Where the linear path starts: naive-Bayes scaled features, and weights of one strength.

The linear path (``linear_ngram_range``) gives the logits a linear function of the n-grams a
text contains. Each feature is scaled by its naive-Bayes log-count ratio in the training
texts, as in the NBSVM of Wang & Manning (2012), and the weights all start at one value, so
that the path starts as naive Bayes, as strong as ``linear_init`` says.
"""

import math

import numpy as np
import torch
from scipy.sparse import csr_matrix

from .baselines import log_count_ratio

# linear_init="auto": the naive-Bayes start at full strength up to this many training texts,
# at sqrt(NB_START_TEXTS / n) beyond. Naive Bayes is the better classifier from few examples
# and a discriminative one from more (Ng & Jordan, 2002), and a start that already fits the
# training texts leaves the LSTM little loss to learn from. Started at zero, the model scored
# 3.6 and 0.2 points less than the full start on 500 and 1,000 IMDB reviews, but 0.4, 0.5 and
# 0.9 more on 2,000, 5,000 and 25,000, 0.2 more on MPQA and 0.7 more on MR; on SUBJ 0.9 less,
# where a start at 0.3 lost 0.3 and kept MR's gain (user guide, "Defaults").
NB_START_TEXTS = 1000


def start_strength(linear_init, n_texts):
    """The weights' start on ``n_texts`` training texts: ``linear_init``, or its "auto"."""
    if linear_init == "auto":
        return min(1.0, math.sqrt(NB_START_TEXTS / max(n_texts, 1)))
    return linear_init


def naive_bayes_start(sequences, orders, n_features, class_index, weights, n_classes):
    """The linear path's feature scale, and the weight that starts it as naive Bayes.

    Parameters
    ----------
    sequences : RaggedSequences
        The training texts as ids, the linear feature ids in the last ``orders`` columns.
    orders : int
        The largest n of the linear path's n-grams.
    n_features : int
        Number of linear feature ids, 0 (none) included.
    class_index : ndarray of shape (n_texts,)
        Each text's class, as an index into the classes.
    weights : ndarray of shape (n_texts,)
        Each text's weight.
    n_classes : int

    Returns
    -------
    scale : ndarray of shape (n_features, 1 if n_classes == 2 else n_classes)
        Log-count ratios: of the second class with two classes, else of each class against
        the others; 0 for id 0 (no feature).
    weight : float
        1 / sqrt(the mean number of features a text has): the start of strength 1, whose
        first logits are of the same size for phrases and for long reviews.
    """
    features = sequences.ids[:, -orders:]  # (n_tokens, orders)
    text_of = np.repeat(np.arange(len(sequences)), sequences.lengths)[:, None]
    present = features != 0
    X = csr_matrix(
        (
            np.ones(present.sum()),
            (np.broadcast_to(text_of, features.shape)[present], features[present]),
        ),
        shape=(len(sequences), n_features),
    )
    positives = [1] if n_classes == 2 else range(n_classes)
    scale = np.column_stack(
        [log_count_ratio(X, class_index == k, weights, alpha=1.0) for k in positives]
    )
    scale[0] = 0.0
    features_per_text = max(present.sum() / max(len(sequences), 1), 1.0)
    return scale, 1.0 / math.sqrt(features_per_text)


def start_linear_path(network, data, linear_init, n_classes):
    """Scale ``network``'s linear path by the naive-Bayes log-count ratios in ``data`` and
    start its weights as ``linear_init`` asks; the strength used, or None without the path.

    ``data`` is a :class:`~sklstm.training.Dataset` of class indices (binary: 0 or 1).
    """
    if not network.linear_orders:
        return None
    scale, weight = naive_bayes_start(
        data.sequences,
        network.linear_orders,
        network.linear_scale.shape[0],
        data.targets.long().numpy(),
        data.weights.double().numpy(),
        n_classes,
    )
    strength = start_strength(linear_init, len(data.sequences))
    network.linear_scale.copy_(torch.from_numpy(scale))
    with torch.no_grad():
        network.linear_weight.fill_(strength * weight)
    return strength
