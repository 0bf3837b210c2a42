"""Training speed on IMDB: sklstm against skorch and a plain PyTorch loop on padded arrays.

Three ways of training the *same* network (``sklstm.network.LSTMTextNetwork`` with the same
sizes, dropout and pooling) with Adam (the estimator's default learning rate, ``fused=True``),
the same batch size, ``max_len``, number of epochs, seed and token ids (those of the
``VocabularyTransformer`` fitted by the sklstm arm):

- ``sklstm``: ``LSTMSentimentClassifier.fit``; seconds per epoch from ``history_`` (the
  training loop only, not the tokenising). Batches hold texts of similar length, padded
  to their own longest text rounded up to one of a few widths. ``precision="auto"``, the
  default: bfloat16 matrix products on a CPU with bfloat16 instructions, float32 elsewhere.
- ``sklstm-float32``: the same with ``precision="float32"``, the arithmetic of the other
  arms, so that the gain of the batching alone shows.
- ``skorch``: skorch's ``NeuralNetBinaryClassifier`` (its ``NeuralNetClassifier`` for a
  single logit, so the network and the loss stay exactly sklstm's) fed the ids as one
  array padded to ``max_len``, as skorch's IMDB/RNN examples do; a small wrapper module
  computes the lengths from the padding. ``train_split=None`` so it trains on every text,
  like the other arms; seconds per epoch from ``net.history[:, "dur"]``.
- ``plain``: a plain PyTorch loop over shuffled batches of that padded array.

Padding never changes what the network computes (pooling is masked, the backward direction
reads each text reversed within its own length), so the arms differ only in the work spent
on padding and in per-batch overhead. Tokens per second count only real tokens (the same
number for every arm: each text's length after ``max_len`` truncation, an empty text
counting as one); test accuracy after the same number of epochs is measured for each arm
with the same prediction code (the arm's weights loaded into the fitted sklstm estimator).
Targets: sklstm at least 2.5x the tokens/s of skorch and 2x the plain loop, at equal or
better test accuracy. ``sklstm_speedup`` is the sklstm arm's tokens/s over each arm's, and
``float32_speedup`` the sklstm-float32 arm's.

Every run calls ``sklstm.reuse_freed_memory()`` first, for every arm alike, except with
``--compare-allocators``: that runs the arms in fresh processes under plain glibc, glibc
after ``reuse_freed_memory()`` ("reuse") and tcmalloc (``LD_PRELOAD``
of Debian's libtcmalloc_minimal.so.4), ``--rounds`` times interleaved, and writes
``results/allocators[_small].csv`` with tokens/s and minor page faults per batch.

    python benchmarks/training_speed.py              # full size, the estimator's 3 epochs
    python benchmarks/training_speed.py --limit 1500 --test-limit 1000 --epochs 1 --max-len 64
    python benchmarks/training_speed.py --compare-allocators --limit 1500 --epochs 1 --rounds 3
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
from common import (
    TCMALLOC,
    add_threads_flag,
    allocator,
    load_imdb,
    minor_page_faults,
    real_tokens,
    record_batches,
    save,
    set_threads,
    settings_text,
)
from skorch import NeuralNetBinaryClassifier
from torch import nn
from torch.nn import functional as F

from sklstm import LSTMSentimentClassifier, reuse_freed_memory
from sklstm.network import LSTMTextNetwork
from sklstm.text import PAD_ID

ARMS = ("sklstm", "sklstm-float32", "skorch", "plain")
TARGETS = {"skorch": 2.5, "plain": 2.0}  # sklstm's tokens/s must be at least this many times
LEARNING_RATE = LSTMSentimentClassifier().learning_rate_init


class PaddedInput(nn.Module):
    """Gives skorch a module of one input: ids padded with 0, lengths taken from the padding."""

    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, ids):
        # Token ids are >= 1 (1 is the unknown word), so the non-zero ids are the real tokens;
        # an empty text counts as one token, as in sklstm.
        lengths = (ids != PAD_ID).sum(1).clamp(min=1)
        return self.network(ids, lengths)


def pad_to(sequences, max_len):
    """All sequences as one (n, max_len) int64 array, padded at the end with ``PAD_ID``."""
    inside = np.arange(max_len) < sequences.lengths[:, None]
    ids = np.full((len(sequences), max_len), PAD_ID, dtype=np.int64)
    ids[inside] = sequences.ids  # row-major order of `inside` is the order of the ragged ids
    return ids


def new_network(clf, seed):
    """A freshly initialised network of the same sizes as the fitted estimator's."""
    torch.manual_seed(seed)
    return LSTMTextNetwork(
        n_ids=clf.vectorizer_.n_ids_,
        n_ngram_ids=0,  # words only, as with the estimator's default ngram_range
        embedding_dim=clf.embedding_dim,
        hidden_size=clf.hidden_size,
        num_layers=clf.num_layers,
        bidirectional=clf.bidirectional,
        pooling=tuple(clf.pooling.split("+")),
        dropout=clf.dropout,
        n_outputs=1,  # binary: one logit, as sklstm uses
    )


def run_sklstm(train_texts, y_train, args, precision="auto"):
    clf = LSTMSentimentClassifier(
        max_len=args.max_len,
        batch_size=args.batch_size,
        max_iter=args.epochs,
        n_iter_no_change=args.epochs,  # never stop before the last epoch
        learning_rate_init=LEARNING_RATE,
        pretrained_embeddings=None,  # random vectors, as the other arms start from
        linear_ngram_range=None,  # the LSTM alone, as the other arms train it
        adversarial_epsilon=0.0,  # one forward and backward pass per step, as theirs
        random_state=args.seed,
        precision=precision,
    ).fit(train_texts, y_train)
    assert len(clf.history_) == args.epochs
    return clf, clf.history_["seconds"].tolist()


def run_skorch(network, padded, y_train, args):
    net = NeuralNetBinaryClassifier(
        PaddedInput(network),
        optimizer=torch.optim.Adam,
        optimizer__fused=True,
        lr=LEARNING_RATE,
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
    )
    net.fit(padded, y_train.astype(np.float32))
    return net.history[:, "dur"]


def run_plain(network, padded, lengths, y_train, args):
    optimizer = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE, fused=True)
    ids, lengths = torch.from_numpy(padded), torch.from_numpy(np.maximum(lengths, 1))
    targets = torch.tensor(y_train, dtype=torch.float32)
    rng = np.random.default_rng(args.seed)
    seconds = []
    for _ in range(args.epochs):
        network.train()
        start = time.perf_counter()
        order = torch.from_numpy(rng.permutation(len(ids)))
        for batch in order.split(args.batch_size):
            logits = network(ids[batch], lengths[batch])
            loss = F.binary_cross_entropy_with_logits(logits[:, 0], targets[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
    network.eval()
    return seconds


def measure(args):
    """Train every arm in this process; one result row per arm."""
    train_texts, y_train = load_imdb("train", args.limit, args.seed)
    test_texts, y_test = load_imdb("test", args.test_limit, args.seed)
    arms = args.arms.split(",")
    # The sklstm arm always runs: its fitted vocabulary gives the ids of the other arms.
    sklstm_batches = record_batches(args.max_len)
    clf, sklstm_seconds = run_sklstm(train_texts, y_train, args)
    # Faults from the first training batch on, so the tokenising is left out.
    faults = {"sklstm": minor_page_faults() - sklstm_batches[0].faults}
    sequences = clf.vectorizer_.transform(train_texts)
    padded = pad_to(sequences, args.max_len)
    n_real = real_tokens(sequences)
    seconds, networks = {"sklstm": sklstm_seconds}, {"sklstm": clf.module_}
    # sklstm pads each batch to its own longest text; the other arms pad every text to max_len.
    padded_per_epoch = {"sklstm": sum(b.padded for b in sklstm_batches) // args.epochs}
    for arm in arms:
        if arm == "sklstm-float32":
            float32_batches = record_batches(args.max_len)
            float32_clf, seconds[arm] = run_sklstm(train_texts, y_train, args, "float32")
            faults[arm] = minor_page_faults() - float32_batches[0].faults
            padded_per_epoch[arm] = sum(b.padded for b in float32_batches) // args.epochs
            networks[arm] = float32_clf.module_
        if arm in ("skorch", "plain"):
            networks[arm] = new_network(clf, args.seed)
            faults[arm] = minor_page_faults()
            if arm == "skorch":
                seconds[arm] = run_skorch(networks[arm], padded, y_train, args)
            else:
                seconds[arm] = run_plain(networks[arm], padded, sequences.lengths, y_train, args)
            faults[arm] = minor_page_faults() - faults[arm]
    n_batches = args.epochs * -(-len(train_texts) // args.batch_size)
    rows = []
    for arm in arms:
        rows.append(
            {
                "arm": arm,
                "allocator": args.allocator,
                "texts": len(train_texts),
                "epochs": args.epochs,
                "real_tokens_per_epoch": n_real,
                "padded_tokens_per_epoch": padded_per_epoch.get(arm, padded.size),
                "seconds_per_epoch": float(np.mean(seconds[arm])),
                "first_epoch_seconds": float(seconds[arm][0]),
                "tokens_per_second": n_real * args.epochs / float(np.sum(seconds[arm])),
                "page_faults_per_batch": faults[arm] / n_batches,
            }
        )
    speeds = {row["arm"]: row["tokens_per_second"] for row in rows}
    for row in rows:
        if "sklstm" in speeds:
            row["sklstm_speedup"] = speeds["sklstm"] / row["tokens_per_second"]
            row["target_speedup"] = TARGETS.get(row["arm"], np.nan)
        if "sklstm-float32" in speeds:
            row["float32_speedup"] = speeds["sklstm-float32"] / row["tokens_per_second"]
        if not args.no_score:
            # The same prediction code for every arm: load the arm's weights into the estimator.
            clf.module_ = networks[row["arm"]]
            row["test_texts"] = len(test_texts)
            row["test_accuracy"] = clf.score(test_texts, y_test)
    return rows


def compare_allocators(args):
    """Run the arms under each allocator, each in a fresh process, ``--rounds`` times."""
    sizes = ["limit", "test_limit", "max_len", "epochs", "batch_size", "seed", "threads"]
    forwarded = ["--arms", args.arms, "--no-score", "--json"]
    for key in sizes:
        if getattr(args, key) is not None:
            forwarded += ["--" + key.replace("_", "-"), str(getattr(args, key))]
    allocators = ["glibc", "reuse", "tcmalloc"]
    if not TCMALLOC.exists():
        print(f"no {TCMALLOC} (apt-get install libtcmalloc-minimal4): tcmalloc skipped")
        allocators.remove("tcmalloc")
    rows = []
    # Rounds interleave the allocators, so that a change of load on the machine hits all alike.
    for round_ in range(1, args.rounds + 1):
        for name in allocators:
            env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
            if name == "tcmalloc":
                env["LD_PRELOAD"] = str(TCMALLOC)
            print(f"round {round_}: training under {name} ...", flush=True)
            command = [sys.executable, __file__, "--allocator", name, *forwarded]
            output = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True)
            for row in json.loads(output.stdout.strip().splitlines()[-1]):
                row.pop("sklstm_speedup", None)
                row.pop("target_speedup", None)
                rows.append({"round": round_, **row})
    for row in rows:
        reference = next(
            r["tokens_per_second"]
            for r in rows
            if (r["round"], r["arm"], r["allocator"]) == (row["round"], row["arm"], "reuse")
        )
        row["speed_vs_reuse"] = row["tokens_per_second"] / reference
    settings = settings_text(args).replace("allocator=reuse ", "")
    save(rows, "allocators", small=args.limit is not None, settings=settings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="use only this many training texts")
    parser.add_argument("--test-limit", type=int, help="score on only this many test texts")
    parser.add_argument("--max-len", type=int, default=400, help="tokens kept per text")
    parser.add_argument(
        "--epochs", type=int, default=LSTMSentimentClassifier().max_iter, help="epochs of every arm"
    )
    parser.add_argument("--batch-size", type=int, default=LSTMSentimentClassifier().batch_size)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--arms", default=",".join(ARMS), help="comma-separated, of " + str(ARMS))
    parser.add_argument("--no-score", action="store_true", help="skip the test accuracy")
    parser.add_argument("--compare-allocators", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="with --compare-allocators")
    add_threads_flag(parser)
    # Set by --compare-allocators for the processes it starts.
    parser.add_argument("--allocator", choices=["reuse", "glibc", "tcmalloc"], default="reuse")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare_allocators:
        set_threads(args.threads)  # only for the machine column: the runs are other processes
        return compare_allocators(args)
    if (args.allocator == "tcmalloc") != (allocator() == "tcmalloc"):
        parser.error(f"--allocator {args.allocator} but this process runs under {allocator()}")
    if args.allocator == "reuse":
        reuse_freed_memory()
    set_threads(args.threads)
    rows = measure(args)
    if args.json:
        print(json.dumps(rows))
        return
    small = args.limit is not None or args.max_len != 400 or args.test_limit is not None
    save(rows, "training_speed", small, settings_text(args))


if __name__ == "__main__":
    main()
