"""Successive halving over epochs: HalvingGridSearchCV with ``max_iter`` as the resource."""

import pytest
from conftest import EpochRecorder, check_halving_epochs
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV

from sklstm import LSTMSentimentClassifier

GRID = {"hidden_size": [4, 8], "learning_rate_init": [1e-2, 3e-2]}


def lstm(**params):
    # max_iter stays "auto", the default: the search gives each candidate its epochs.
    return LSTMSentimentClassifier(embedding_dim=8, min_df=1, random_state=0, **params)


@pytest.mark.parametrize(
    ("min_resources", "max_resources", "epochs"),
    [(1, 4, [1, 2, 4]), ("exhaust", 8, [2, 4, 8]), ("smallest", 2, [1, 2])],
)
def test_each_candidate_trains_the_epochs_it_is_given(
    min_resources, max_resources, epochs, make_corpus, tmp_path
):
    texts, labels = make_corpus(n_texts=60)
    recorder = EpochRecorder(tmp_path / "fits.jsonl")
    search = HalvingGridSearchCV(
        # Without early_stopping, a fit stops before max_iter epochs only when the training
        # loss has not fallen for n_iter_no_change epochs: as many as the most epochs rules
        # that out, so that every candidate trains exactly its budget.
        lstm(n_iter_no_change=max_resources),
        GRID,
        resource="max_iter",
        min_resources=min_resources,
        max_resources=max_resources,
        factor=2,
        cv=2,
        scoring=recorder,
        return_train_score=False,
    )
    search.fit(texts, labels)
    assert search.n_resources_ == epochs
    assert search.n_candidates_ == [4, 2, 1][: len(epochs)]
    check_halving_epochs(search, recorder.records(), n_splits=2)


def test_misuse_of_max_iter_as_the_resource_is_refused_before_any_fit(make_corpus):
    texts, labels = make_corpus(n_texts=40)
    # scikit-learn's errors; the resource is a number of epochs, so there is no "auto" bound.
    with pytest.raises(ValueError, match="max_resources='auto'"):
        HalvingGridSearchCV(lstm(), GRID, resource="max_iter").fit(texts, labels)
    with pytest.raises(ValueError, match="max_iter as the resource.*searched parameters"):
        HalvingGridSearchCV(lstm(), {"max_iter": [1, 2]}, resource="max_iter", max_resources=2).fit(
            texts, labels
        )
