"""Batch order and padding: texts of similar length share a batch, padded only to its longest."""

import numpy as np
import torch

from .text import PAD_ID

# Texts are sorted by length inside pools of this many batches, so batches are tight in
# length while their composition still changes from epoch to epoch.
BATCHES_PER_POOL = 50


def bucketed_batches(lengths, batch_size, rng):
    """Shuffled training batches of texts with similar lengths.

    Parameters
    ----------
    lengths : ndarray of shape (n_texts,)
        Length of each text in tokens.
    batch_size : int
        Texts per batch (the last batch of a pool may be smaller).
    rng : numpy.random.Generator
        Source of the shuffling.

    Returns
    -------
    batches : list of ndarray
        Indices into ``lengths``, one array per batch, in a random order.
    """
    order = rng.permutation(len(lengths))
    pool_size = batch_size * BATCHES_PER_POOL
    batches = []
    for start in range(0, len(order), pool_size):
        pool = order[start : start + pool_size]
        # A stable sort keeps the random order among texts of equal length.
        pool = pool[np.argsort(lengths[pool], kind="stable")]
        batches.extend(np.array_split(pool, np.arange(batch_size, len(pool), batch_size)))
    return [batches[i] for i in rng.permutation(len(batches))]


def sorted_batches(lengths, batch_size):
    """Batches for prediction: all texts sorted by length, so padding is minimal."""
    order = np.argsort(lengths, kind="stable")
    return np.array_split(order, np.arange(batch_size, len(order), batch_size))


def pad_batch(sequences, index, few_shapes=False):
    """Pad the sequences at ``index`` to the longest among them.

    With ``few_shapes``, the width is rounded up to one of a few sizes (never beyond the
    longest of all ``sequences``): exact below 16 steps, then to a multiple of 2, 4, 8, ...
    per doubling of the width, so at most 1/8 of a batch is padding and a corpus of texts of
    up to ``n`` steps makes at most ``16 + 8 * log2(n / 16)`` distinct batch shapes.

    Parameters
    ----------
    sequences : RaggedSequences
        All texts as token ids.
    index : ndarray of shape (batch_size,)
        Which sequences form the batch.
    few_shapes : bool, default=False
        Round the padded width up as described above.

    Returns
    -------
    ids : LongTensor of shape (batch_size, max_length) or (batch_size, max_length, n_channels)
        Token ids (and n-gram ids, when the sequences carry them), padded at the end with
        ``PAD_ID``.
    lengths : LongTensor of shape (batch_size,)
        Length of each sequence; an empty text counts as one padding token, so that every
        text has a state to pool.
    """
    lengths = sequences.lengths[index]
    width = max(int(lengths.max()), 1)
    if few_shapes:
        step = 2 ** max(width.bit_length() - 4, 0)
        width = min(-(-width // step) * step, max(int(sequences.lengths.max()), 1))
    positions = np.arange(width)
    inside = positions < lengths[:, None]  # (batch, width)
    padded = np.full((len(index), width, *sequences.ids.shape[1:]), PAD_ID, dtype=np.int64)
    padded[inside] = sequences.ids[(sequences.offsets[index][:, None] + positions)[inside]]
    return torch.from_numpy(padded), torch.from_numpy(np.maximum(lengths, 1))
