"""Language-model pretraining: the first LSTM layer learns to predict the words of the texts.

Before the classifier trains, the first layer of the LSTM learns from texts without labels,
reading the word vectors the classifier starts from (kept as they are: trained by the
language model too, they lost what the PPMI start gives and scored no better): the forward
direction predicts each next word, the backward direction
each previous one (as the two language models of Peters et al., 2018, "Deep contextualized
word representations"; for one direction, the pretraining of Dai & Le, 2015,
"Semi-supervised sequence learning"). The softmax over the vocabulary would cost many times
the LSTM on a CPU, so each direction has an adaptive softmax (Grave et al., 2017, "Efficient
softmax approximation for GPUs"), which the frequency order of the vocabulary's ids suits:
the most frequent words get the full-size output, rarer ones smaller clusters.

Only the first layer is pretrained: above it each position sees both directions, which have
read the word to predict. With hashed n-grams (``ngram_range``) the language model reads the
word embeddings alone, since an n-gram ending at a step holds the word before it.
"""

import math
import time

import torch
from torch import nn

from .batching import bucketed_batches, pad_batch
from .network import reorder, reversed_positions

# The adaptive softmax's clusters: the 500 most frequent ids (most of the running text), the
# next 3,500, then the rest, each cluster's vectors 4 times smaller than the one before.
CUTOFFS = (500, 4000)
DIV_VALUE = 4.0


class LanguageModelHeads(nn.Module):
    """One adaptive softmax over the vocabulary for each direction of the first layer."""

    def __init__(self, hidden_size, n_ids, n_directions):
        super().__init__()
        # A vocabulary smaller than the first cluster is split in two.
        cutoffs = [cutoff for cutoff in CUTOFFS if cutoff < n_ids - 1] or [(n_ids - 1) // 2]
        self.heads = nn.ModuleList(
            nn.AdaptiveLogSoftmaxWithLoss(hidden_size, n_ids, cutoffs, div_value=DIV_VALUE)
            for _ in range(n_directions)
        )

    def loss(self, states, targets):
        """Mean over the directions of the mean negative log-likelihood of the words
        ``targets`` given ``states``: per direction, (n, H) and (n,) tensors."""
        losses = [head(s, t).loss for head, s, t in zip(self.heads, states, targets, strict=True)]
        return sum(losses) / len(losses)


def pretrain(
    network, sequences, *, epochs, batch_size, learning_rate, rng, device, compute_dtype, verbose
):
    """Train ``network``'s first layer as language models of ``sequences``.

    Parameters
    ----------
    network : LSTMTextNetwork
        The classifier's network; only its first layer changes.
    sequences : RaggedSequences
        The texts as ids (labelled and unlabelled alike).
    epochs, batch_size : int
    learning_rate : float
        Adam's learning rate.
    rng : numpy.random.Generator
        Source of the batches' order.
    device : torch.device
    compute_dtype : torch.dtype
        With ``torch.bfloat16``, the matrix products run in it under autocast, as in
        training.
    verbose : int
        Print a line per epoch.

    Returns
    -------
    history : list of dict
        Per epoch: ``epoch``, ``lm_loss`` (mean negative log-likelihood per word, in nats),
        ``seconds`` and ``tokens_per_second``.
    """
    n_directions = 1 + bool(network.backward_layers)
    heads = LanguageModelHeads(
        network.forward_layers[0].hidden_size, network.embedding.num_embeddings, n_directions
    ).to(device)
    parameters = [
        *network.forward_layers[0].parameters(),
        *(network.backward_layers[0].parameters() if n_directions == 2 else ()),
        *heads.parameters(),
    ]
    optimizer = torch.optim.Adam([p for p in parameters if p.requires_grad], lr=learning_rate)
    network.train()
    history = []
    for epoch in range(1, epochs + 1):
        start, total, n_words = time.perf_counter(), 0.0, 0
        for index in bucketed_batches(sequences.lengths, batch_size, rng):
            ids, lengths = pad_batch(sequences, index, few_shapes=True)
            words = (ids if ids.dim() == 2 else ids[:, :, 0])[:, : network.max_steps]
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(
                device.type, dtype=compute_dtype, enabled=compute_dtype != torch.float32
            ):
                loss, n = _language_model_loss(network, heads, words.to(device), lengths.to(device))
            if not math.isfinite(loss.item()):
                raise FloatingPointError(
                    f"The language model's loss became {loss.item()} in epoch {epoch}; "
                    f"pretraining diverged. Use a lower learning_rate_init."
                )
            loss.backward()
            optimizer.step()
            total, n_words = total + loss.item() * n, n_words + n
        seconds = time.perf_counter() - start
        history.append(
            {
                "epoch": epoch,
                "lm_loss": total / max(n_words, 1),
                "seconds": seconds,
                "tokens_per_second": n_words / seconds,
            }
        )
        if verbose:
            row = history[-1]
            print(
                f"language model, epoch {epoch}: loss={row['lm_loss']:.4f}, "
                f"tokens_per_s={row['tokens_per_second']:,.0f}, seconds={seconds:.1f}",
                flush=True,
            )
    network.eval()
    return history


def _language_model_loss(network, heads, words, lengths):
    """The batch's mean loss over its predicted words, and how many there are."""
    # words: (B, T), lengths: (B,)
    lengths = lengths.clamp(max=words.size(1))
    forward, backward = network.first_layer_states(words, lengths)  # (B, T, H) each
    # Each direction predicts, at every step but a text's last, the next word it will read:
    # the forward one in text order, the backward one in reversed order.
    positions = torch.arange(words.size(1) - 1, device=words.device)
    predicts = positions < lengths[:, None] - 1  # (B, T - 1)
    targets = [words[:, 1:][predicts]]  # [(n,)]
    states = [forward[:, :-1][predicts]]  # [(n, H)]
    if backward is not None:
        reverse = reversed_positions(lengths, words.size(1))
        reversed_words = reorder(words[:, :, None], reverse)[:, :, 0]  # (B, T)
        targets.append(reversed_words[:, 1:][predicts])
        states.append(backward[:, :-1][predicts])
    n = int(predicts.sum())
    if n == 0:  # texts of one word: nothing to predict
        return forward.sum() * 0.0, 0
    return heads.loss(states, targets), n
