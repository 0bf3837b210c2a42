"""Scoring texts held in a Dask collection on the workers of a Dask cluster.

Needs the ``dask`` extra (``pip install -e ".[dask]"``); importing this module does not, so
that ``sklstm`` itself never depends on Dask.
"""

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted


def predict_proba_partitions(model, texts, client=None):
    """Class probabilities of a Dask Series of texts, computed on the cluster's workers.

    The fitted model is sent to every worker once, with ``client.scatter(model,
    broadcast=True)``, and the task of each partition reads that worker's copy. (Passing the
    model itself to ``map_partitions`` would put it into every task, to be sent and unpickled
    once per partition.) Each partition's probabilities are ``model.predict_proba`` of its
    texts, computed as in this process; an empty partition, which a filter can leave, gives
    no rows (``predict_proba`` itself refuses an empty collection).

    Parameters
    ----------
    model : fitted classifier
        A fitted :class:`~sklstm.LSTMSentimentClassifier`, or any fitted classifier with
        ``predict_proba`` and ``classes_`` (a :class:`~sklearn.pipeline.Pipeline` ending in
        one, say).
    texts : dask.dataframe.Series of str
        The texts, e.g. ``ddf["text"]``. A missing text (None or NaN) fails its partition, as
        in ``predict_proba``: fill or drop them first (``ddf["text"].fillna("")``).
    client : distributed.Client or None, default=None
        The client of the cluster to score on; None takes the current one
        (:func:`distributed.get_client`).

    Returns
    -------
    proba : dask.dataframe.DataFrame
        Lazy, with the partitions and index of ``texts``: one row per text and one float
        column per class, named by ``model.classes_`` and in its order. ``compute()`` it,
        write it (``to_parquet`` wants string column names: ``proba.rename(columns=str)``),
        or add a column of it to the table of the texts.

    Raises
    ------
    TypeError
        If ``texts`` is not a Dask Series.
    ValueError
        If no client is given and none is running.

    Examples
    --------
    Score a table of reviews on a cluster and write it with a column of probabilities
    (``model`` is a fitted classifier of the labels 0 and 1):

    .. code-block:: python

        import dask.dataframe as dd
        from dask.distributed import Client
        from sklstm.dask import predict_proba_partitions

        client = Client("tcp://scheduler-host:8786")
        reviews = dd.read_parquet("reviews/")
        proba = predict_proba_partitions(model, reviews["text"])
        reviews.assign(positive=proba[1]).to_parquet("scored/")
    """
    try:
        import dask.dataframe as dd
        from distributed import get_client
    except ImportError as error:
        raise ImportError(
            "predict_proba_partitions needs dask[distributed]: pip install "
            "'dask[distributed]', or sklstm's dask extra, pip install -e '.[dask]'."
        ) from error

    check_is_fitted(model)
    if not isinstance(texts, dd.Series):
        raise TypeError(
            f"texts must be a Dask Series of strings, e.g. ddf['text'], got a "
            f"{type(texts).__name__}. For texts in memory, call model.predict_proba(texts)."
        )
    if client is None:
        try:
            client = get_client()
        except ValueError as error:
            raise ValueError(
                "predict_proba_partitions scores on a Dask cluster and found no client: "
                "connect to one first, e.g. Client('tcp://scheduler-host:8786'), or pass "
                "client=."
            ) from error
    model_on_workers = client.scatter(model, broadcast=True)
    # The result's index is that of the texts; dask takes its type from the meta.
    meta = _proba_frame(texts._meta, model)
    return texts.map_partitions(_proba_frame, model_on_workers, meta=meta)


def _proba_frame(texts, model):
    """The probabilities of one partition's texts, as a DataFrame with the texts' index."""
    if len(texts):
        proba = model.predict_proba(texts)
    else:
        proba = np.empty((0, len(model.classes_)))
    return pd.DataFrame(proba, index=texts.index, columns=model.classes_)
