"""Peak resident memory of fitting on IMDB and of predicting 25,000 and 200,000 texts.

Every measurement runs in a fresh Python process, so peaks never mix; each process reports

- ``process_peak_mib``: its whole-life peak RSS (``ru_maxrss``: interpreter, torch, data
  and the measured call);
- ``rss_before_mib``: its RSS just before the measured call (data loaded);
- ``call_peak_increase_mib``: the peak RSS during the call (``VmHWM``, reset just before it
  through ``/proc/self/clear_refs``) minus ``rss_before_mib``: the memory the call itself
  needed.

Measurements:

1. ``fit``: ``LSTMSentimentClassifier`` with default parameters on the 25,000 training
   reviews, one epoch. The peak is reached within the first epoch (every epoch allocates the
   same batches, and the largest ones occur in each), so more epochs would not raise it.
   The fitted model is saved (joblib) for the next processes.
2. ``predict_proba`` on the 25,000 test reviews.
3. ``predict_proba`` on 200,000 texts: the test reviews repeated in a cycle. The list holds
   references to the same 25,000 strings, so the input costs only 8 bytes per text more;
   what is left to compare is the memory of the library's own work. As texts are turned
   into ids 1,024 at a time (``PREDICT_CHUNK_SIZE``), its increase should be about the same
   as for 25,000 texts.

Each process calls ``sklstm.reuse_freed_memory()`` like the other benchmarks; that lets it
keep up to 1 GiB of freed memory for reuse, which is part of the peaks measured here.

    python benchmarks/memory.py                                                  # full size
    python benchmarks/memory.py --limit 1500 --max-len 64 --predict 2000 16000   # small check
    # a tiny network: cheap, while tokenising and batching stay as at full size
    python benchmarks/memory.py --limit 1500 --embedding-dim 16 --hidden-size 16 --threads 1
"""

import argparse
import gc
import json
import subprocess
import sys
import tempfile
from itertools import cycle, islice
from pathlib import Path

import joblib
from common import (
    add_threads_flag,
    load_imdb,
    max_rss_mib,
    peak_rss_mib,
    reset_peak_rss,
    rss_mib,
    save,
    set_threads,
    settings_text,
)

from sklstm import LSTMSentimentClassifier, reuse_freed_memory

FULL_PREDICT = [25000, 200000]


def measure_call(function, *args):
    """RSS before ``function(*args)`` and the peak increase during it, in MiB."""
    gc.collect()
    reset = reset_peak_rss()
    before = rss_mib()
    function(*args)
    return {
        "rss_before_mib": before,
        "call_peak_increase_mib": (peak_rss_mib() if reset else max_rss_mib()) - before,
    }


def child(args):
    """One measurement, in this fresh process; prints its result as JSON."""
    reuse_freed_memory()
    set_threads(args.threads)
    if args.child == "fit":
        texts, labels = load_imdb("train", args.limit, args.seed)
        sizes = {"embedding_dim": args.embedding_dim, "hidden_size": args.hidden_size}
        clf = LSTMSentimentClassifier(
            max_len=args.max_len,
            max_iter=1,
            random_state=args.seed,
            **{name: size for name, size in sizes.items() if size is not None},
        )
        row = {"measurement": "fit (1 epoch)", "texts": len(texts)}
        row.update(measure_call(clf.fit, texts, labels))
        joblib.dump(clf, args.model)
    else:
        clf = joblib.load(args.model)
        test_texts, _ = load_imdb("test", None, args.seed)
        texts = list(islice(cycle(test_texts), args.texts))
        row = {"measurement": "predict_proba", "texts": len(texts)}
        row.update(measure_call(clf.predict_proba, texts))
    row["process_peak_mib"] = max_rss_mib()
    print(json.dumps(row))


def run_child(args, kind, model, texts=None):
    command = [sys.executable, __file__, "--child", kind, "--model", str(model)]
    command += ["--max-len", str(args.max_len), "--seed", str(args.seed)]
    flags = {
        "--limit": args.limit,
        "--texts": texts,
        "--threads": args.threads,
        "--embedding-dim": args.embedding_dim,
        "--hidden-size": args.hidden_size,
    }
    for flag, value in flags.items():
        if value is not None:
            command += [flag, str(value)]
    print(f"measuring {kind} {texts or ''} in a new process ...", flush=True)
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="fit on only this many training texts")
    parser.add_argument("--max-len", type=int, default=400, help="tokens kept per text")
    parser.add_argument("--predict", type=int, nargs="+", default=FULL_PREDICT, help="sizes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--embedding-dim", type=int, help="default: the estimator's")
    parser.add_argument("--hidden-size", type=int, help="default: the estimator's")
    add_threads_flag(parser)
    # Internal, for the measuring processes.
    parser.add_argument("--child", choices=["fit", "predict"], help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--texts", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    set_threads(args.threads)  # only so that the machine column shows the children's threads

    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "model.joblib"
        rows = [run_child(args, "fit", model)]
        rows += [run_child(args, "predict", model, n) for n in sorted(args.predict)]
    smallest = rows[1]["call_peak_increase_mib"]
    for row in rows[1:]:
        row["increase_vs_smallest_predict"] = row["call_peak_increase_mib"] / smallest
    small = (
        args.limit is not None
        or args.max_len != 400
        or args.predict != FULL_PREDICT
        or args.embedding_dim is not None
        or args.hidden_size is not None
    )
    save(rows, "memory", small, settings_text(args))


if __name__ == "__main__":
    main()
