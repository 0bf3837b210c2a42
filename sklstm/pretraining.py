"""Language-model pretraining: the first LSTM layer learns to predict the next word it reads.

Before the LSTM learns the labels, each direction of its first layer is trained, on the
training texts alone, to predict the word that comes next in its reading direction (the
forward direction the following word, the backward direction the preceding one), as in
Dai & Le, "Semi-supervised Sequence Learning" (NeurIPS 2015). Predicting a word over the
whole vocabulary would cost a softmax over 20,000 words at every step, more than the LSTM
itself; instead each step's state is projected into the word-embedding space and scored
against the true next word's embedding and a few sampled others (negative sampling, as in
word2vec), which costs little beside the LSTM. The projections are discarded afterwards.
"""

import time
import warnings

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from .batching import bucketed_batches, pad_batch
from .network import reorder, text_positions
from .text import UNKNOWN_ID

# Words drawn per batch as wrong answers, shared by every step of the batch.
N_NEGATIVES = 64


def pretrain_language_model(
    network, sequences, *, epochs, batch_size, learning_rate, rng, device, verbose
):
    """Train ``network``'s embeddings and first LSTM layer to predict the next word.

    Parameters
    ----------
    network : LSTMTextNetwork
        The network; its embeddings and first layer (both directions) are trained, the
        rest is left untouched.
    sequences : RaggedSequences
        The training texts as token ids.
    epochs : int
        Passes over ``sequences``.
    batch_size : int
        Texts per step.
    learning_rate : float
        Adam's learning rate.
    rng : numpy.random.Generator
        Source of the batch order (torch's generator draws the dropout and the negatives).
    device : torch.device
        Where to train.
    verbose : int
        1 shows a progress bar per epoch.

    Returns
    -------
    history : list of dict
        One row per completed epoch: ``epoch``, ``train_loss`` (negative-sampling loss per
        predicted word), ``seconds`` and ``tokens_per_second``. Ctrl-C ends pretraining
        early with a warning and returns the epochs completed.
    """
    layers = [network.forward_layers[0], *network.backward_layers[:1]]
    projections = nn.ModuleList(
        nn.Linear(layer.hidden_size, network.embedding.embedding_dim) for layer in layers
    ).to(device)
    trained = [network.embedding, network.ngram_embedding, *layers, projections]
    parameters = [p for m in trained if m is not None for p in m.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(parameters, lr=learning_rate, fused=True)
    noise = _noise_distribution(sequences, network.embedding.num_embeddings).to(device)
    history = []
    network.train()
    try:
        for epoch in range(1, epochs + 1):
            step = _pretraining_step(network, layers, projections, noise, optimizer, device)
            history.append(_pretrain_epoch(step, sequences, batch_size, rng, verbose, epoch))
    except KeyboardInterrupt:
        warnings.warn(
            f"Language-model pretraining interrupted after {len(history)} complete epoch(s); "
            f"training on the labels starts now (Ctrl-C again stops it too).",
            stacklevel=3,
        )
    network.eval()
    return history


def _noise_distribution(sequences, n_ids):
    # word2vec's choice: unigram frequencies to the power 3/4; never padding or unknown.
    words = sequences.ids if sequences.ids.ndim == 1 else sequences.ids[:, 0]
    counts = np.bincount(words, minlength=n_ids).astype(np.float64)
    counts[: UNKNOWN_ID + 1] = 0
    if not counts.any():  # truncation kept no vocabulary word: there is nothing to predict
        counts[UNKNOWN_ID + 1 :] = 1
    weights = counts**0.75
    return torch.as_tensor(weights / weights.sum(), dtype=torch.float32)


def _pretraining_step(network, layers, projections, noise, optimizer, device):
    def step(ids, lengths):
        """One optimizer step on a padded batch; returns (loss, words predicted)."""
        ids, lengths = ids.to(device), lengths.to(device)
        words = ids if ids.dim() == 2 else ids[:, :, 0]  # (B, T)
        mask, reverse = text_positions(lengths, words.size(1))
        inputs = network.dropout(network.embed(ids))  # (B, T, E)
        # The word after each step in each reading direction; the last step has none.
        readings = [(inputs, words)]
        if len(layers) > 1:
            readings.append((reorder(inputs, reverse), words.gather(1, reverse)))
        targets_of = network.embedding.weight.detach()  # (V, E)
        negatives = targets_of[torch.multinomial(noise, N_NEGATIVES, replacement=True)]  # (K, E)
        total, n_words = 0.0, 0
        for layer, projection, reading in zip(layers, projections, readings, strict=True):
            inputs_read, words_read = reading
            predicted = projection(layer(inputs_read)[0][:, :-1])  # (B, T-1, E)
            following = words_read[:, 1:]  # (B, T-1)
            scored = mask[:, 1:] & (following > UNKNOWN_ID)  # (B, T-1)
            positive = (predicted * targets_of[following]).sum(2)  # (B, T-1)
            negative = predicted @ negatives.T  # (B, T-1, K)
            losses = -F.logsigmoid(positive) - F.logsigmoid(-negative).sum(2)  # (B, T-1)
            total = total + (losses * scored).sum()
            n_words += int(scored.sum())
        if n_words == 0:  # only one-word texts: nothing to predict
            return 0.0, 0
        loss = total / n_words
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.item(), n_words

    return step


def _pretrain_epoch(step, sequences, batch_size, rng, verbose, epoch):
    batches = bucketed_batches(sequences.lengths, batch_size, rng)
    total_loss, n_words, n_tokens = 0.0, 0, 0
    start = time.perf_counter()
    with tqdm(
        batches, desc=f"pretraining {epoch}", unit="batch", disable=not verbose, leave=True
    ) as progress:
        for index in progress:
            ids, lengths = pad_batch(sequences, index)
            loss, words = step(ids, lengths)
            total_loss += loss * words
            n_words += words
            n_tokens += int(lengths.sum())
            progress.set_postfix(loss=f"{total_loss / max(n_words, 1):.4f}", refresh=False)
    seconds = time.perf_counter() - start
    return {
        "epoch": epoch,
        "train_loss": total_loss / max(n_words, 1),
        "seconds": seconds,
        "tokens_per_second": n_tokens / seconds,
    }
