"""n-grams of tokenised texts: their 64-bit keys, and the linear path's feature ids.

An n-gram's key chains the hashes of its tokens, all in numpy, so that n-grams cost no Python
work per occurrence; the same text gives the same keys in every process.
"""

from itertools import chain

import numpy as np
from sklearn.utils import murmurhash3_32

# The feature id of an n-gram that is no feature (or occurred earlier in its text).
NO_FEATURE = 0
# Odd 64-bit multiplier for chaining token hashes into n-gram hashes (wraps around).
_NGRAM_MIX = np.uint64(0x9E3779B97F4A7C15)


def numbered(tokens):
    """Lengths and offsets of tokenised texts, their distinct tokens (``codes``: token to
    number) and each token's number (``index``)."""
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    flat = list(chain.from_iterable(tokens))
    # Each distinct token is then looked up and hashed once: per occurrence there is only
    # the dict lookup that numbers it.
    codes = {}
    index = np.fromiter((codes.setdefault(t, len(codes)) for t in flat), np.int64, len(flat))
    return lengths, offsets, codes, index


def add_counts(counts, more):
    """Sum two (sorted keys, counts) pairs into one; ``counts`` may be None."""
    if counts is None:
        return more
    keys, position = np.unique(np.concatenate([counts[0], more[0]]), return_inverse=True)
    total = np.bincount(position, weights=np.concatenate([counts[1], more[1]]))
    return keys, total.astype(np.int64)


def ngram_keys(codes, index, offsets, lengths, max_n):
    """64-bit keys of the n-grams ending at each token: ``[(keys, valid)]`` for n = 1 .. max_n.

    ``codes`` numbers the distinct tokens and ``index`` gives each token's number. ``valid``
    is False where a text has fewer than n tokens up to there.
    """
    # Hash each distinct token once, then chain the hashes of consecutive tokens, all in
    # numpy: n-grams cost no Python work per occurrence.
    token_hash = np.fromiter(
        (murmurhash3_32(t, positive=True) for t in codes), np.uint64, len(codes)
    )[index]
    position = np.arange(len(index)) - np.repeat(offsets[:-1], lengths)
    ngram_hash, keys = token_hash, [(token_hash, np.ones(len(index), dtype=bool))]
    for n in range(2, max_n + 1):
        # ngram_hash[i] now covers tokens i-n+1 .. i (wrapped garbage where i < n-1, which
        # valid marks).
        ngram_hash = ngram_hash * _NGRAM_MIX + np.roll(token_hash, n - 1) + np.uint64(n)
        keys.append((ngram_hash, position >= n - 1))
    return keys


def linear_features(keys, text_of, known, min_df):
    """The linear feature id of each n-gram (token, n) at its first occurrence in a text.

    Parameters
    ----------
    keys : list of (ndarray, ndarray)
        For n = 1 .. max_n, the n-gram keys ending at each token and where they are valid.
    text_of : ndarray of shape (n_tokens,)
        The text of each token (non-decreasing).
    known : ndarray or None
        The sorted feature keys; None learns them: the keys found in ``min_df`` texts.

    Returns
    -------
    known : ndarray
        The feature keys (id ``i + 1`` for ``known[i]``).
    features : ndarray of shape (n_tokens, max_n)
        Feature ids, 0 where the n-gram is no feature or occurred earlier in its text.
    counts : tuple of two ndarrays or None
        When learning: every n-gram key found (sorted) and the number of texts it is in.
    """
    max_n = len(keys)
    where = np.concatenate([np.flatnonzero(valid) * max_n + n for n, (_, valid) in enumerate(keys)])
    entry_keys = np.concatenate([key[valid] for key, valid in keys])
    features = np.full(len(text_of) * max_n, NO_FEATURE, dtype=np.int64)
    if not len(entry_keys):  # texts without tokens
        counts = None if known is not None else (entry_keys, np.zeros(0, dtype=np.int64))
        return entry_keys if known is None else known, features.reshape(-1, max_n), counts
    # One sort groups the entries by n-gram, each group in token order (a stable sort of
    # entries that are in text order): a group's first entry in a text is its first
    # occurrence there, and the number of such entries its document frequency.
    order = np.argsort(entry_keys, kind="stable")
    sorted_keys, sorted_texts = entry_keys[order], text_of[where[order] // max_n]
    new_key = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    new_text = new_key | np.r_[True, sorted_texts[1:] != sorted_texts[:-1]]
    distinct = sorted_keys[new_key]
    counts = None
    if known is None:
        document_frequency = np.add.reduceat(new_text, np.flatnonzero(new_key))
        counts = (distinct, document_frequency)
        known = distinct[document_frequency >= min_df]
    # Sorted needles make the lookup a merge rather than random probes.
    position = np.searchsorted(known, distinct).clip(max=max(len(known) - 1, 0))
    found = (known[position] == distinct) if len(known) else np.zeros(len(distinct), bool)
    feature = np.where(found, position + 1, NO_FEATURE)[np.cumsum(new_key) - 1]
    first = new_text & (feature != NO_FEATURE)
    features[where[order][first]] = feature[first]
    return known, features.reshape(len(text_of), max_n), counts
