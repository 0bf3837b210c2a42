"""Packed sequences against padded batches with masking, for the same bidirectional LSTM.

sklstm pads each length-bucketed batch to its own longest text and masks the pooling; the
alternative is ``pack_padded_sequence``, which skips padded steps entirely. This times a
training step (forward and backward) of both on the same IMDB batches and writes
``benchmarks/results/packed_vs_padded.csv``.

    python benchmarks/packed_vs_padded.py     # 8 batches of 32 IMDB reviews (packing is slow)
"""

import argparse
import os
import platform
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import sklstm
from sklstm.batching import bucketed_batches, pad_batch
from sklstm.network import LSTMTextNetwork
from sklstm.text import VocabularyTransformer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RESULTS = Path(__file__).resolve().parent / "results"
EMBEDDING, HIDDEN = 128, 128


class PackedNetwork(nn.Module):
    """Embedding -> packed bidirectional LSTM -> masked mean+max pooling -> Linear."""

    def __init__(self, n_ids):
        super().__init__()
        self.embedding = nn.Embedding(n_ids, EMBEDDING, padding_idx=0)
        self.lstm = nn.LSTM(EMBEDDING, HIDDEN, batch_first=True, bidirectional=True)
        self.output = nn.Linear(4 * HIDDEN, 1)

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(
            self.embedding(ids), lengths, batch_first=True, enforce_sorted=False
        )
        states, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True)  # (B, T, 2H)
        mask = (torch.arange(states.size(1)) < lengths[:, None])[:, :, None]
        mean = (states * mask).sum(1) / lengths[:, None]
        top = states.masked_fill(~mask, float("-inf")).amax(1)
        return self.output(torch.cat([mean, top], 1))


def tokens_per_second(network, batches, sequences):
    optimizer = torch.optim.Adam(network.parameters(), fused=True)
    for index in batches[:3]:  # warm-up: first calls build kernels and buffers
        _train_step(network, optimizer, *pad_batch(sequences, index))
    start, tokens = time.perf_counter(), 0
    for index in batches:
        ids, lengths = pad_batch(sequences, index)
        _train_step(network, optimizer, ids, lengths)
        tokens += int(lengths.sum())
    return tokens / (time.perf_counter() - start), len(batches)


def _train_step(network, optimizer, ids, lengths):
    loss = network(ids, lengths).square().mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def main(n_batches, batch_size):
    sklstm.reuse_freed_memory()
    texts = pd.read_csv(DATA / "imdb" / "train.csv.gz").text.sample(4000, random_state=0)
    vectorizer = VocabularyTransformer()
    sequences = vectorizer.fit_transform(texts)
    batches = bucketed_batches(sequences.lengths, batch_size, np.random.default_rng(0))
    batches = batches[:n_batches]
    torch.manual_seed(0)
    padded = LSTMTextNetwork(
        vectorizer.n_ids_, 0, EMBEDDING, HIDDEN, 1, True, ("mean", "max"), 0, 1
    )
    rows = []
    for name, network in [
        ("padded + mask (sklstm)", padded),
        ("pack_padded_sequence", PackedNetwork(vectorizer.n_ids_)),
    ]:
        speed, steps = tokens_per_second(network, batches, sequences)
        rows.append({"input": name, "tokens_per_second": round(speed), "batches": steps})
    table = pd.DataFrame(rows)
    table["speed_vs_packed"] = table.tokens_per_second / table.tokens_per_second.iloc[-1]
    table["date"] = date.today().isoformat()
    table["machine"] = f"{platform.machine()} {os.cpu_count()} cpus torch {torch.__version__}"
    print(table.to_string(index=False))
    table.to_csv(RESULTS / "packed_vs_padded.csv", index=False)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    main(args.batches, args.batch_size)
