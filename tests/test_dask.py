"""Grid search, successive halving and scoring on a Dask cluster, as users scale out."""

import os

import joblib
import numpy as np
import pandas as pd
import pytest
from conftest import EpochRecorder, check_halving_epochs
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV

from sklstm import LSTMSentimentClassifier, VocabularyTransformer
from sklstm.dask import predict_proba_partitions

distributed = pytest.importorskip(
    "dask.distributed", reason="dask is an optional extra: pip install -e '.[dask]'"
)
dd = pytest.importorskip("dask.dataframe", reason="dask is an optional extra")

# How many times each process unpickled a CountingLoads model.
LOADS = []


class CountingLoads(LSTMSentimentClassifier):
    """The estimator, counting in ``LOADS`` each time a process unpickles one."""

    def __setstate__(self, state):
        LOADS.append(1)
        super().__setstate__(state)


def loads_in_this_process():
    return len(LOADS)


@pytest.fixture
def client():
    # Two worker processes of one thread each: as small as a real cluster gets, and light on
    # a shared machine.
    try:
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    except (OSError, TimeoutError) as error:
        pytest.skip(f"cannot start a Dask LocalCluster here ({error!r}); nothing to test on")
    with cluster, distributed.Client(cluster) as client:
        yield client


def test_grid_search_runs_its_fits_on_the_dask_workers(client, make_corpus):
    texts, labels = make_corpus(n_texts=60)
    lstm = LSTMSentimentClassifier(
        embedding_dim=8, hidden_size=8, min_df=1, max_iter=2, random_state=0
    )
    search = GridSearchCV(lstm, {"hidden_size": [4, 8]}, cv=2, n_jobs=-1)
    with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        search.fit(texts, labels)
    # 2 candidates x 2 folds; joblib may batch several fits into one task.
    assert tasks.data, "no task ran on the cluster"
    workers = {task["worker"] for task in tasks.data}
    assert workers <= set(client.scheduler_info()["workers"])
    assert list(search.cv_results_["param_hidden_size"]) == [4, 8]
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.hidden_size == search.best_params_["hidden_size"]
    assert search.predict(texts[:5]).shape == (5,)


def test_successive_halving_gives_each_candidate_its_epochs_on_the_workers(
    client, make_corpus, tmp_path
):
    texts, labels = make_corpus(n_texts=60)
    # max_iter stays "auto"; n_iter_no_change=4 keeps any fit from stopping before its epochs.
    lstm = LSTMSentimentClassifier(embedding_dim=8, min_df=1, n_iter_no_change=4, random_state=0)
    grid = {"hidden_size": [4, 8], "learning_rate_init": [1e-2, 3e-2]}
    recorder = EpochRecorder(tmp_path / "fits.jsonl")
    search = HalvingGridSearchCV(
        lstm,
        grid,
        resource="max_iter",
        min_resources=1,
        max_resources=4,
        factor=2,
        cv=2,
        scoring=recorder,
        return_train_score=False,
        n_jobs=-1,
    )
    with joblib.parallel_backend("dask"):
        search.fit(texts, labels)
    assert search.n_resources_ == [1, 2, 4]
    records = recorder.records()
    check_halving_epochs(search, records, n_splits=2)
    # Every fit ran in a worker process (the scorer runs where its model was fitted).
    assert {record["pid"] for record in records} <= set(client.run(os.getpid).values())


def test_scoring_on_the_workers_gives_the_probabilities_of_predict_proba(client, make_corpus):
    texts, labels = make_corpus(n_texts=120, n_classes=3)
    model = CountingLoads(embedding_dim=8, hidden_size=8, min_df=1, max_iter=2, random_state=0)
    model.fit(texts, labels)
    ids = pd.RangeIndex(1000, 1120)
    table = pd.DataFrame({"id": ids, "text": texts}, index=ids)
    # The filter empties the first of the 6 partitions, as filters do on real tables.
    reviews = dd.from_pandas(table, npartitions=6)
    reviews = reviews[reviews["id"] >= 1020]
    partitions = [reviews["text"].get_partition(i).compute() for i in range(6)]
    assert not len(partitions[0])

    proba = predict_proba_partitions(model, reviews["text"])
    with distributed.get_task_stream(client) as tasks:
        scored = reviews.assign(**{f"p{label}": proba[label] for label in model.classes_})
        scored = scored.compute()

    # The same model and texts, computed the same way (one thread, the same batches): equal
    # to the last bit. predict_proba on another grouping of the texts batches them otherwise,
    # which moves float32 logits by rounding (about 1e-7), in this process too.
    expected = np.concatenate([model.predict_proba(part) for part in partitions if len(part)])
    np.testing.assert_array_equal(scored[["p0", "p1", "p2"]].to_numpy(), expected)
    np.testing.assert_allclose(
        scored[["p0", "p1", "p2"]].to_numpy(), model.predict_proba(texts[20:]), rtol=0, atol=1e-6
    )
    assert scored.index.equals(table.index[20:])
    assert scored["text"].tolist() == texts[20:]
    assert tasks.data, "no task ran on the cluster"
    assert {task["worker"] for task in tasks.data} <= set(client.scheduler_info()["workers"])
    # Sent once to each worker, not once per partition.
    assert client.run(loads_in_this_process) == dict.fromkeys(client.scheduler_info()["workers"], 1)


def test_scoring_columns_follow_classes_and_an_empty_frame_has_them(client, make_corpus):
    texts, labels = make_corpus(n_texts=60)
    names = np.array(["neg", "pos"])[labels]
    model = LSTMSentimentClassifier(embedding_dim=8, hidden_size=8, min_df=1, max_iter=1)
    model.fit(texts, names)
    series = dd.from_pandas(pd.Series(texts), npartitions=2)
    proba = predict_proba_partitions(model, series[series.str.len() < 0], client=client)
    result = proba.compute()
    assert result.columns.tolist() == ["neg", "pos"] and len(result) == 0


def test_scoring_errors_name_what_to_pass(make_corpus):
    texts, labels = make_corpus(n_texts=40)
    model = LSTMSentimentClassifier(embedding_dim=4, hidden_size=4, min_df=1, max_iter=1)
    model.fit(texts, labels)
    with pytest.raises(TypeError, match=r"texts must be a Dask Series.*got a Series"):
        predict_proba_partitions(model, pd.Series(texts))
    with pytest.raises(ValueError, match="found no client"):
        predict_proba_partitions(model, dd.from_pandas(pd.Series(texts), npartitions=2))


def test_incremental_counts_a_vocabulary_then_trains_on_it_block_by_block(client, make_corpus):
    wrappers = pytest.importorskip("dask_ml.wrappers", reason="dask-ml is an optional extra")
    texts, labels = make_corpus(n_texts=120)
    texts = [*texts[:90], *(text + " superlative" for text in texts[90:])]
    X = dd.from_pandas(pd.Series(texts), npartitions=4)
    y = dd.from_pandas(pd.Series(labels), npartitions=4)
    settings = dict(min_df=1, linear_ngram_range=(1, 2))
    counted = VocabularyTransformer(**settings)
    for block in X.partitions:  # one block in memory at a time
        counted.partial_fit(block.compute())
    assert counted.vocabulary_ == VocabularyTransformer(**settings).fit(texts).vocabulary_
    lstm = LSTMSentimentClassifier(
        vocabulary=counted,
        embedding_dim=8,
        hidden_size=8,
        min_df=1,
        warm_start=True,
        random_state=0,
    )
    with distributed.get_task_stream(client) as tasks:
        model = wrappers.Incremental(lstm).fit(X, y, classes=[0, 1]).estimator_
    assert tasks.data, "no task ran on the cluster"
    assert model.n_iter_ == 4  # one epoch per block
    # With warm_start, Adam's state and the weights' moving average travel with the model,
    # between workers and back to the client: both count the one step of every block.
    adam_steps = {float(p["step"]) for p in model._optimizer.state_dict()["state"].values()}
    assert adam_steps == {4.0} and model._averaging.n_averaged == 4
    assert "superlative" in model.vectorizer_.vocabulary_
    assert model.vectorizer_.vocabulary_ == counted.vocabulary_
