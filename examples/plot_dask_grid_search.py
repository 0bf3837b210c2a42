"""
Grid search on a Dask cluster
=============================

scikit-learn runs the fits of :class:`~sklearn.model_selection.GridSearchCV` through
:mod:`joblib`, and joblib can hand them to a `Dask <https://distributed.dask.org>`_ cluster
(``pip install -e ".[dask]"``): the search code stays the same, only the backend changes.
Each fit of :class:`sklstm.LSTMSentimentClassifier` then runs in a worker process, on
whichever machine of the cluster has one free.

Here the cluster is a :class:`~dask.distributed.LocalCluster` of two worker processes on this
machine. So that the example runs in well under a minute on two CPU cores, it searches four
values of ``hidden_size`` by 2-fold cross-validation on 600 sentences of the MR movie-review
dataset (:func:`sklstm.datasets.load_mr`), with a small network and two epochs per fit; a real
search would use every sentence and larger networks, and gain more from the cluster.
"""

# %%
# The search
# ----------
# The cluster here is two worker processes of one thread each: each fit is one PyTorch
# process, and Dask already limits PyTorch to one thread in its workers. On a real cluster,
# connect to its scheduler instead, e.g. ``Client("tcp://scheduler-host:8786")``.
#
# ``n_jobs=-1`` lets joblib run as many fits at once as the cluster has worker threads; the
# best candidate is then refitted on all the training sentences, in this process. The worker
# processes start by importing this script, as every process started by Python's
# multiprocessing "spawn" method does: the ``if __name__ == "__main__"`` guards keep them
# from running it. :func:`~dask.distributed.get_task_stream` records where and when each
# task ran, here each fit.
import joblib
import matplotlib.pyplot as plt
import pandas as pd
from dask.distributed import Client, LocalCluster, get_task_stream
from sklearn.model_selection import GridSearchCV, train_test_split

from sklstm import LSTMSentimentClassifier
from sklstm.datasets import load_mr

if __name__ == "__main__":
    X, y = load_mr(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=600, test_size=200, stratify=y, random_state=0
    )
    lstm = LSTMSentimentClassifier(
        embedding_dim=16, max_iter=2, learning_rate_init=1e-2, random_state=0
    )
    search = GridSearchCV(lstm, {"hidden_size": [8, 16, 32, 64]}, cv=2, n_jobs=-1)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
        joblib.parallel_backend("dask"),
        get_task_stream(client) as task_stream,
    ):
        search.fit(X_train, y_train)

# %%
# Where the fits ran
# ------------------
# Each bar is the fit of one candidate on one fold, on the worker that ran it: the two workers
# ran two fits at a time. The first fit of each worker includes its import of PyTorch and
# sklstm.
if __name__ == "__main__":
    fits = pd.DataFrame(
        {"worker": task["worker"], "start": step["start"], "stop": step["stop"]}
        for task in task_stream.data
        for step in task["startstops"]
        if step["action"] == "compute"
    )
    fits[["start", "stop"]] -= fits["start"].min()
    by_worker = [runs for _, runs in fits.groupby("worker")]
    fig, ax = plt.subplots(figsize=(7, 2.5))
    for row, runs in enumerate(by_worker):
        ax.broken_barh(
            list(zip(runs["start"], runs["stop"] - runs["start"], strict=True)),
            (row - 0.35, 0.7),
            edgecolor="white",
        )
    ax.set_yticks(range(len(by_worker)), [f"worker {row + 1}" for row in range(len(by_worker))])
    ax.set_xlabel("seconds since the first fit started")
    fig.tight_layout()
    plt.show()

# %%
# The results
# -----------
# ``cv_results_`` as a table, one row per candidate. With so few sentences and epochs, expect
# accuracies near chance (0.5): this example shows where the fits run, not which size is best.
if __name__ == "__main__":
    results = pd.DataFrame(search.cv_results_)
    columns = ["param_hidden_size", "mean_test_score", "std_test_score", "mean_fit_time"]
    print(results[columns].round(3).to_string(index=False))
    print(f"best: {search.best_params_}, test accuracy {search.score(X_test, y_test):.3f}")

# %%
# Ray
# ---
# `Ray <https://docs.ray.io>`_ provides a joblib backend too (``pip install ray``); on a Ray
# cluster the search is::
#
#     from ray.util.joblib import register_ray
#
#     register_ray()
#     with joblib.parallel_backend("ray"):
#         search.fit(X_train, y_train)
#
# A GPU for each worker
# ---------------------
# With ``device="auto"`` (the default) a fit trains on the GPU that its process sees. To give
# each worker a GPU of its own, start one worker process per GPU, each seeing only its GPU
# through ``CUDA_VISIBLE_DEVICES``:
#
# * with Dask, on each machine, ``CUDA_VISIBLE_DEVICES=0 dask worker tcp://scheduler-host:8786
#   --nworkers 1 --nthreads 1``, then the same with ``CUDA_VISIBLE_DEVICES=1`` and so on; or
#   ``dask_cuda.LocalCUDACluster()`` from the `dask-cuda
#   <https://docs.rapids.ai/api/dask-cuda/stable/>`_ package, which starts one such worker per
#   GPU of the machine;
# * with Ray, ask for a GPU per task, ``joblib.parallel_backend("ray",
#   ray_remote_args={"num_gpus": 1})``: Ray sets ``CUDA_VISIBLE_DEVICES`` for each task.
#
# On a single machine without a cluster, ``device="cuda:0"``, ``"cuda:1"``, ... picks the GPU
# of each estimator explicitly.
