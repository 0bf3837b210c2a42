"""Grid search on a Dask cluster through joblib, as users scale out beyond one machine."""

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sklstm import LSTMSentimentClassifier

distributed = pytest.importorskip(
    "dask.distributed", reason="dask is an optional extra: pip install -e '.[dask]'"
)


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
