"""Matrix-product FLOPs per second of sklstm's training, as a share of this machine's matmul.

The ceiling is measured in the same process: ``torch.matmul`` of two 2048 x 2048 fp32
matrices (2 * 2048**3 FLOPs), best of ``--matmul-repeats`` runs after a warm-up, with the
same torch threads as training. Training runs twice, with ``precision="float32"`` and with
``precision="bfloat16"`` (the default's choice on a CPU with bfloat16 instructions); the
bfloat16 row also gives its share of a bfloat16 2048 x 2048 matmul, measured the same way.

The training FLOPs are counted analytically, for the matrix products only (gate
nonlinearities, embedding lookups, pooling and Adam are not counted). One LSTM direction of
one layer, for one time step of one text, multiplies the input (size I) by W_ih (4H x I) and
the previous state (size H) by W_hh (4H x H): 4H(I + H) multiply-adds, that is
2 * 4H(I + H) FLOPs forward. The backward pass computes the gradients with respect to the
inputs and to the weights, each as costly as the forward product, so a training step costs
about 3x the forward pass. With the defaults (E = H = 128, bidirectional, one layer) that is
2 directions * 2 * 512 * 256 = 524,288 FLOPs forward, 1.57 MFLOP of training per step. The
output layer (2 * in_features * n_outputs per text, also x3) is added though negligible.

Two shares are reported:

- work done: FLOPs of every step the LSTM runs, padding included (each batch runs both
  directions over batch_size x its padded width);
- useful work: FLOPs of the real tokens only.

The network is sklstm's default one, trained by ``LSTMSentimentClassifier.fit`` for one
epoch of ``--batches`` batches of IMDB training texts; time is ``history_["seconds"]`` (the
training loop, without tokenising). The padded width of every batch is recorded by wrapping
``sklstm.training.pad_batch``, which the training loop calls once per batch; only the
steps the LSTM reads count (a text's ids beyond ``max_len`` feed the linear path alone).

A third rate bounds the first two: ``kernel``, one direction's ``nn.LSTM`` trained alone on
unpadded time-major batches of the same size (see :func:`lstm_kernel_flops_per_second`). The
training cannot pass it, so the gap between it and the work done is what the code around the
kernel costs, and the gap between it and the matmul is oneDNN's.

    python benchmarks/roofline.py                                 # full size: 200 batches
    python benchmarks/roofline.py --batches 20 --max-len 64       # small check
"""

import argparse
import time

import torch
from common import (
    add_threads_flag,
    load_imdb,
    record_batches,
    save,
    set_threads,
    settings_text,
)

from sklstm import LSTMSentimentClassifier, reuse_freed_memory


def matmul_flops_per_second(n=2048, repeats=10, dtype=torch.float32):
    """Best FLOP rate of an n x n matrix product in ``dtype``."""
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    out = torch.empty(n, n, dtype=dtype)
    torch.matmul(a, b, out=out)  # warm-up: thread pool, MKL buffers
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best


def lstm_kernel_flops_per_second(clf, precision, steps=256, repeats=5):
    """Best training FLOP rate of one of the estimator's ``nn.LSTM`` directions alone.

    Forward and backward of a (``steps``, batch_size, embedding_dim) time-major batch with no
    padding, dropout, embedding or pooling around it, under the autocast that ``precision``
    trains with: the ceiling oneDNN's LSTM kernel puts on training, whatever the code around it.
    """
    lstm = torch.nn.LSTM(clf.embedding_dim, clf.hidden_size)
    inputs = torch.randn(steps, clf.batch_size, clf.embedding_dim, requires_grad=True)
    enabled = precision == "bfloat16"

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=enabled):
            outputs = lstm(inputs)[0]
        outputs.float().sum().backward()

    step()  # warm-up: oneDNN builds its primitive for the shape
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    per_step = 3 * 2 * 4 * clf.hidden_size * (clf.embedding_dim + clf.hidden_size)
    return per_step * steps * clf.batch_size / best


def lstm_forward_flops_per_step(clf):
    """Forward matrix-product FLOPs of all LSTM layers and directions, one step of one text."""
    directions = 2 if clf.bidirectional else 1
    hidden = clf.hidden_size
    flops = 0
    for layer in range(clf.num_layers):
        inputs = clf.embedding_dim if layer == 0 else directions * hidden
        flops += directions * 2 * 4 * hidden * (inputs + hidden)
    return flops


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=200, help="training batches to time")
    parser.add_argument("--batch-size", type=int, default=LSTMSentimentClassifier().batch_size)
    parser.add_argument("--max-len", type=int, default=400)
    parser.add_argument("--matmul-repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    add_threads_flag(parser)
    args = parser.parse_args()
    reuse_freed_memory()
    set_threads(args.threads)

    peak = matmul_flops_per_second(repeats=args.matmul_repeats)
    texts, labels = load_imdb("train", args.batches * args.batch_size, args.seed)
    rows = []
    for precision in ("float32", "bfloat16"):
        row = {"precision": precision, "matmul_gflops": peak / 1e9}
        row.update(measure_training(texts, labels, precision, peak, args))
        if precision == "bfloat16":
            own_peak = matmul_flops_per_second(repeats=args.matmul_repeats, dtype=torch.bfloat16)
            row["bfloat16_matmul_gflops"] = own_peak / 1e9
            row["work_share_of_bfloat16_matmul"] = row["work_gflops"] * 1e9 / own_peak
            row["kernel_share_of_bfloat16_matmul"] = row["kernel_gflops"] * 1e9 / own_peak
        rows.append(row)
    small = args.batches != 200 or args.max_len != 400
    save(rows, "roofline", small, settings_text(args))


def measure_training(texts, labels, precision, peak, args):
    """Train one epoch with ``precision``; its FLOP rates and their shares of ``peak``."""
    batches = record_batches(args.max_len)
    # One forward and backward pass per step, as the FLOP count assumes; adversarial
    # training runs a second one at the same efficiency.
    clf = LSTMSentimentClassifier(
        max_len=args.max_len,
        batch_size=args.batch_size,
        max_iter=1,
        adversarial_epsilon=0.0,
        random_state=args.seed,
        precision=precision,
    ).fit(texts, labels)
    seconds = clf.history_["seconds"].iloc[0]
    padded_steps = sum(batch.padded for batch in batches)
    real_steps = sum(batch.real for batch in batches)
    per_step = 3 * lstm_forward_flops_per_step(clf)
    output_layer = 3 * 2 * clf.module_.output.in_features * clf.module_.output.out_features
    work = (per_step * padded_steps + output_layer * len(texts)) / seconds
    useful = (per_step * real_steps + output_layer * len(texts)) / seconds
    kernel = lstm_kernel_flops_per_second(clf, precision)
    return {
        "batches": len(batches),
        "train_seconds": seconds,
        "real_tokens": real_steps,
        "padded_tokens": padded_steps,
        "padding_share": 1 - real_steps / padded_steps,
        "train_mflop_per_token": per_step / 1e6,
        "work_gflops": work / 1e9,
        "useful_gflops": useful / 1e9,
        "work_share_of_matmul": work / peak,
        "useful_share_of_matmul": useful / peak,
        "kernel_gflops": kernel / 1e9,
        "kernel_share_of_matmul": kernel / peak,
    }


if __name__ == "__main__":
    main()
