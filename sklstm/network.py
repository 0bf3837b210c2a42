"""The network: Embedding -> LSTM -> masked pooling over time -> Linear."""

import torch
from torch import nn

POOLINGS = ("last", "mean", "max", "bag")


class LSTMTextNetwork(nn.Module):
    """An LSTM over token ids whose outputs are pooled over each text's own length.

    Input is padded at the end (see :func:`sklstm.batching.pad_batch`). Padding never
    reaches a result: pooling is masked, and the backward direction of a bidirectional
    layer reads each text reversed within its own length, so it starts at the text's last
    token rather than at the padding. Each direction is its own ``nn.LSTM`` so that both
    run on padded, time-major input, the form oneDNN's fused CPU kernel accepts.

    Parameters
    ----------
    n_ids : int
        Size of the embedding table (vocabulary plus padding and unknown ids).
    n_ngram_ids : int
        Size of the hashed n-gram embedding table, 0 for words only. Each step's input is
        then its word embedding plus the embeddings of the n-grams ending there.
    embedding_dim, hidden_size, num_layers : int
        Sizes of the embedding, of each direction's hidden state, and number of layers.
    bidirectional : bool
        Add a backward direction to every layer.
    pooling : tuple of {"last", "mean", "max", "bag"}
        Poolings whose results are concatenated: of the LSTM's outputs (``"last"``,
        ``"mean"``, ``"max"``), or ``"bag"``, the masked mean of the input vectors.
    dropout : float
        Dropout on the embeddings, between layers and before the output layer.
    n_outputs : int
        Number of logits (1 for a binary problem).
    freeze_embedding : bool, default=False
        Keep the word embeddings as initialised (e.g. with pretrained vectors).
    n_linear_ids : int, default=0
        Rows of the linear path's weights, 0 for no linear path. With one, the last
        ``linear_orders`` id columns are the text's n-gram features (see
        :class:`~sklstm.VocabularyTransformer`'s ``linear_ngram_range``), and the logits
        gain the sum over the text's features of ``linear_weight * linear_scale``: a
        linear model of the n-grams beside the LSTM, trained with it. ``linear_scale``
        is a fixed per-feature scale (naive-Bayes log-count ratios, set by the
        estimator); ``linear_weight`` starts at zero.
    linear_orders : int, default=0
        Number of linear feature id columns.
    max_steps : int or None, default=None
        Steps of a text the LSTM reads; the linear path counts the features of every step.
        A text's steps beyond it are the tokens that truncation to ``max_len`` left out
        (see :class:`~sklstm.VocabularyTransformer`), kept for the linear path alone.
        None reads every step.
    """

    def __init__(
        self,
        n_ids,
        n_ngram_ids,
        embedding_dim,
        hidden_size,
        num_layers,
        bidirectional,
        pooling,
        dropout,
        n_outputs,
        freeze_embedding=False,
        n_linear_ids=0,
        linear_orders=0,
        max_steps=None,
    ):
        super().__init__()
        self.pooling = tuple(pooling)
        self.max_steps = max_steps
        self.linear_orders = linear_orders if n_linear_ids else 0
        self.embedding = nn.Embedding(n_ids, embedding_dim, padding_idx=0)
        self.embedding.weight.requires_grad_(not freeze_embedding)
        self.ngram_embedding = (
            nn.Embedding(n_ngram_ids, embedding_dim, padding_idx=0) if n_ngram_ids else None
        )
        self.dropout = UniformDropout(dropout)
        n_directions = 2 if bidirectional else 1
        sizes = [embedding_dim] + [n_directions * hidden_size] * (num_layers - 1)
        self.forward_layers = nn.ModuleList(_lstm(size, hidden_size) for size in sizes)
        self.backward_layers = nn.ModuleList(
            _lstm(size, hidden_size) for size in (sizes if bidirectional else [])
        )
        n_state_poolings = len(self.pooling) - ("bag" in self.pooling)
        n_features = n_state_poolings * n_directions * hidden_size
        n_features += embedding_dim if "bag" in self.pooling else 0
        self.output = nn.Linear(n_features, n_outputs)
        if self.linear_orders:
            self.linear_weight = nn.Parameter(torch.zeros(n_linear_ids, n_outputs))
            self.register_buffer("linear_scale", torch.zeros(n_linear_ids, n_outputs))

    def set_word_vectors(self, rows, vectors):
        """Start the embedding rows ``rows`` (int ndarray) from ``vectors`` (float ndarray)."""
        weight = self.embedding.weight
        with torch.no_grad():
            weight[torch.from_numpy(rows).to(weight.device)] = torch.from_numpy(vectors).to(weight)

    def forward(self, ids, lengths):
        # ids: (B, T) padded at the end, or (B, T, C): the word, the n-grams of its input,
        # the linear features; lengths: (B,), 1..T
        return self.classify(self.embed(ids), lengths, self.linear_terms(ids))  # (B, n_outputs)

    def steps_read(self, lengths):
        """How many steps of texts of ``lengths`` (tensor or ndarray) the LSTM reads."""
        return lengths if self.max_steps is None else lengths.clip(max=self.max_steps)

    def embed(self, ids):
        """Input vectors of the steps the LSTM reads: (B, T) or (B, T, C) ids -> (B, S, E),
        S = min(T, max_steps)."""
        ids = ids[:, : self.max_steps]
        if ids.dim() == 2:
            return self.embedding(ids)
        inputs = self.embedding(ids[:, :, 0])
        if self.ngram_embedding is not None:
            ngrams = ids[:, :, 1 : ids.size(2) - self.linear_orders]
            inputs = inputs + self.ngram_embedding(ngrams).sum(2)
        return inputs

    def linear_terms(self, ids):
        """Each step's contribution to the logits by the linear path: -> (B, T, n_outputs).

        None without a linear path.
        """
        if not self.linear_orders:
            return None
        weight = self.linear_weight * self.linear_scale  # (n_linear_ids, n_outputs)
        features = ids[:, :, ids.size(2) - self.linear_orders :]  # (B, T, linear_orders)
        return nn.functional.embedding(features, weight).sum(2)  # padding's row is 0

    def classify(self, inputs, lengths, linear=None):
        """Logits from input vectors (B, S, E), lengths (B,) and the linear path's terms
        (B, T, n_outputs) or None -> (B, n_outputs); the LSTM reads min(length, S) steps."""
        lengths = lengths.clamp(max=inputs.size(1))
        inputs = self.dropout(inputs)  # (B, S, E)
        # Time-major from here on: oneDNN's LSTM reads and writes (S, B, F), so batch-first
        # tensors cost a transposing copy into and out of every direction, forward and back.
        steps = inputs.transpose(0, 1).contiguous()  # (S, B, E)
        mask = torch.arange(steps.size(0), device=steps.device)[:, None] < lengths  # (S, B)
        reverse = reversed_positions(lengths, steps.size(0))  # (S, B)
        states = steps
        for i, forward_lstm in enumerate(self.forward_layers):
            feeds_a_layer = i + 1 < len(self.forward_layers)
            outputs = [forward_lstm(states)[0]]  # [(S, B, H)]
            if self.backward_layers:
                backward = self.backward_layers[i](reorder(states, reverse))[0]  # (S, B, H)
                # Pooling reads a text's steps in any order, so only outputs that feed
                # another layer are put back in text order.
                outputs.append(reorder(backward, reverse) if feeds_a_layer else backward)
            if feeds_a_layer:
                states = self.dropout(torch.cat(outputs, dim=2))  # (S, B, D*H)
        # Each direction is pooled on its own: the same features as pooling their
        # concatenation, without copying both into one tensor.
        pooled = torch.cat(
            [
                _pool(kind, pooled_states, mask, lengths)
                for kind in self.pooling
                for pooled_states in ([steps] if kind == "bag" else outputs)
            ],
            1,
        )
        logits = self.output(self.dropout(pooled))  # (B, n_outputs)
        return logits if linear is None else logits + linear.sum(1)


def _pool(kind, states, mask, lengths):
    # states: (S, B, F), mask: (S, B) -> (B, F); "bag" pools the input vectors, the others
    # LSTM outputs
    if kind in ("mean", "bag"):
        return (states * mask[:, :, None]).sum(0) / lengths[:, None]
    if kind == "max":
        return states.masked_fill(~mask[:, :, None], float("-inf")).amax(0)
    # "last": both directions end at step length - 1 (the backward one, read in reverse,
    # there holds its state after the text's first token).
    return states[lengths - 1, torch.arange(states.size(1), device=states.device)]


class UniformDropout(nn.Module):
    """Dropout that draws its CPU mask by comparing uniform numbers with ``p``.

    The same distribution as ``nn.Dropout``, whose CPU mask comes from ``bernoulli_``, a
    draw several times as slow as ``rand_like`` on torch 2.13.
    """

    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        if x.is_cuda:  # fused on GPUs, where it is fast
            return nn.functional.dropout(x, self.p, training=True)
        keep = torch.rand_like(x) >= self.p
        return x * keep / (1 - self.p)


def _lstm(input_size, hidden_size):
    return nn.LSTM(input_size, hidden_size)


def reversed_positions(lengths, n_steps):
    """For each step, where its token sits when the text is read backwards within its own
    length; padding steps stay where they are: lengths (B,) -> (n_steps, B)."""
    positions = torch.arange(n_steps, device=lengths.device)[:, None]
    return torch.where(positions < lengths, lengths - 1 - positions, positions)


def reorder(states, index):
    # states: (S, B, F), index: (S, B) -> states[index[s, b], b] for every s, b
    return states.gather(0, index[:, :, None].expand(-1, -1, states.size(2)))
