import numpy as np
import torch

from sklstm import RaggedSequences
from sklstm.batching import bucketed_batches, pad_batch, sorted_batches


def test_bucketed_batches_cover_every_text_once_and_group_similar_lengths():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 500, size=3000)
    batches = bucketed_batches(lengths, 32, np.random.default_rng(1))
    everything = np.concatenate(batches)
    assert sorted(everything.tolist()) == list(range(3000))
    assert max(len(b) for b in batches) == 32
    # Padding a bucketed batch wastes far less than padding a random batch.
    spread = np.mean([np.ptp(lengths[b]) for b in batches])
    random_spread = np.mean([np.ptp(lengths[b]) for b in np.array_split(rng.permutation(3000), 94)])
    assert spread < random_spread / 10


def test_bucketed_batches_change_between_epochs_but_repeat_with_the_seed():
    lengths = np.arange(1000) % 37
    first = bucketed_batches(lengths, 16, np.random.default_rng(5))
    again = bucketed_batches(lengths, 16, np.random.default_rng(5))
    other = bucketed_batches(lengths, 16, np.random.default_rng(6))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_sorted_batches_are_in_length_order():
    lengths = np.array([5, 1, 3, 9, 2])
    batches = sorted_batches(lengths, 2)
    assert [lengths[b].tolist() for b in batches] == [[1, 2], [3, 5], [9]]


def test_pad_batch_pads_to_the_longest_in_the_batch_only():
    seqs = RaggedSequences.from_lists([[4, 5, 6], [7], [8, 9, 10, 11, 12, 13, 14]])
    ids, lengths = pad_batch(seqs, np.array([0, 1]))
    assert ids.tolist() == [[4, 5, 6], [7, 0, 0]]
    assert lengths.tolist() == [3, 1]
    assert ids.dtype == torch.int64


def test_pad_batch_gives_an_empty_text_one_padding_step():
    seqs = RaggedSequences.from_lists([[], [3, 4]])
    ids, lengths = pad_batch(seqs, np.array([0]))
    assert ids.tolist() == [[0]] and lengths.tolist() == [1]
    ids, lengths = pad_batch(RaggedSequences.from_lists([[]]), np.array([0]))
    assert ids.tolist() == [[0]] and lengths.tolist() == [1]


def test_pad_batch_pads_every_id_of_a_step():
    seqs = RaggedSequences(np.array([[4, 0], [5, 9], [7, 0]]), np.array([0, 2, 3]))
    ids, lengths = pad_batch(seqs, np.array([1, 0]))
    assert ids.tolist() == [[[7, 0], [0, 0]], [[4, 0], [5, 9]]]
    assert lengths.tolist() == [1, 2]


def test_few_shapes_rounds_widths_up_by_at_most_an_eighth():
    seqs = RaggedSequences.from_lists([[1] * n for n in range(1, 401)])
    widths = {
        n: pad_batch(seqs, np.array([n - 1]), few_shapes=True)[0].shape[1] for n in range(1, 401)
    }
    assert all(n <= width <= max(n * 9 / 8, n) for n, width in widths.items())
    assert all(widths[n] == n for n in range(1, 16))
    assert widths[17] == 18 and widths[33] == 36 and widths[385] == 400
    assert len(set(widths.values())) <= 16 + 8 * np.log2(400 / 16) + 1
    ids, lengths = pad_batch(seqs, np.array([16]), few_shapes=True)
    assert ids[0, 17:].eq(0).all() and lengths.tolist() == [17]
