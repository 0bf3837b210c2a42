"""Variable-length integer sequences stored without padding."""

import numpy as np


class RaggedSequences:
    """Integer sequences of different lengths, stored flat.

    Sequence ``i`` is ``ids[offsets[i]:offsets[i + 1]]``. Storing one flat array keeps a
    corpus of reviews compact (no padding to the longest text) and lets a batch be padded
    with one vectorised gather (see :func:`sklstm.batching.pad_batch`). Each step may carry
    several ids (a word and the n-grams ending at it): ``ids`` then has one column per id.

    Parameters
    ----------
    ids : ndarray of shape (n_tokens,) or (n_tokens, n_channels)
        The concatenated sequences.
    offsets : ndarray of shape (n_sequences + 1,)
        Start of each sequence in ``ids``, followed by ``len(ids)``.

    Examples
    --------
    >>> seqs = RaggedSequences.from_lists([[5, 6, 7], [], [8]])
    >>> len(seqs), seqs.lengths.tolist(), seqs[0].tolist()
    (3, [3, 0, 1], [5, 6, 7])
    """

    def __init__(self, ids, offsets):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.offsets = np.asarray(offsets, dtype=np.int64)

    @classmethod
    def from_lists(cls, sequences):
        """Build from an iterable of integer sequences."""
        sequences = [np.asarray(seq, dtype=np.int64) for seq in sequences]
        lengths = np.array([len(seq) for seq in sequences], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        ids = np.concatenate(sequences) if sequences else np.empty(0, dtype=np.int64)
        return cls(ids, offsets)

    @property
    def lengths(self):
        """ndarray of shape (n_sequences,): the length of each sequence."""
        return np.diff(self.offsets)

    def __len__(self):
        return len(self.offsets) - 1

    def __getitem__(self, i):
        return self.ids[self.offsets[i] : self.offsets[i + 1]]

    def take(self, indices):
        """Return the sequences at ``indices`` as a new :class:`RaggedSequences`."""
        indices = np.asarray(indices, dtype=np.int64)
        starts, lengths = self.offsets[indices], self.lengths[indices]
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        # Position of every kept token in self.ids, built without a loop over sequences.
        within = np.arange(offsets[-1]) - np.repeat(offsets[:-1], lengths)
        return RaggedSequences(self.ids[np.repeat(starts, lengths) + within], offsets)

    def concatenate(self, other):
        """Return these sequences followed by ``other``'s as a new :class:`RaggedSequences`.

        >>> both = RaggedSequences.from_lists([[1, 2], [3]]).concatenate(
        ...     RaggedSequences.from_lists([[], [4, 5]])
        ... )
        >>> [both[i].tolist() for i in range(len(both))]
        [[1, 2], [3], [], [4, 5]]
        """
        return RaggedSequences.joined([self, other])

    @classmethod
    def joined(cls, parts):
        """One :class:`RaggedSequences` of all the sequences of ``parts`` (a non-empty list).

        >>> joined = RaggedSequences.joined(
        ...     [RaggedSequences.from_lists([[1], [2, 3]]), RaggedSequences.from_lists([[4]])]
        ... )
        >>> [joined[i].tolist() for i in range(len(joined))]
        [[1], [2, 3], [4]]
        """
        starts = np.cumsum([0] + [len(part.ids) for part in parts[:-1]])
        offsets = [part.offsets[:-1] + start for part, start in zip(parts, starts, strict=True)]
        offsets.append([starts[-1] + len(parts[-1].ids)])
        return cls(np.concatenate([part.ids for part in parts]), np.concatenate(offsets))

    def __repr__(self):
        return f"RaggedSequences(n_sequences={len(self)}, n_tokens={len(self.ids)})"
