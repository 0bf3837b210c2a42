"""Scoring a Dask table of texts on a LocalCluster against predict_proba in this process.

A model with the defaults is fitted on ``--train`` (2,000) IMDB training reviews (the size of
the data it learned from does not change the cost of scoring). The texts to score are the
25,000 test and 50,000 unlabelled reviews, repeated to ``--texts`` (200,000), in
``--partitions`` (40) partitions of a Dask Series. Two rows:

- ``in_process``: ``model.predict_proba`` on all the texts, in this process (torch's threads,
  one per core);
- ``dask``: :func:`sklstm.dask.predict_proba_partitions` on a ``LocalCluster`` of
  ``--workers`` (2) processes of one thread each, the model scattered to every worker once.

Each row gives the seconds, texts per second and peak memory (this process's, or the
largest worker's, as the peak resident set size of the process); the ``dask`` row also the
largest absolute difference from the in-process probabilities and the share of texts whose
predicted class agrees.

    python benchmarks/dask_scoring.py
    python benchmarks/dask_scoring.py --texts 5000 --partitions 4 --train 300   # a small check
"""

import argparse
import time

import dask.dataframe as dd
import numpy as np
import pandas as pd
from common import (
    DATA,
    add_threads_flag,
    load_imdb,
    peak_rss_mib,
    reset_peak_rss,
    save,
    set_threads,
    settings_text,
)
from dask.distributed import Client, LocalCluster

from sklstm import LSTMSentimentClassifier, reuse_freed_memory
from sklstm.dask import predict_proba_partitions


def texts_to_score(n_texts):
    """The test and unlabelled IMDB reviews, repeated to ``n_texts``."""
    reviews = pd.concat(
        [pd.read_csv(DATA / "imdb" / f"{split}.csv.gz")["text"] for split in ("test", "unsup")],
        ignore_index=True,
    )
    return pd.Series(np.resize(reviews.to_numpy(dtype=object), n_texts))


def worker_peak_mib():
    """The peak resident memory of the calling process, in MiB: VmHWM, which starts afresh
    in every program (``ru_maxrss`` carries over from the process that started it). Defined
    here so that it is pickled by value to the workers, which cannot import ``common``."""
    with open("/proc/self/status") as status:
        peak_kb = next(line for line in status if line.startswith("VmHWM:")).split()[1]
    return int(peak_kb) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=int, default=2000)
    parser.add_argument("--texts", type=int, default=200_000)
    parser.add_argument("--partitions", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    add_threads_flag(parser)
    args = parser.parse_args()
    reuse_freed_memory()
    set_threads(args.threads)

    X_train, y_train = load_imdb("train", args.train, args.seed)
    model = LSTMSentimentClassifier(random_state=args.seed).fit(X_train, y_train)
    texts = texts_to_score(args.texts)

    reset_peak_rss()
    start = time.perf_counter()
    expected = model.predict_proba(texts)
    seconds = time.perf_counter() - start
    rows = [
        {
            "scoring": "in_process",
            "texts": len(texts),
            "seconds": seconds,
            "texts_per_second": len(texts) / seconds,
            "peak_memory_mb": peak_rss_mib(),
        }
    ]

    with (
        LocalCluster(
            n_workers=args.workers, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(reuse_freed_memory)
        frame = dd.from_pandas(texts, npartitions=args.partitions)
        start = time.perf_counter()
        proba = predict_proba_partitions(model, frame, client).compute().to_numpy()
        seconds = time.perf_counter() - start
        peaks = client.run(worker_peak_mib)
    rows.append(
        {
            "scoring": f"dask, {args.workers} workers of 1 thread",
            "texts": len(texts),
            "seconds": seconds,
            "texts_per_second": len(texts) / seconds,
            "peak_memory_mb": max(peaks.values()),
            "max_abs_difference": float(np.abs(proba - expected).max()),
            "same_class": float(np.mean(proba.argmax(1) == expected.argmax(1))),
        }
    )
    save(rows, "dask_scoring", args.texts < 200_000, settings_text(args))


if __name__ == "__main__":
    main()
