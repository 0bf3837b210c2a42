"""LSTMSentimentClassifier behaves like a scikit-learn estimator.

The estimator declares 1-D string input, so ``check_estimator`` skips nearly every check.
The data-free checks are run one by one; the checks that need data are rewritten here for
texts, and the estimator is run inside scikit-learn's meta-estimators on a small corpus.
"""

import copy
import io
import math
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import sklearn
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import StackingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import (
    check_estimator_cloneable,
    check_estimator_repr,
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)
from sklearn.utils.validation import check_is_fitted

from sklstm import LSTMSentimentClassifier, RaggedSequences, VocabularyTransformer

# A tiny network with a learning rate high enough to learn the corpus in a few epochs.
TINY = {
    "embedding_dim": 8,
    "hidden_size": 8,
    "max_iter": 4,
    "min_df": 1,
    "batch_size": 16,
    "learning_rate_init": 0.02,
    "random_state": 0,
}
N_TRAIN = 150
# Accuracy a model must beat on held-out texts of the balanced binary corpus (chance: 0.5).
ABOVE_CHANCE = 0.75


def tiny_classifier(**params):
    return LSTMSentimentClassifier(**{**TINY, **params})


def clean_texts(texts):
    """Module level so that it pickles into joblib workers."""
    return [text.strip().lower() for text in texts]


@pytest.fixture(scope="module")
def corpus_split(make_corpus):
    texts, labels = make_corpus()
    return texts[:N_TRAIN], labels[:N_TRAIN], texts[N_TRAIN:], labels[N_TRAIN:]


@pytest.fixture(scope="module")
def fitted(corpus_split):
    """A binary model shared by tests that only predict (never pickle or refit it)."""
    X_train, y_train, _, _ = corpus_split
    return tiny_classifier().fit(X_train, y_train)


def snapshot(clf, X):
    """Copies of everything a fitted model holds, and its outputs on ``X``."""
    return {
        "params": clf.get_params(),
        "classes_": clf.classes_.copy(),
        "vocabulary_": dict(clf.vectorizer_.vocabulary_),
        "n_iter_": clf.n_iter_,
        "loss_curve_": list(clf.loss_curve_),
        "validation_scores_": clf.validation_scores_,
        "best_validation_score_": clf.best_validation_score_,
        "history_": clf.history_.copy(),
        "weights": {k: v.detach().clone() for k, v in clf.module_.state_dict().items()},
        "predict": clf.predict(X),
        "predict_proba": clf.predict_proba(X),
        "decision_function": clf.decision_function(X),
    }


def assert_matches_snapshot(clf, expected, X):
    assert clf.get_params() == expected["params"]
    assert_array_equal(clf.classes_, expected["classes_"])
    assert clf.classes_.dtype == expected["classes_"].dtype
    assert clf.vectorizer_.vocabulary_ == expected["vocabulary_"]
    assert clf.n_iter_ == expected["n_iter_"]
    assert clf.loss_curve_ == expected["loss_curve_"]
    assert clf.validation_scores_ == expected["validation_scores_"]
    assert clf.best_validation_score_ == expected["best_validation_score_"]
    pd.testing.assert_frame_equal(clf.history_, expected["history_"])
    assert isinstance(clf.module_, torch.nn.Module)
    weights = clf.module_.state_dict()
    assert weights.keys() == expected["weights"].keys()
    for name, tensor in expected["weights"].items():
        assert torch.equal(weights[name], tensor), name
    for method in ("predict", "predict_proba", "decision_function"):
        assert_array_equal(getattr(clf, method)(X), expected[method])


# --------------------------------------------------------------------------- tags & checks


def test_tags_declare_one_d_string_input():
    tags = get_tags(LSTMSentimentClassifier())
    assert tags.estimator_type == "classifier"
    assert tags.input_tags.string
    assert tags.input_tags.one_d_array
    assert not tags.input_tags.two_d_array
    assert tags.classifier_tags.multi_class
    assert tags.non_deterministic


@pytest.mark.parametrize(
    ("params", "cuda", "expected"),
    [
        ({"random_state": 0, "precision": "float32", "device": "cpu"}, True, False),
        ({"random_state": 0, "precision": "bfloat16", "device": "cpu"}, False, False),
        ({"random_state": 0, "precision": "float32", "device": "auto"}, False, False),
        ({"random_state": 0, "precision": "float32", "device": "auto"}, True, True),
        ({"random_state": 0, "precision": "float32", "device": "cuda"}, True, True),
        ({"random_state": 0, "precision": "auto", "device": "cpu"}, False, True),
        ({"random_state": None, "precision": "float32", "device": "cpu"}, False, True),
        (
            {"random_state": np.random.RandomState(0), "precision": "float32", "device": "cpu"},
            False,
            True,
        ),
    ],
)
def test_non_deterministic_whenever_results_can_differ_between_runs_or_machines(
    monkeypatch, params, cuda, expected
):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    assert get_tags(LSTMSentimentClassifier(**params)).non_deterministic is expected


DATA_FREE_CHECKS = [
    check_parameters_default_constructible,
    check_no_attributes_set_in_init,
    check_get_params_invariance,
    check_set_params,
    check_estimator_repr,
    check_estimator_cloneable,
]


@pytest.mark.parametrize("check", DATA_FREE_CHECKS, ids=lambda check: check.__name__)
@pytest.mark.parametrize(
    "estimator",
    [
        LSTMSentimentClassifier(),
        tiny_classifier(tokenizer=str.split, class_weight="balanced"),
        VocabularyTransformer(),
        VocabularyTransformer(tokenizer=str.split, linear_ngram_range=(1, 2)),
    ],
    ids=["defaults", "tiny", "transformer", "transformer-options"],
)
def test_data_free_sklearn_check(check, estimator):
    check(type(estimator).__name__, estimator)


def test_transformer_tags_say_integer_ids_come_out_whatever_goes_in():
    tags = get_tags(VocabularyTransformer())
    assert tags.transformer_tags.preserves_dtype == []
    assert tags.input_tags.string and not tags.input_tags.two_d_array


def test_set_output_keeps_the_default_and_explains_why_not_pandas(corpus_split):
    X_train, _, _, _ = corpus_split
    vt = VocabularyTransformer(min_df=1)
    assert vt.set_output(transform="default") is vt
    assert isinstance(vt.fit_transform(X_train), RaggedSequences)
    pipeline = make_pipeline(FunctionTransformer(clean_texts), VocabularyTransformer())
    with pytest.raises(ValueError, match="RaggedSequences.*no columns"):
        pipeline.set_output(transform="pandas")
    # The classifier transforms nothing: a Pipeline ending in it sets the others' output.
    pipeline = make_pipeline(FunctionTransformer(clean_texts), tiny_classifier())
    pipeline.set_output(transform="pandas")


# ----------------------------------------------------------- text versions of data checks


def test_fit_is_idempotent(corpus_split):
    """Fitting again with the same random_state starts afresh: same model, same output."""
    X_train, y_train, X_test, _ = corpus_split
    clf = tiny_classifier()
    first = clf.fit(X_train, y_train).predict_proba(X_test)
    first_losses = list(clf.loss_curve_)
    second = clf.fit(X_train, y_train).predict_proba(X_test)
    assert clf.n_iter_ == len(first_losses)  # epochs are not accumulated across fits
    assert clf.loss_curve_ == first_losses
    assert_array_equal(second, first)
    # ... and the same as a never-fitted copy fitted once.
    assert_array_equal(clone(clf).fit(X_train, y_train).predict_proba(X_test), first)


def _pickle_round_trip(estimator, _tmp_path):
    return pickle.loads(pickle.dumps(estimator))


def _joblib_round_trip(estimator, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(estimator, path)
    return joblib.load(path)


ROUND_TRIPS = {"pickle": _pickle_round_trip, "joblib": _joblib_round_trip}


@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_persistence_round_trip_keeps_the_fitted_model(round_trip, corpus_split, tmp_path):
    X_train, y_train, X_test, _ = corpus_split
    clf = tiny_classifier().fit(X_train, np.array(["neg", "pos"])[y_train])
    before = snapshot(clf, X_test)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same sklstm version: no InconsistentVersionWarning
        loaded = round_trip(clf, tmp_path)
    assert loaded is not clf
    assert_matches_snapshot(loaded, before, X_test)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_persisting_does_not_change_the_estimator(round_trip, corpus_split, tmp_path):
    """Saving a model (or deep-copying it) must leave the model itself untouched."""
    X_train, y_train, X_test, _ = corpus_split
    clf = tiny_classifier().fit(X_train, y_train)
    before = snapshot(clf, X_test)
    attributes = set(vars(clf))
    round_trip(clf, tmp_path)
    assert set(vars(clf)) == attributes
    assert_matches_snapshot(clf, before, X_test)
    # Saving again works and gives the same model.
    assert_matches_snapshot(round_trip(clf, tmp_path), before, X_test)
    assert_matches_snapshot(copy.deepcopy(clf), before, X_test)


def test_warm_start_resumes_identically_after_pickling(corpus_split):
    """With warm_start the optimizer state travels with the model: resuming a loaded copy
    gives exactly what resuming the original gives."""
    X_train, y_train, X_test, _ = corpus_split
    resumed_in_memory = tiny_classifier(warm_start=True, max_iter=2).fit(X_train, y_train)
    saved = tiny_classifier(warm_start=True, max_iter=2).fit(X_train, y_train)
    resumed_after_loading = pickle.loads(pickle.dumps(saved))
    resumed_in_memory.fit(X_train, y_train)
    resumed_after_loading.fit(X_train, y_train)
    assert resumed_after_loading.n_iter_ == resumed_in_memory.n_iter_ == 4
    assert_array_equal(
        resumed_after_loading.predict_proba(X_test), resumed_in_memory.predict_proba(X_test)
    )


def test_predictions_on_a_subset_equal_the_subset_of_predictions(fitted, corpus_split):
    """Texts are batched by length, so batches differ with the input; outputs must not."""
    X_train, _, X_test, _ = corpus_split
    odd_ones = ["", "zzz qqq xxyyzz", "great " * 60, "AWFUL!!!", "?"]
    X = np.array(X_test + odd_ones + X_train, dtype=object)
    all_proba = fitted.predict_proba(X)
    all_decision = fitted.decision_function(X)
    rng = np.random.default_rng(0)
    for subset in [
        rng.permutation(len(X))[:37],
        np.arange(len(X))[::-7],
        np.arange(len(X_test), len(X_test) + len(odd_ones)),
        np.array([len(X_test) + 2]),  # the long text, alone in its batch
    ]:
        assert_allclose(fitted.predict_proba(X[subset]), all_proba[subset], rtol=0, atol=1e-5)
        assert_allclose(
            fitted.decision_function(X[subset]), all_decision[subset], rtol=0, atol=1e-5
        )
    for i in rng.permutation(len(X))[:5]:
        assert_allclose(fitted.predict_proba([X[i]])[0], all_proba[i], rtol=0, atol=1e-5)


LABELINGS = {
    "int": (2, lambda y: y),
    "str": (2, lambda y: np.array(["negative", "positive"])[y]),
    "bool": (2, lambda y: y.astype(bool)),
    "non_contiguous_int": (2, lambda y: np.array([7, 3])[y]),  # 7 sorts after 3
    "list_of_str": (2, lambda y: [["pos", "neg"][i] for i in y]),
    "three_int": (3, lambda y: y),
    "three_str": (3, lambda y: np.array(["neutral", "bad", "good"])[y]),
}


@pytest.mark.parametrize("n_classes, labeling", LABELINGS.values(), ids=LABELINGS.keys())
def test_classes_handling(n_classes, labeling, make_corpus):
    texts, indices = make_corpus(n_classes=n_classes, seed=1)
    y = labeling(indices)
    y_array = np.asarray(y)
    clf = tiny_classifier(max_iter=6).fit(texts, y)

    assert_array_equal(clf.classes_, np.unique(y_array))
    assert clf.classes_.dtype.kind == y_array.dtype.kind
    assert list(clf.classes_) == sorted(set(y_array.tolist()))

    predicted = clf.predict(texts)
    proba = clf.predict_proba(texts)
    decision = clf.decision_function(texts)
    assert predicted.shape == (len(texts),)
    assert predicted.dtype.kind == y_array.dtype.kind
    assert set(predicted.tolist()) <= set(clf.classes_.tolist())
    assert proba.shape == (len(texts), n_classes)
    assert np.all((proba >= 0) & (proba <= 1))
    assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-6)
    assert_array_equal(predicted, clf.classes_[proba.argmax(axis=1)])
    if n_classes == 2:
        assert decision.shape == (len(texts),)
        assert_array_equal(predicted, clf.classes_[(decision > 0).astype(int)])
    else:
        assert decision.shape == (len(texts), n_classes)
        assert_array_equal(predicted, clf.classes_[decision.argmax(axis=1)])
    # The labels were mapped to the right outputs: the model learned the signal words.
    assert np.mean(predicted == y_array) > 1 / n_classes + 0.3


CONTAINERS = {
    "list": lambda texts, y: (list(texts), list(y)),
    "object_array": lambda texts, y: (np.array(texts, dtype=object), np.asarray(y)),
    "series": lambda texts, y: (
        pd.Series(texts, index=np.arange(len(texts))[::-1] * 3 + 100, name="review"),
        pd.Series(y, index=np.arange(len(texts))[::-1] * 3 + 100, name="label"),
    ),
}


def _assert_unchanged(actual, expected):
    assert type(actual) is type(expected)
    if isinstance(actual, pd.Series):
        pd.testing.assert_series_equal(actual, expected)
    elif isinstance(actual, np.ndarray):
        assert actual.dtype == expected.dtype
        assert_array_equal(actual, expected)
    else:
        assert actual == expected


@pytest.mark.parametrize("container", CONTAINERS.values(), ids=CONTAINERS.keys())
def test_fit_and_predict_do_not_mutate_inputs(container, corpus_split):
    X_train, y_train, X_test, _ = corpus_split
    X, y = container(X_train, np.array(["bad", "good"])[y_train])
    X_new, _ = container(X_test, np.zeros(len(X_test)))
    sample_weight = np.linspace(0.5, 1.5, len(X_train))
    originals = copy.deepcopy((X, y, X_new, sample_weight))

    clf = tiny_classifier().fit(X, y, sample_weight=sample_weight)
    clf.predict(X_new)
    clf.predict_proba(X_new)
    clf.decision_function(X_new)
    clf.score(X, y)

    for actual, expected in zip((X, y, X_new, sample_weight), originals, strict=True):
        _assert_unchanged(actual, expected)
    # Only positions matter, never a Series' index: the same model as from plain lists.
    from_lists = tiny_classifier().fit(
        list(X_train), np.array(["bad", "good"])[y_train].tolist(), sample_weight=sample_weight
    )
    assert_array_equal(clf.predict_proba(X_new), from_lists.predict_proba(list(X_test)))


# --------------------------------------------------------------- inside scikit-learn tools


def test_pipeline_passes_the_transformed_texts(corpus_split):
    X_train, y_train, X_test, y_test = corpus_split
    pipe = Pipeline([("clean", FunctionTransformer(clean_texts)), ("lstm", tiny_classifier())])
    pipe.fit(X_train, y_train)
    assert pipe.score(X_test, y_test) > ABOVE_CHANCE
    assert_array_equal(pipe.classes_, [0, 1])
    direct = tiny_classifier().fit(clean_texts(X_train), y_train)
    cleaned_test = clean_texts(X_test)
    assert_array_equal(pipe.predict_proba(X_test), direct.predict_proba(cleaned_test))
    assert_array_equal(pipe.decision_function(X_test), direct.decision_function(cleaned_test))


def test_grid_search_in_parallel_over_a_pipeline(corpus_split):
    X_train, y_train, X_test, y_test = corpus_split
    pipe = Pipeline([("clean", FunctionTransformer(clean_texts)), ("lstm", tiny_classifier())])
    grid = {"lstm__hidden_size": [4, 8]}
    search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X_train, y_train)

    assert search.best_params_["lstm__hidden_size"] in grid["lstm__hidden_size"]
    best_lstm = search.best_estimator_.named_steps["lstm"]
    assert best_lstm.hidden_size == search.best_params_["lstm__hidden_size"]
    assert best_lstm.module_.forward_layers[0].hidden_size == best_lstm.hidden_size
    assert search.score(X_test, y_test) > ABOVE_CHANCE

    results = pd.DataFrame(search.cv_results_)
    assert len(results) == len(grid["lstm__hidden_size"])
    assert results["param_lstm__hidden_size"].tolist() == grid["lstm__hidden_size"]
    split_scores = results[[f"split{i}_test_score" for i in range(3)]].to_numpy()
    assert np.all(np.isfinite(split_scores))
    assert np.all((split_scores >= 0) & (split_scores <= 1))
    assert_allclose(results["mean_test_score"], split_scores.mean(axis=1))
    assert search.best_score_ == results["mean_test_score"].max()
    assert sorted(results["rank_test_score"]) in ([1, 2], [1, 1])
    assert results["mean_test_score"].max() > ABOVE_CHANCE


@pytest.mark.parametrize("scoring", ["accuracy", "roc_auc"])
def test_cross_val_score(scoring, sentiment_corpus):
    texts, labels = sentiment_corpus
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(tiny_classifier(), texts, labels, cv=cv, scoring=scoring)
    assert scores.shape == (3,)
    assert np.all(np.isfinite(scores))
    assert np.all(scores > ABOVE_CHANCE)
    assert np.all(scores <= 1)


def test_stacking_with_a_tfidf_model(corpus_split):
    X_train, y_train, X_test, y_test = corpus_split
    labels = np.array(["neg", "pos"])
    stack = StackingClassifier(
        estimators=[
            ("lstm", tiny_classifier()),
            ("tfidf", make_pipeline(TfidfVectorizer(), LogisticRegression())),
        ],
        final_estimator=LogisticRegression(),
        cv=3,
    ).fit(X_train, labels[y_train])

    assert_array_equal(stack.classes_, labels)
    check_is_fitted(stack.named_estimators_["lstm"])
    # One column per base model for a binary problem: its probability of the positive class.
    meta_features = stack.transform(X_test)
    assert meta_features.shape == (len(X_test), 2)
    assert_allclose(
        meta_features[:, 0], stack.named_estimators_["lstm"].predict_proba(X_test)[:, 1]
    )
    proba = stack.predict_proba(X_test)
    assert proba.shape == (len(X_test), 2)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert set(stack.predict(X_test)) <= set(labels)
    assert stack.score(X_test, labels[y_test]) > ABOVE_CHANCE


@pytest.mark.parametrize("n_classes", [2, 3])
def test_calibrated_classifier(n_classes, make_corpus):
    texts, indices = make_corpus(n_classes=n_classes, seed=2)
    y = np.array(["bad", "good", "meh"])[indices]
    calibrated = CalibratedClassifierCV(tiny_classifier(max_iter=6), cv=3).fit(
        texts[:N_TRAIN], y[:N_TRAIN]
    )
    X_test, y_test = texts[N_TRAIN:], y[N_TRAIN:]
    assert_array_equal(calibrated.classes_, np.unique(y))
    assert len(calibrated.calibrated_classifiers_) == 3
    proba = calibrated.predict_proba(X_test)
    assert proba.shape == (len(X_test), n_classes)
    assert np.all((proba >= 0) & (proba <= 1))
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(calibrated.predict(X_test), calibrated.classes_[proba.argmax(axis=1)])
    assert calibrated.score(X_test, y_test) > 1 / n_classes + 0.25


def test_clone_gives_an_unfitted_independent_copy(fitted, corpus_split):
    X_train, y_train, X_test, _ = corpus_split
    before = fitted.predict_proba(X_test)
    copy_ = clone(fitted)
    assert copy_ is not fitted
    assert copy_.get_params() == fitted.get_params()
    assert not hasattr(copy_, "module_") and not hasattr(copy_, "classes_")
    copy_.set_params(hidden_size=4).fit(X_train, y_train)
    assert fitted.hidden_size == 8
    assert fitted.module_.forward_layers[0].hidden_size == 8
    assert copy_.module_.forward_layers[0].hidden_size == 4
    assert_array_equal(fitted.predict_proba(X_test), before)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function", "score"])
def test_unfitted_estimator_raises_not_fitted_error(method):
    clf = tiny_classifier()
    args = (["a text"], [1]) if method == "score" else (["a text"],)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(clf, method)(*args)


def test_set_params_is_used_by_the_next_fit(corpus_split):
    X_train, y_train, X_test, _ = corpus_split
    clf = tiny_classifier()
    assert clf.set_params(hidden_size=5, embedding_dim=3, max_iter=2, pooling="last") is clf
    params = clf.get_params()
    assert (params["hidden_size"], params["embedding_dim"], params["max_iter"]) == (5, 3, 2)
    clf.fit(X_train, y_train)
    assert clf.module_.forward_layers[0].hidden_size == 5
    assert clf.module_.embedding.embedding_dim == 3
    assert clf.module_.pooling == ("last",)
    assert clf.n_iter_ <= 2 and len(clf.loss_curve_) == clf.n_iter_

    pipe = Pipeline([("clean", FunctionTransformer(clean_texts)), ("lstm", clf)])
    pipe.set_params(lstm__hidden_size=6)
    assert clf.hidden_size == 6

    with pytest.raises(ValueError, match="Invalid parameter"):
        clf.set_params(hidden_units=3)
    with pytest.raises(ValueError, match="hidden_size"):
        clone(clf).set_params(hidden_size=0).fit(X_train, y_train)
    with pytest.raises(ValueError, match="pooling"):
        clone(clf).set_params(pooling="mean+median").fit(X_train, y_train)


def test_cv_results_dataframe_is_well_formed(corpus_split):
    """A small sequential search, read as the DataFrame users build from cv_results_."""
    X_train, y_train, _, _ = corpus_split
    grid = {"pooling": ["mean", "last+max"], "bidirectional": [True, False]}
    search = GridSearchCV(tiny_classifier(max_iter=2), grid, cv=2, scoring="accuracy")
    results = pd.DataFrame(search.fit(X_train, y_train).cv_results_)
    assert len(results) == 4
    assert results["params"].tolist() == [
        {"bidirectional": b, "pooling": p} for b in (True, False) for p in grid["pooling"]
    ]
    assert results["param_pooling"].tolist() == [p for _ in range(2) for p in grid["pooling"]]
    assert results["mean_fit_time"].gt(0).all()
    assert results["mean_test_score"].between(0, 1).all()
    assert not math.isnan(search.best_score_)
    assert search.best_params_ in results["params"].tolist()
    buffer = io.StringIO()
    results.to_csv(buffer)  # plain, serialisable values
    assert buffer.getvalue().count("\n") == len(results) + 1


def test_sample_weight_is_routed_to_fit_and_score_by_metadata_routing(monkeypatch, corpus_split):
    X_train, y_train, _, _ = corpus_split
    weights = np.linspace(0.5, 2.0, len(y_train))
    received = {"fit": [], "score": []}
    original_fit, original_score = LSTMSentimentClassifier.fit, LSTMSentimentClassifier.score

    def recording_fit(self, X, y, sample_weight=None):
        received["fit"].append(sample_weight)
        return original_fit(self, X, y, sample_weight=sample_weight)

    def recording_score(self, X, y, sample_weight=None):
        received["score"].append(sample_weight)
        return original_score(self, X, y, sample_weight=sample_weight)

    monkeypatch.setattr(LSTMSentimentClassifier, "fit", recording_fit)
    monkeypatch.setattr(LSTMSentimentClassifier, "score", recording_score)
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = tiny_classifier(max_iter=1)
        clf.set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
        # In a Pipeline, and on its own.
        pipeline = make_pipeline(FunctionTransformer(clean_texts), clf)
        cross_validate(pipeline, X_train, y_train, cv=cv, params={"sample_weight": weights})
        cross_validate(clf, X_train, y_train, cv=cv, params={"sample_weight": weights})
    splits = list(cv.split(X_train, y_train)) * 2
    assert len(received["fit"]) == len(received["score"]) == 4
    for fit_weights, score_weights, (train, test) in zip(
        received["fit"], received["score"], splits, strict=True
    ):
        assert_allclose(fit_weights, weights[train])
        assert_allclose(score_weights, weights[test])


def test_clone_shares_word_vectors_instead_of_copying_them():
    vectors = {"great": np.ones(8, dtype=np.float32), "awful": -np.ones(8, dtype=np.float32)}
    clf = tiny_classifier(pretrained_embeddings=vectors, tokenizer=str.split)
    with sklearn.config_context(enable_metadata_routing=True):
        clf.set_fit_request(sample_weight=True)
        copy_ = clone(clf)
    assert copy_.pretrained_embeddings is vectors
    assert clf.pretrained_embeddings is vectors
    assert copy_.get_params().keys() == clf.get_params().keys()
    assert all(
        copy_.get_params()[k] == v
        for k, v in clf.get_params().items()
        if k != "pretrained_embeddings"
    )
    assert copy_.get_metadata_routing().fit.requests["sample_weight"] is True
    # Plain values go through scikit-learn's clone unchanged.
    assert clone(tiny_classifier(pretrained_embeddings="ppmi")).pretrained_embeddings == "ppmi"
