import copy
import pickle
import random
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

import sklstm
from sklstm import InconsistentVersionWarning, LSTMSentimentClassifier
from sklstm import classifier as classifier_module
from sklstm import fitting as fitting_module

POSITIVE = ["great", "wonderful", "moving", "superb", "delightful"]
NEGATIVE = ["awful", "boring", "dull", "terrible", "waste"]
FILLER = ["the", "film", "plot", "actor", "scene", "was", "a", "and", "story", "it"]


def corpus(n=160, seed=0, n_classes=2):
    """Short texts whose label is given by which word list they draw from."""
    rng = np.random.default_rng(seed)
    words = [POSITIVE, NEGATIVE, ["meh", "okay", "average", "fine", "so-so"]][:n_classes]
    texts, labels = [], []
    for i in range(n):
        label = i % n_classes
        tokens = list(rng.choice(FILLER, size=rng.integers(3, 12)))
        tokens.insert(int(rng.integers(len(tokens) + 1)), str(rng.choice(words[label])))
        texts.append(" ".join(tokens))
        labels.append(label)
    return texts, np.array(labels)


def small(**params):
    defaults = dict(
        embedding_dim=8,
        hidden_size=8,
        min_df=1,
        batch_size=16,
        max_iter=8,
        learning_rate_init=0.02,
        random_state=0,
    )
    return LSTMSentimentClassifier(**{**defaults, **params})


@pytest.fixture(scope="module")
def fitted():
    X, y = corpus()
    return small().fit(X, y), X, y


def test_the_readme_example_learns_the_signal(fitted):
    clf, _, _ = fitted
    X_test, y_test = corpus(n=80, seed=1)
    assert clf.score(X_test, y_test) > 0.9
    assert clf.predict(["a wonderful moving film", "an awful boring waste"]).tolist() == [0, 1]


def test_fitted_attributes(fitted):
    clf, _, _ = fitted
    assert clf.classes_.tolist() == [0, 1]
    assert isinstance(clf.vectorizer_, sklstm.VocabularyTransformer)
    assert isinstance(clf.module_, torch.nn.Module)
    assert clf.n_iter_ == len(clf.loss_curve_) == len(clf.history_)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert list(clf.history_.columns) == ["train_loss", "seconds", "tokens_per_second"]
    assert clf.history_.index.name == "epoch"
    assert clf.history_["train_loss"].tolist() == clf.loss_curve_
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert (clf.history_["tokens_per_second"] > 0).all()


def test_binary_uses_one_logit_with_a_sigmoid(fitted):
    clf, X, _ = fitted
    assert clf.module_.output.out_features == 1
    logits = clf.decision_function(X[:5])
    np.testing.assert_allclose(clf.predict_proba(X[:5])[:, 1], 1 / (1 + np.exp(-logits)))


def test_multiclass_uses_a_softmax():
    X, y = corpus(n=150, n_classes=3)
    clf = small(max_iter=12).fit(X, np.array(["neg", "pos", "mid"])[y])
    assert clf.module_.output.out_features == 3
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X, np.array(["neg", "pos", "mid"])[y]) > 0.8


def test_same_random_state_gives_identical_probabilities():
    X, y = corpus(n=64)
    first = small(max_iter=2).fit(X, y).predict_proba(X)
    second = small(max_iter=2).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    other = small(max_iter=2, random_state=1).fit(X, y).predict_proba(X)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("random_state", [None, 0, np.random.RandomState(3)])
def test_fit_leaves_global_random_state_and_threads_alone(random_state):
    X, y = corpus(n=48)
    np.random.seed(11)  # noqa: NPY002 (the global state is what is tested)
    torch.manual_seed(11)
    random.seed(11)
    threads = torch.get_num_threads()
    numpy_state, torch_state, python_state = (
        np.random.get_state(),  # noqa: NPY002
        torch.get_rng_state(),
        random.getstate(),
    )
    small(max_iter=1, random_state=random_state, early_stopping=True).fit(X, y)
    assert np.array_equal(np.random.get_state()[1], numpy_state[1])  # noqa: NPY002
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert random.getstate() == python_state
    assert torch.get_num_threads() == threads


def test_a_text_gets_the_same_probability_alone_and_among_long_texts(fitted):
    clf, _, _ = fitted
    short = "a wonderful film"
    long_texts = [" ".join(["the plot was dull and the actor"] * 30)] * 5
    alone = clf.predict_proba([short])[0]
    among = clf.predict_proba([*long_texts, short, *long_texts])[5]
    np.testing.assert_allclose(alone, among, atol=1e-5, rtol=0)


def test_predict_streams_in_chunks_and_keeps_input_order(fitted, monkeypatch):
    clf, X, _ = fitted
    whole = clf.predict_proba(X)
    monkeypatch.setattr(classifier_module, "PREDICT_CHUNK_SIZE", 7)
    np.testing.assert_allclose(clf.predict_proba(X), whole, atol=1e-6, rtol=0)


def test_empty_and_unknown_texts_are_valid_at_predict_time(fitted):
    clf, _, _ = fitted
    proba = clf.predict_proba(["", "zzzz qqqq", "   ", "!!!"])
    assert proba.shape == (4, 2) and np.isfinite(proba).all()


@pytest.mark.parametrize(
    "make_X",
    [
        list,
        tuple,
        lambda t: np.array(t, dtype=object),
        lambda t: pd.Series(t, index=range(500, 500 + len(t))),
    ],
)
def test_accepts_every_1d_container_without_mutating_it(make_X):
    texts, y = corpus(n=48)
    X = make_X(texts)
    before = copy.deepcopy(X)
    y_series = pd.Series(y, index=range(900, 900 + len(y)))
    clf = small(max_iter=1).fit(X, y_series)
    clf.predict(X)
    if isinstance(X, pd.Series):
        pd.testing.assert_series_equal(X, before)
    else:
        assert list(X) == list(before) and type(X) is type(before)
    assert y_series.index[0] == 900


def test_early_stopping_holds_out_validation_and_restores_the_best_epoch():
    X, y = corpus(n=200)
    clf = small(early_stopping=True, max_iter=6, n_iter_no_change=10).fit(X, y)
    history = clf.history_
    assert {"valid_loss", "valid_accuracy"} <= set(history.columns)
    assert clf.validation_scores_ == history["valid_accuracy"].tolist()
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_training_stops_after_n_iter_no_change_epochs_without_improvement():
    X, y = corpus(n=64)
    clf = small(max_iter=50, n_iter_no_change=1, tol=1e9).fit(X, y)
    assert clf.n_iter_ == 2


def test_early_stopping_restores_the_weights_of_the_best_epoch(monkeypatch):
    # Validation accuracy scripted to peak at epoch 2: the weights after epoch 2 must be kept.
    scores = iter([0.5, 0.9, 0.6, 0.7])
    saved = {}

    def scripted_evaluate(network, objective, data, device, compute_dtype):
        epoch = len(saved) + 1
        saved[epoch] = copy.deepcopy(network.state_dict())
        return {"valid_loss": 0.0, "valid_accuracy": next(scores)}

    monkeypatch.setattr(sklstm.training, "_evaluate", scripted_evaluate)
    X, y = corpus(n=64)
    clf = small(early_stopping=True, max_iter=4, n_iter_no_change=5).fit(X, y)
    assert clf.best_validation_score_ == 0.9
    for name, value in clf.module_.state_dict().items():
        torch.testing.assert_close(value, saved[2][name])


def test_ctrl_c_keeps_what_was_learned_and_warns(monkeypatch):
    X, y = corpus(n=64)
    clf = small(max_iter=5, batch_size=16)
    calls = {"n": 0}
    original = sklstm.training._train_epoch

    def interrupted_in_epoch_3(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(sklstm.training, "_train_epoch", interrupted_in_epoch_3)
    with pytest.warns(UserWarning, match="interrupted after 2 complete epoch"):
        clf.fit(X, y)
    assert clf.n_iter_ == 2 and len(clf.history_) == 2
    assert clf.predict(X).shape == (64,)


# With adversarial training every batch runs two passes; the 4th is batch 2's adversarial one.
@pytest.mark.parametrize(("adversarial_epsilon", "nan_pass"), [(0.0, 3), (0.5, 3), (0.5, 4)])
def test_a_diverging_loss_stops_with_advice_before_the_bad_step(
    monkeypatch, adversarial_epsilon, nan_pass
):
    X, y = corpus(n=64)
    original = sklstm.network.LSTMTextNetwork.classify
    calls = {"n": 0}

    def nan_on_third_batch(self, inputs, lengths, linear=None):
        calls["n"] += 1
        logits = original(self, inputs, lengths, linear)
        return logits * float("nan") if calls["n"] == nan_pass else logits

    monkeypatch.setattr(sklstm.network.LSTMTextNetwork, "classify", nan_on_third_batch)
    clf = small(max_iter=2, adversarial_epsilon=adversarial_epsilon)
    with pytest.raises(
        FloatingPointError, match=r"became nan in epoch 1, batch \d; .*lower learning_rate_init"
    ):
        clf.fit(X, y)
    assert all(torch.isfinite(p).all() for p in clf.module_.parameters())


def test_verbose_shows_progress_and_quiet_is_silent(capsys):
    X, y = corpus(n=48)
    small(max_iter=1, verbose=0).fit(X, y)
    assert capsys.readouterr().err == ""
    small(max_iter=2, verbose=1).fit(X, y)
    err = capsys.readouterr().err
    assert "epoch 1" in err and "epoch 2" in err and "tokens_per_s" in err


def test_pickle_and_joblib_round_trip_exactly(fitted, tmp_path):
    clf, X, _ = fitted
    expected = clf.predict_proba(X)
    for loaded in (pickle.loads(pickle.dumps(clf)), _joblib_round_trip(clf, tmp_path)):
        np.testing.assert_array_equal(loaded.predict_proba(X), expected)
        assert loaded.n_iter_ == clf.n_iter_
        pd.testing.assert_frame_equal(loaded.history_, clf.history_)


def _joblib_round_trip(clf, tmp_path):
    joblib.dump(clf, tmp_path / "model.joblib")
    return joblib.load(tmp_path / "model.joblib")


def test_pickled_state_is_device_independent_and_has_no_optimizer(fitted):
    clf, _, _ = fitted
    state = clf.__getstate__()
    assert "_optimizer" not in state
    # numpy arrays live in main memory whatever device the model trained on.
    assert all(isinstance(v, np.ndarray) for v in state["module_"].values())


@pytest.mark.parametrize("device", ["auto", "cuda", "cuda:0"])
def test_a_model_saved_from_cuda_predicts_where_there_is_no_cuda(fitted, monkeypatch, device):
    # What a model trained with device="cuda" pickles: the same numpy state and its device
    # parameter; here CUDA is made absent, as on a CPU-only machine.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    clf, X, _ = fitted
    restored = pickle.loads(pickle.dumps(copy.deepcopy(clf).set_params(device=device)))
    assert next(restored.module_.parameters()).device.type == "cpu"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        proba = restored.predict_proba(X)
    np.testing.assert_array_equal(proba, clf.predict_proba(X))
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    if device == "auto":
        assert messages == []
    else:
        assert any("predicting on the CPU" in m for m in messages)


def test_loading_under_another_version_warns(fitted):
    clf, _, _ = fitted
    state = clf.__getstate__()
    state["_sklstm_version"] = "0.0.1"
    restored = LSTMSentimentClassifier.__new__(LSTMSentimentClassifier)
    with pytest.warns(InconsistentVersionWarning, match="0.0.1"):
        restored.__setstate__(state)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        pickle.loads(pickle.dumps(clf))


def test_warm_start_continues_and_keeps_optimizer_through_pickle():
    X, y = corpus(n=64)
    clf = small(max_iter=2, warm_start=True).fit(X, y)
    vocabulary = clf.vectorizer_.vocabulary_
    state = clf.__getstate__()
    assert "_optimizer" in state
    clf = pickle.loads(pickle.dumps(clf)).fit(X, y)
    assert clf.n_iter_ == 4 and list(clf.history_.index) == [1, 2, 3, 4]
    assert clf.vectorizer_.vocabulary_ == vocabulary


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hidden_size": 16}, "hidden_size from 8 to 16"),
        ({"min_df": 2, "pooling": "max"}, "min_df from 1 to 2; pooling from 'mean\\+max' to"),
        ({"tokenizer": str.split}, "tokenizer from None to a method_descriptor object"),
        ({"pretrained_embeddings": {"great": np.ones(8)}}, "to a dict object"),
    ],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_changed_structure_parameter_stops_a_warm_start_naming_it(change, message, method):
    X, y = corpus(n=32)
    clf = small(max_iter=1, warm_start=True)
    clf.partial_fit(X, y, classes=[0, 1]) if method == "partial_fit" else clf.fit(X, y)
    weights = copy.deepcopy(clf.module_.state_dict())
    clf.set_params(**change)
    with pytest.raises(ValueError, match=message):
        getattr(clf, method)(X, y)
    assert clf.n_iter_ == 1
    assert all(torch.equal(weights[k], v) for k, v in clf.module_.state_dict().items())
    # Unchanged values, even re-created equal ones, continue; after pickling too.
    clf = pickle.loads(pickle.dumps(clf.set_params(**{k: getattr(small(), k) for k in change})))
    getattr(clf, method)(X, y)
    assert clf.n_iter_ == 2


def test_a_warm_start_trains_with_the_current_optimizer_and_dropout_settings():
    X, y = corpus(n=32)
    clf = small(max_iter=1, warm_start=True).fit(X, y)
    steps = {k: float(v["step"]) for k, v in clf._optimizer.state_dict()["state"].items()}
    clf.set_params(learning_rate_init=0.5, alpha=0.01, dropout=0.6, freeze_embeddings=True)
    embedding = clf.module_.embedding.weight.detach().clone()
    clf.fit(X, y)
    group = clf._optimizer.param_groups[0]
    assert group["lr"] == 0.5 and group["weight_decay"] == 0.01
    assert clf.module_.dropout.p == 0.6
    assert torch.equal(clf.module_.embedding.weight, embedding)
    # Adam's moments were kept, not restarted: the output layer's count went on from 2 to 4.
    last = max(steps)
    assert steps[last] == 2 and float(clf._optimizer.state_dict()["state"][last]["step"]) == 4
    assert pickle.loads(pickle.dumps(clf)).module_.dropout.p == 0.6


def test_early_stopping_holds_out_the_same_texts_in_every_warm_fit(monkeypatch):
    held_out = []
    original = fitting_module.train

    def recording_train(network, optimizer, objective, data, valid, *args, **kwargs):
        held_out.append(sorted(valid.sequences.ids.tolist()))
        return original(network, optimizer, objective, data, valid, *args, **kwargs)

    monkeypatch.setattr(fitting_module, "train", recording_train)
    X, y = corpus(n=64)
    clf = small(max_iter=1, warm_start=True, early_stopping=True, validation_fraction=0.25)
    clf.fit(X, y).fit(X, y)
    assert held_out[0] == held_out[1]


def test_refit_without_warm_start_starts_afresh():
    X, y = corpus(n=64)
    clf = small(max_iter=2).fit(X, y)
    clf.fit(X, y)
    assert clf.n_iter_ == 2


def test_partial_fit_runs_one_epoch_per_call():
    X, y = corpus(n=64)
    clf = small()
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:32], y[:32], classes=[0, 1])
    clf.partial_fit(X[32:], y[32:])
    assert clf.n_iter_ == 2 and len(clf.history_) == 2
    # The weights' moving average runs on across the calls (2 steps each), while the next
    # call's steps go on from the last step's weights rather than from the average.
    assert clf._averaging.n_averaged == 4
    last_step = clf._averaging.last_weights["output.weight"]
    assert not torch.equal(clf.module_.output.weight, last_step)
    with pytest.raises(ValueError, match=r"labels \[5\]"):
        clf.partial_fit(X[:2], [5, 5])
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit(X[:2], y[:2], classes=[0, 1, 2])


def test_class_weight_and_sample_weight_shift_the_decision():
    X, y = corpus(n=96)
    neutral = ["the film was a story", "the plot and the actor"]
    plain = small(max_iter=3).fit(X, y).predict_proba(neutral)[:, 1]
    weighted = small(max_iter=3, class_weight={0: 1, 1: 20}).fit(X, y).predict_proba(neutral)[:, 1]
    assert (weighted > plain).all()
    sample_weighted = small(max_iter=3).fit(X, y, sample_weight=np.where(y == 1, 20.0, 1.0))
    assert (sample_weighted.predict_proba(neutral)[:, 1] > plain).all()
    balanced = small(max_iter=1, class_weight="balanced").fit(X, y)
    assert balanced.n_iter_ == 1


def test_concurrent_predictions_equal_serial_ones(fitted):
    clf, X, _ = fitted
    serial = clf.predict_proba(X)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(clf.predict_proba, [X] * 4))
    for result in results:
        np.testing.assert_array_equal(result, serial)


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        (["a b", "c d"], [0], ValueError, "2 texts but 1 labels"),
        (["a b", "c d"], [1, 1], ValueError, "single class"),
        (["a b", None], [0, 1], ValueError, "position 1"),
        ([], [], ValueError, "empty"),
        (np.array([["a", "b"], ["c", "d"]]), [0, 1], ValueError, "1-D"),
        (["a", "b"], [0.0, float("nan")], ValueError, "NaN"),
        (["a", "b", "c"], [0, "x", 1], (TypeError, ValueError), "Mix"),
    ],
)
def test_bad_training_data_fails_before_any_work(X, y, error, message):
    clf = small()
    with pytest.raises(error, match=message):
        clf.fit(X, y)
    assert not hasattr(clf, "module_")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"hidden_size": 0}, "'hidden_size' parameter"),
        ({"dropout": 1.5}, "'dropout' parameter"),
        ({"max_iter": 2.5}, "'max_iter' parameter"),
        ({"class_weight": "even"}, "'class_weight' parameter"),
        ({"validation_fraction": 1.0}, "'validation_fraction' parameter"),
    ],
)
def test_bad_parameters_name_the_parameter(params, message):
    X, y = corpus(n=20)
    with pytest.raises(InvalidParameterError, match=message):
        small(**params).fit(X, y)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"pooling": "avg"}, "'pooling' parameter"),
        ({"pooling": "mean+mean"}, "'pooling'"),
        ({"device": "tpu"}, "'device' parameter"),
        ({"device": "cuda:0"}, "CUDA is not available"),
    ],
)
def test_bad_pooling_or_device_is_a_clear_error(params, message):
    if params.get("device", "").startswith("cuda") and torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    X, y = corpus(n=20)
    with pytest.raises(ValueError, match=message):
        small(**params).fit(X, y)


@pytest.mark.parametrize("pooling", ["last", "mean", "max", "bag", "last+mean+max+bag"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_every_pooling_learns(pooling, bidirectional):
    X, y = corpus(n=96)
    clf = small(
        pooling=pooling, bidirectional=bidirectional, num_layers=2, max_iter=15, n_iter_no_change=15
    )
    assert clf.fit(X, y).score(X, y) > 0.8


def test_bfloat16_predictions_are_float32_ones_within_the_documented_tolerance():
    X, y = corpus()
    X_test, _ = corpus(n=200, seed=1)
    clf = small(precision="float32").fit(X, y)
    exact = clf.predict_proba(X_test)
    # precision applies to prediction too, so a fitted model can be switched.
    rounded = clf.set_params(precision="bfloat16").predict_proba(X_test)
    assert not np.array_equal(rounded, exact)  # bfloat16 did run
    np.testing.assert_allclose(rounded, exact, atol=2e-3, rtol=0)
    np.testing.assert_array_equal(rounded.argmax(1), exact.argmax(1))
    # Reproducible, and a text's probability hardly depends on the batch it shares.
    np.testing.assert_array_equal(clf.predict_proba(X_test), rounded)
    alone = np.vstack([clf.predict_proba([text]) for text in X_test[:20]])
    np.testing.assert_allclose(alone, rounded[:20], atol=2e-3, rtol=0)


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_both_precisions_learn_the_signal(precision):
    X, y = corpus()
    X_test, y_test = corpus(n=80, seed=1)
    assert small(precision=precision).fit(X, y).score(X_test, y_test) > 0.9


def test_partial_fit_rejects_labels_outside_classes_before_any_work():
    X, y = corpus(n=16)
    clf = small()
    with pytest.raises(ValueError, match=r"labels \[1\]"):
        clf.partial_fit(X, y, classes=[0, 2])
    assert not hasattr(clf, "classes_") and not hasattr(clf, "module_")


def test_alpha_penalises_large_weights():
    X, y = corpus(n=64)

    def weight_norm(clf):
        return sum(float(p.detach().square().sum()) for p in clf.module_.parameters())

    plain = small(max_iter=4, n_iter_no_change=4).fit(X, y)
    penalised = small(max_iter=4, n_iter_no_change=4, alpha=0.1).fit(X, y)
    assert weight_norm(penalised) < 0.9 * weight_norm(plain)


def test_validation_fraction_sets_the_held_out_share(monkeypatch):
    sizes = []
    original = sklstm.training._evaluate

    def recording_evaluate(network, objective, data, device, compute_dtype):
        sizes.append(len(data.sequences))
        return original(network, objective, data, device, compute_dtype)

    monkeypatch.setattr(sklstm.training, "_evaluate", recording_evaluate)
    X, y = corpus(n=100)
    small(max_iter=1, early_stopping=True, validation_fraction=0.3).fit(X, y)
    assert sizes == [30]


@pytest.mark.parametrize("n_classes", [2, 3])
def test_linear_path_scales_each_feature_by_its_naive_bayes_log_count_ratio(n_classes):
    X, y = corpus(n=90, n_classes=n_classes)
    clf = small(max_iter=1).fit(X, y)
    vt = clf.vectorizer_
    features = vt.transform(X).ids[:, 1:]  # the word column, then unigram and bigram ids
    text_of = np.repeat(np.arange(len(X)), vt.transform(X).lengths)
    present = np.zeros((len(X), vt.n_linear_ids_))
    for column in features.T:
        present[text_of[column > 0], column[column > 0]] = 1
    scale = clf.module_.linear_scale.numpy()
    assert scale.shape == (vt.n_linear_ids_, 1 if n_classes == 2 else n_classes)
    for k in range(scale.shape[1]):
        positive = y == (1 if n_classes == 2 else k)
        p = 1 + present[positive].sum(0)
        q = 1 + present[~positive].sum(0)
        expected = np.log(p / p.sum()) - np.log(q / q.sum())
        np.testing.assert_allclose(scale[1:, k], expected[1:], rtol=1e-5)
    assert (scale[0] == 0).all()


def test_linear_path_learns_and_can_be_turned_off():
    X, y = corpus()
    with_linear = small(max_iter=2).fit(X, y)
    assert with_linear.module_.linear_weight.abs().sum() > 0
    assert with_linear.vectorizer_.transform(X).ids.shape[1] == 3
    without = small(max_iter=2, linear_ngram_range=None).fit(X, y)
    assert without.vectorizer_.transform(X).ids.ndim == 1
    assert not hasattr(without.module_, "linear_weight")
    assert not np.allclose(with_linear.predict_proba(X), without.predict_proba(X))


def test_linear_init_scales_the_naive_bayes_start_and_auto_fades_it_with_the_texts(
    monkeypatch,
):
    starts = []

    def record_start(self, *args):
        starts.append(self.module_.linear_weight.detach().clone())

    monkeypatch.setattr(LSTMSentimentClassifier, "_train", record_start)
    X, y = corpus(n=80)
    fits = [small(linear_init=value).fit(X, y) for value in (1.0, 0.0, 0.5)]
    for nb_start_texts in (80, 1000, 5):  # 80 training texts: sqrt(5 / 80) = 1/4
        monkeypatch.setattr(sklstm.linear_start, "NB_START_TEXTS", nb_start_texts)
        fits.append(small(linear_init="auto").fit(X, y))
    full, zero, half, auto_at, auto_below, auto_beyond = starts
    assert (full > 0).all() and (zero == 0).all()
    torch.testing.assert_close(half, full / 2)
    assert torch.equal(auto_at, full) and torch.equal(auto_below, full)
    torch.testing.assert_close(auto_beyond, full / 4)
    assert [clf.resolved_params_["linear_init"] for clf in fits] == [1, 0, 0.5, 1, 1, 0.25]


@pytest.mark.parametrize(
    ("n_tokens", "expected"),
    # 1,000 tokens: 100 a pass need 10 epochs, 300 need 4 (ceil), 1,000 and more the minimum
    # 3; 100,000 are enough: 40,000 a pass need 3 epochs for them, 50,000 2 and 10**6 one.
    [(100, 10), (300, 4), (1000, 3), (40_000, 3), (50_000, 2), (10**6, 1)],
)
def test_auto_max_iter_reads_at_least_the_minimum_number_of_tokens(monkeypatch, n_tokens, expected):
    monkeypatch.setattr(fitting_module, "AUTO_MIN_TOKENS", 1000)
    monkeypatch.setattr(fitting_module, "AUTO_MIN_EPOCHS", 3)
    monkeypatch.setattr(fitting_module, "AUTO_ENOUGH_TOKENS", 100_000)
    assert small(max_iter="auto")._epochs(n_tokens) == expected
    assert small(max_iter=7)._epochs(n_tokens) == 7


def test_resolved_params_say_what_each_auto_parameter_became(monkeypatch):
    X, y = corpus(n=64)
    n_tokens = len(small().fit(X, y).vectorizer_.transform(X).ids)
    monkeypatch.setattr(fitting_module, "AUTO_MIN_TOKENS", 10 * n_tokens)
    clf = small(max_iter="auto", n_iter_no_change=100).fit(X, y)
    assert clf.resolved_params_["max_iter"] == 10 == clf.n_iter_
    assert clf.resolved_params_["pretrained_embeddings"] == "ppmi"
    assert clf.resolved_params_["precision"] in ("float32", "bfloat16")
    fixed = small(max_iter=2, pretrained_embeddings=None, precision="float32").fit(X, y)
    assert fixed.resolved_params_ == {
        "max_iter": 2,
        "linear_init": 1.0,
        "pretrained_embeddings": None,
        "precision": "float32",
    }


def test_partial_fit_validates_its_parameters_on_every_call():
    X, y = corpus(n=32)
    clf = small().partial_fit(X, y, classes=[0, 1])
    clf.set_params(dropout=1.5)
    with pytest.raises(InvalidParameterError, match="'dropout' parameter"):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"early_stopping": True}, "early_stopping=True would be ignored"),
        ({"class_weight": "balanced"}, "compute_class_weight"),
    ],
)
def test_partial_fit_rejects_what_it_cannot_do_before_any_work(params, message):
    X, y = corpus(n=32)
    clf = small(**params)
    with pytest.raises(ValueError, match=message):
        clf.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(clf, "module_")
    fitted = small().partial_fit(X, y, classes=[0, 1]).set_params(**params)
    with pytest.raises(ValueError, match=message):
        fitted.partial_fit(X, y)
    assert fitted.n_iter_ == 1


def streamed_vocabulary(blocks):
    """The vocabulary of ``small()``'s settings, counted block by block."""
    vocabulary = sklstm.VocabularyTransformer(min_df=1, linear_ngram_range=(1, 2))
    for block in blocks:
        vocabulary.partial_fit(block)
    return vocabulary


def test_a_given_vocabulary_knows_the_words_of_later_blocks_and_is_only_read():
    X, y = corpus(n=160)
    first, later = X[:80], [text + " superlative" for text in X[80:]]
    vocabulary = streamed_vocabulary([first, later])
    counts = dict(vocabulary.document_frequency_)
    clf = small(vocabulary=vocabulary).partial_fit(first, y[:80], classes=[0, 1])
    clf.partial_fit(later, y[80:])
    assert "superlative" in clf.vectorizer_.vocabulary_
    learned = small().partial_fit(first, y[:80], classes=[0, 1])
    assert "superlative" not in learned.vectorizer_.vocabulary_
    assert clf.vectorizer_.n_linear_ids_ == vocabulary.n_linear_ids_
    # The model keeps what transforms, not the counts; the user's vocabulary is untouched.
    loaded = pickle.loads(pickle.dumps(clf))
    assert not hasattr(loaded.vectorizer_, "_word_counts")
    assert not hasattr(loaded.vocabulary, "_word_counts")
    assert loaded.vocabulary.vocabulary_ == vocabulary.vocabulary_
    loaded.partial_fit(later, y[80:])  # the same structure: it goes on training
    assert vocabulary.document_frequency_ == counts and hasattr(vocabulary, "_word_counts")
    assert clone(clf).vocabulary is vocabulary
    assert clone(clf).fit(X, y).vectorizer_.vocabulary_ == vocabulary.vocabulary_


@pytest.mark.parametrize(
    ("vocabulary", "message"),
    [
        (sklstm.VocabularyTransformer(), "has not learned a vocabulary yet"),
        (
            sklstm.VocabularyTransformer(min_df=1).fit(["a b"]),
            r"linear_ngram_range=None \(this classifier: \(1, 2\)\)",
        ),
    ],
)
def test_a_vocabulary_not_fitted_or_of_other_settings_is_refused_before_any_work(
    vocabulary, message
):
    X, y = corpus(n=32)
    clf = small(vocabulary=vocabulary)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    with pytest.raises(ValueError, match=message):
        clf.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(clf, "module_")
