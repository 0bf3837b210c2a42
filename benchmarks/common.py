"""Helpers shared by the benchmarks: data, settings, machine info, results."""

import json
import os
import platform
import resource
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import torch

import sklstm.batching
import sklstm.training

RESULTS = Path(__file__).resolve().parent / "results"
# The real datasets live beside the repository (../shared/data); SKLSTM_DATA overrides that,
# as in run.sh.
DATA = Path(os.environ.get("SKLSTM_DATA") or Path(__file__).resolve().parents[2] / "shared/data")
TCMALLOC = Path("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4")


def load_imdb(split, limit=None, seed=0):
    """IMDB texts (list of str) and labels (int ndarray) of ``split``, shuffled.

    The files are sorted by label, so they are shuffled before ``limit`` keeps a subset that
    holds both classes.
    """
    frame = pd.read_csv(DATA / "imdb" / f"{split}.csv.gz")
    frame = frame.sample(frac=1.0, random_state=seed)
    if limit is not None:
        frame = frame.iloc[:limit]
    return frame["text"].tolist(), frame["label"].to_numpy()


def read_params(text):
    """Estimator parameters from a JSON object; JSON lists become tuples ("ngram_range")."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(text).items()}


def add_threads_flag(parser):
    """``--threads``: torch threads; fewer than the cores only to share a busy machine."""
    parser.add_argument(
        "--threads", type=int, help="torch threads (default: torch's, one per core)"
    )


def set_threads(threads):
    if threads is not None:
        torch.set_num_threads(threads)


def machine():
    """Platform, CPU model, cpu count and torch version, for the ``machine`` column."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line)
    except (OSError, StopIteration):
        pass
    return (
        f"{platform.system()} {platform.machine()} {model}, {os.cpu_count()} cpus, "
        f"{torch.get_num_threads()} torch threads, torch {torch.__version__}"
    )


def allocator():
    """The C allocator of this process: "tcmalloc" when it is loaded, else "glibc"."""
    try:
        with open("/proc/self/maps") as maps:
            return "tcmalloc" if "tcmalloc" in maps.read() else "glibc"
    except OSError:
        return "glibc"


def real_tokens(sequences):
    """Tokens the network must read: each text's length, an empty text counting as one.

    This is the count sklstm's ``history_["tokens_per_second"]`` uses (see ``pad_batch``).
    """
    return int(np.maximum(sequences.lengths, 1).sum())


class Batch(NamedTuple):
    padded: int  # steps the LSTM runs on the padded batch (batch size x width read)
    real: int  # real tokens it reads
    faults: int  # minor page faults of the process when the batch was padded


def record_batches(max_steps):
    """Record every batch that sklstm's training loop pads, as a :class:`Batch`.

    Wraps ``sklstm.training.pad_batch``, which the loop calls once per training batch; the
    returned list fills up as the loop runs, until the next call starts a new list. Only the
    first ``max_steps`` steps of a batch count: the estimator's ``max_len``, beyond which a
    text's ids feed the linear path alone.
    """
    batches = []
    original = sklstm.batching.pad_batch

    def recording_pad_batch(sequences, index, **options):
        ids, lengths = original(sequences, index, **options)
        read = lengths.clamp(max=max_steps)
        width = min(ids.size(1), max_steps)
        batches.append(Batch(len(index) * width, int(read.sum()), minor_page_faults()))
        return ids, lengths

    sklstm.training.pad_batch = recording_pad_batch
    return batches


def save(rows, name, small, settings):
    """Add ``rows`` to ``results/<name>.csv`` (``<name>_small.csv`` for reduced runs)."""
    table = pd.DataFrame(rows)
    table["settings"] = settings
    table["date"] = date.today().isoformat()
    table["machine"] = machine()
    table["commit"] = STARTED_AT
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}{'_small' if small else ''}.csv"
    # Rewritten rather than appended to, so that a run with a new column keeps the file
    # readable (earlier rows get it empty); they are read as text, so they come back unchanged.
    tables = [pd.read_csv(out, dtype=str, keep_default_na=False)] if out.exists() else []
    pd.concat([*tables, table], ignore_index=True).to_csv(out, index=False)
    shown = table.drop(columns=["settings", "date", "machine", "commit"])
    print(shown.to_string(index=False, float_format="{:.4g}".format))
    print(f"\nwritten to {out.relative_to(RESULTS.parents[1])}  ({table['machine'].iloc[0]})")
    return table


def commit():
    """The commit the code runs at, with "+changes" when the working tree differs from it."""
    root = RESULTS.parents[1]

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    code = ("sklstm", "benchmarks", ":(exclude)benchmarks/results")
    changed = git("status", "--porcelain", "--", *code)
    return f"{head}+changes" if changed else head


def settings_text(args):
    """The command-line settings of a run that are set, for the ``settings`` column."""
    settings = sorted((key, value) for key, value in vars(args).items() if value is not None)
    return " ".join(f"{key}={value}" for key, value in settings)


def rss_mib():
    """Current resident memory of this process, in MiB (VmRSS)."""
    return _status_kb("VmRSS") / 1024


def reset_peak_rss():
    """Reset this process's peak RSS (VmHWM) to its current RSS; False where not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def peak_rss_mib():
    """Peak resident memory since the last :func:`reset_peak_rss` (VmHWM), in MiB."""
    return _status_kb("VmHWM") / 1024


def max_rss_mib():
    """Peak resident memory of the whole process (ru_maxrss, never reset), in MiB."""
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, kB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def minor_page_faults():
    """Minor page faults of this process so far: memory the kernel had to map in."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _status_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not found in /proc/self/status")


# Taken when a benchmark starts, not when it saves: a commit made while a long run goes on
# must not label rows that ran on the code before it.
STARTED_AT = commit()
