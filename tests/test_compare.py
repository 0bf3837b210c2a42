"""Tests for sklstm.compare: models in their own workers, the table, the CSV and the plot."""

import json
import time

import joblib
import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from conftest import interrupt_the_second_model, single_threaded_worker
from sklearn.base import BaseEstimator, ClassifierMixin

import sklstm
from sklstm.baselines import make_baselines
from sklstm.compare import COLUMNS, compare, make_models, plot_comparison

# Small enough to fit in a fraction of a second, and with batches of 8 texts it takes enough
# steps to learn the signal words: 1.0 test accuracy with 60 training texts for every one of 15
# seeds tried.
TINY_LSTM = {"embedding_dim": 8, "hidden_size": 8, "batch_size": 8, "max_iter": 6, "min_df": 1}
BASELINES = ["tfidf_lr", "count_nb", "nb_lr"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Probe(ClassifierMixin, BaseEstimator):
    """Predicts ``answer`` for every text; holds ``fit_mb`` MiB once fitted; can sleep."""

    def __init__(self, answer=1, fit_mb=0, fit_sleep=0.0, predict_sleep=0.0):
        self.answer = answer
        self.fit_mb = fit_mb
        self.fit_sleep = fit_sleep
        self.predict_sleep = predict_sleep

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        # np.ones writes every byte, so every page becomes resident.
        self.memory_ = np.ones(self.fit_mb * 2**20, dtype=np.uint8)
        time.sleep(self.fit_sleep)
        return self

    def predict(self, X):
        time.sleep(self.predict_sleep)
        return np.full(len(X), self.answer)


@pytest.fixture(scope="module")
def corpus(make_corpus):
    X_train, y_train = make_corpus(60, seed=0)
    X_test, y_test = make_corpus(30, seed=1)
    return X_train, y_train, X_test, y_test


@pytest.fixture(scope="module")
def split_run(corpus, tmp_path_factory):
    """The LSTM and the baselines on a test set, with outputs and the saved LSTM."""
    output = tmp_path_factory.mktemp("split") / "out"
    model_path = output.parent / "lstm.joblib"
    table = compare(
        make_models(TINY_LSTM),
        *corpus,
        output_dir=output,
        save_models={"lstm": model_path},
        initializer=single_threaded_worker,
    )
    return table, output, model_path


def check_png(path, min_aspect):
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    height, width, channels = matplotlib.image.imread(path).shape
    assert channels in (3, 4)
    assert width > min_aspect * height


def test_one_row_per_model_in_order_with_all_columns(split_run):
    table, _, _ = split_run
    assert list(table.columns) == list(COLUMNS)
    assert table["model"].tolist() == ["lstm", *BASELINES]
    assert table[list(COLUMNS[1:])].notna().all().all()


def test_scores_timings_and_memory_are_plausible(split_run):
    table = split_run[0].set_index("model")
    # The corpus is separable by its signal words, which every model learns: untrained, or
    # scored against misaligned labels, a model would be near 0.5.
    assert (table[["accuracy", "macro_f1"]] >= 0.9).all().all()
    assert (table[["accuracy", "macro_f1"]] <= 1).all().all()
    assert (table[["fit_seconds", "predict_seconds"]] > 0).all().all()
    np.testing.assert_allclose(table["texts_per_second"], 30 / table["predict_seconds"])
    assert (table["peak_memory_mb"] >= 0).all()
    # Torch allocates its buffers and thread pools on the first fit in a process.
    assert table.loc["lstm", "peak_memory_mb"] > 1


def test_results_csv_holds_the_table(split_run):
    table, output, _ = split_run
    pd.testing.assert_frame_equal(pd.read_csv(output / "results.csv"), table)


def test_png_has_the_learning_curve_panel(split_run):
    # Two panels side by side are more than twice as wide as high; one is not.
    check_png(split_run[1] / "comparison.png", min_aspect=2)


def test_saved_model_is_the_fitted_lstm(split_run, corpus):
    model = joblib.load(split_run[2])
    assert isinstance(model, sklstm.LSTMSentimentClassifier)
    assert model.hidden_size == 8
    assert model.classes_.tolist() == [0, 1]
    assert model.history_.index.tolist() == [1, 2, 3, 4, 5, 6]
    assert (
        model.score(corpus[2], corpus[3]) == split_run[0].set_index("model").loc["lstm", "accuracy"]
    )


def test_cross_validation_of_lstm_and_baselines(corpus, tmp_path):
    # 90 texts in 3 folds: each model trains on 60 texts, as in split_run, and is scored on 30.
    X = [*corpus[0], *corpus[2]]
    y = np.concatenate([corpus[1], corpus[3]])
    table = compare(
        make_models(TINY_LSTM), X, y, cv=3, output_dir=tmp_path, initializer=single_threaded_worker
    )
    assert table["model"].tolist() == ["lstm", *BASELINES]
    assert (table["accuracy"] >= 0.9).all()
    # Test folds of 30 texts: the rate is all texts predicted over all the time it took.
    np.testing.assert_allclose(table["texts_per_second"] * table["predict_seconds"], 30)
    assert pd.read_csv(tmp_path / "results.csv")["model"].tolist() == table["model"].tolist()
    check_png(tmp_path / "comparison.png", min_aspect=2)


def test_cross_validation_reports_the_mean_over_folds():
    X = [f"text {i}" for i in range(8)]
    y = np.array([1, 1, 1, 1, 1, 1, 0, 0])
    # Always answering 1 scores 4/4 on the first test fold and 2/4 on the second.
    folds = [(np.arange(4, 8), np.arange(4)), (np.arange(4), np.arange(4, 8))]
    table = compare({"ones": Probe(answer=1)}, X, y, cv=folds)
    assert table.loc[0, "accuracy"] == pytest.approx((1 + 0.5) / 2)
    # Macro F1 averages the classes present in the fold: class 1 alone, with F1 1, in the
    # first; in the second class 1 (precision 1/2, recall 1: F1 2/3) and class 0 (F1 0).
    assert table.loc[0, "macro_f1"] == pytest.approx((1 + (2 / 3 + 0) / 2) / 2)


def test_default_cross_validation_is_five_stratified_folds():
    # 20 ones and 10 zeros: each of 5 stratified test folds has 6 texts, 4 of them ones, so
    # answering 1 scores 4/6 on every fold.
    X = [f"text {i}" for i in range(30)]
    y = np.array([1] * 20 + [0] * 10)
    table = compare({"ones": Probe(answer=1, predict_sleep=0.05)}, X, y)
    assert table.loc[0, "accuracy"] == pytest.approx(4 / 6)
    assert table.loc[0, "texts_per_second"] * table.loc[0, "predict_seconds"] == pytest.approx(
        6, rel=0.2
    )


def test_peak_memory_and_time_are_measured_per_model(corpus):
    models = {
        "first": Probe(fit_mb=100),
        "second": Probe(fit_mb=100),
        "slow": Probe(fit_sleep=0.3, predict_sleep=0.2),
    }
    table = compare(models, *corpus).set_index("model")
    # In one shared process, the second model would not raise the peak again.
    assert table.loc["first", "peak_memory_mb"] >= 95
    assert table.loc["second", "peak_memory_mb"] >= 95
    assert table.loc["slow", "peak_memory_mb"] < 50
    assert table.loc["slow", "fit_seconds"] >= 0.3
    assert table.loc["slow", "predict_seconds"] >= 0.2


def test_stack_adds_the_lstm_with_the_other_model_best_in_training_cross_validation(corpus):
    nb_lr = make_baselines()["nb_lr"]
    # The best model is neither the first nor the last of the others.
    models = {
        "lstm": make_models(TINY_LSTM)["lstm"],
        "zeros": Probe(answer=0),
        "nb_lr": nb_lr,
        "ones": Probe(answer=1),
    }
    table = compare(models, *corpus, stack="lstm", initializer=single_threaded_worker)
    assert table["model"].tolist() == [
        "lstm",
        "zeros",
        "nb_lr",
        "ones",
        "stack(lstm+nb_lr chosen by train CV)",
    ]
    assert table["accuracy"].iloc[-1] >= 0.9


def test_the_stacking_partner_is_chosen_without_the_test_labels(corpus):
    X_train, y_train, X_test, y_test = corpus
    baselines = make_baselines(random_state=0)
    models = {
        "count_nb": baselines["count_nb"],
        "zeros": Probe(answer=0),
        "nb_lr": baselines["nb_lr"],
        "ones": Probe(answer=1),
    }
    # Scored against the flipped labels, nb_lr would be the least accurate, not the most.
    names = [
        compare(models, X_train, y_train, X_test, labels, stack="count_nb")["model"].iloc[-1]
        for labels in (y_test, 1 - y_test)
    ]
    assert names == ["stack(count_nb+nb_lr chosen by train CV)"] * 2


def test_cross_validation_chooses_the_stacking_partner_on_each_training_fold():
    X = [f"text {i}" for i in range(40)]
    # Mostly ones in the first half, mostly zeros in the second: answering 1 is the more
    # accurate on the first half, answering 0 on the second.
    y = np.array([1] * 15 + [0] * 5 + [1] * 5 + [0] * 15)
    folds = [(np.arange(20), np.arange(20, 40)), (np.arange(20, 40), np.arange(20))]
    models = {"base": Probe(answer=1), "ones": Probe(answer=1), "zeros": Probe(answer=0)}
    table = compare(models, X, y, cv=folds, stack="base")
    assert table["model"].iloc[-1] == "stack(base+ones|zeros chosen by train CV)"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"stack": "svm"}, "stack='svm' is not among"),
        ({"cv": 2, "save_models": {"ones": "m.joblib"}}, "one fitted model per fold"),
        ({"save_models": {"svm": "m.joblib"}}, r"save_models names \['svm'\]"),
        ({"X_test": ["a"]}, "both X_test and y_test"),
        ({"X_test": ["a", "b"], "y_test": [0, 1], "cv": 2}, "not both"),
        ({"X_test": ["a", "b"], "y_test": [0]}, "inconsistent numbers of samples"),
    ],
)
def test_inconsistent_arguments_fail_before_running(arguments, message, tmp_path):
    X, y = [f"text {i}" for i in range(10)], [0, 1] * 5
    output = tmp_path / "out"
    with pytest.raises(ValueError, match=message):
        compare({"ones": Probe()}, X, y, output_dir=output, **arguments)
    assert not output.exists()


def test_an_interrupted_run_keeps_the_rows_of_the_models_that_finished(
    corpus, tmp_path, monkeypatch
):
    # What an earlier run left in the folder is not mistaken for this run's results.
    pd.DataFrame({"model": ["old"]}).to_csv(tmp_path / "results.csv", index=False)
    (tmp_path / "comparison.png").write_bytes(PNG_SIGNATURE)
    interrupt_the_second_model(monkeypatch)
    models = {"ones": Probe(answer=1), "zeros": Probe(answer=0), "twos": Probe(answer=2)}
    with pytest.raises(KeyboardInterrupt):
        compare(models, *corpus, output_dir=tmp_path)
    results = pd.read_csv(tmp_path / "results.csv")
    assert list(results.columns) == list(COLUMNS)
    assert results["model"].tolist() == ["ones"]
    assert results.loc[0, "accuracy"] == pytest.approx(np.mean(corpus[3] == 1))
    assert not (tmp_path / "comparison.png").exists()


def test_a_failing_model_leaves_the_rows_of_the_models_before_it(corpus, tmp_path):
    models = {"ones": Probe(answer=1), "lstm": make_models({"min_df": 10**6})["lstm"]}
    with pytest.raises(ValueError, match="min_df"):
        compare(models, *corpus, output_dir=tmp_path)
    assert pd.read_csv(tmp_path / "results.csv")["model"].tolist() == ["ones"]


def test_no_models_is_an_error():
    with pytest.raises(ValueError, match="models is empty"):
        compare({}, ["a", "b", "c", "d"], [0, 1, 0, 1], cv=2)


def test_a_failing_model_raises_its_own_error(corpus):
    with pytest.raises(ValueError, match="'pooling' parameter"):
        compare(make_models({"pooling": "median"}), *corpus)


def test_make_models_applies_the_lstm_parameters():
    models = make_models({"hidden_size": 8, "pooling": "max"}, verbose=1)
    assert list(models) == ["lstm", *BASELINES]
    assert isinstance(models["lstm"], sklstm.LSTMSentimentClassifier)
    params = models["lstm"].get_params()
    assert (params["hidden_size"], params["pooling"], params["verbose"]) == (8, "max", 1)
    assert make_models({"verbose": 0}, verbose=1)["lstm"].verbose == 0


def test_make_models_rejects_unknown_names_listing_the_valid_ones():
    with pytest.raises(ValueError, match=r"'hidden_sizes'.*Valid parameters.*'hidden_size'"):
        make_models({"hidden_sizes": 8})


def test_make_models_rejects_bad_values_with_the_estimator_message():
    with pytest.raises(ValueError, match=r"'hidden_size' parameter .* Got -1 instead"):
        make_models({"hidden_size": -1})


def test_plot_comparison_draws_points_and_one_curve_per_fold():
    table = pd.DataFrame(
        {"model": ["lstm", "nb_lr"], "accuracy": [0.8, 0.9], "fit_seconds": [100.0, 2.0]}
    )
    history = pd.DataFrame(
        {"train_loss": [0.7, 0.5, 0.4], "valid_loss": [0.6, 0.5, 0.5]},
        index=pd.Index([1, 2, 3], name="epoch"),
    )
    figure = plot_comparison(table, {"lstm": [history, history * 1.1], "nb_lr": []})
    points, curves = figure.axes
    assert [text.get_text() for text in points.get_legend().get_texts()] == ["lstm", "nb_lr"]
    np.testing.assert_allclose(points.collections[1].get_offsets(), [[2.0, 0.9]])
    assert points.get_xscale() == "log"
    assert len(curves.lines) == 4
    assert curves.lines[0].get_xdata().tolist() == [1, 2, 3]
    assert [text.get_text() for text in curves.get_legend().get_texts()] == [
        "lstm train",
        "lstm validation",
    ]
    assert curves.get_title() == "Learning curves (2 folds)"


def test_plot_comparison_without_histories_has_one_panel():
    table = pd.DataFrame({"model": ["nb_lr"], "accuracy": [0.9], "fit_seconds": [2.0]})
    assert len(plot_comparison(table).axes) == 1


def test_make_models_seeds_every_model_unless_told_otherwise():
    models = make_models()
    assert models["lstm"].random_state == 0
    assert all(
        value == 0
        for model in models.values()
        for name, value in model.get_params().items()
        if name.endswith("random_state")
    )
    assert make_models({"random_state": 7})["lstm"].random_state == 7


# ------------------------------------------------------------------ unlabelled texts


class Recorder(ClassifierMixin, BaseEstimator):
    """Predicts its first class; appends the texts and labels it gets to the JSON lines ``log``.

    It runs in a worker process: the log file is how the test sees what it was given. With an
    ``unlabeled_label`` it takes unlabelled texts, as the LSTM does.
    """

    def __init__(self, log=None, unlabeled_label=None):
        self.log = log
        self.unlabeled_label = unlabeled_label

    def fit(self, X, y):
        labels = np.asarray(y, dtype=object).tolist()
        self.classes_ = np.array(
            sorted({label for label in labels if label != self.unlabeled_label})
        )
        self._write({"fit": list(X), "labels": labels})
        return self

    def predict(self, X):
        self._write({"predict": list(X)})
        return np.full(len(X), self.classes_[0])

    def _write(self, record):
        with open(self.log, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")


def read_log(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_only_the_models_that_take_unlabelled_texts_get_them(tmp_path):
    log = tmp_path / "log.jsonl"
    X_train, y_train = [f"train {i}" for i in range(20)], [0] * 10 + [1] * 10
    X_test, y_test = [f"test {i}" for i in range(6)], [0, 1] * 3
    extra = [f"extra {i}" for i in range(5)]
    models = {"plain": Recorder(log), "marked": Recorder(log, unlabeled_label=-1)}
    table = compare(models, X_train, y_train, X_test, y_test, X_unlabeled=extra, n_labeled=8)
    assert table["model"].tolist() == ["plain", "marked"]
    plain_fit, plain_predict, marked_fit, marked_predict = read_log(log)
    # The plain model: 8 labelled training texts, a stratified sample, and nothing else.
    assert len(plain_fit["fit"]) == 8 and set(plain_fit["fit"]) < set(X_train)
    assert sorted(plain_fit["labels"]) == [0] * 4 + [1] * 4
    assert plain_fit["labels"] == [y_train[X_train.index(text)] for text in plain_fit["fit"]]
    # The other: the same labelled texts, then the 12 others of the training set and the 5
    # added ones, marked with its label for unlabelled texts.
    assert marked_fit["fit"][:8] == plain_fit["fit"]
    assert marked_fit["labels"][:8] == plain_fit["labels"]
    assert sorted(marked_fit["fit"][8:]) == sorted(
        set(X_train) - set(plain_fit["fit"]) | set(extra)
    )
    assert marked_fit["labels"][8:] == [-1] * 17
    # Both are scored on the test texts alone.
    assert plain_predict["predict"] == marked_predict["predict"] == X_test


def test_cross_validation_keeps_unlabelled_texts_out_of_the_test_folds(tmp_path):
    log = tmp_path / "log.jsonl"
    X = [f"text {i}" for i in range(30)]
    # String labels: the marker -1 stays an int beside them.
    y = np.array(["neg"] * 15 + ["pos"] * 15)
    extra = [f"extra {i}" for i in range(4)]
    models = {"plain": Recorder(log), "marked": Recorder(log, unlabeled_label=-1)}
    compare(models, X, y, cv=3, X_unlabeled=extra, n_labeled=6)
    records = read_log(log)
    fits = [record for record in records if "fit" in record]
    predicted = [text for record in records if "predict" in record for text in record["predict"]]
    plain, marked = fits[:3], fits[3:]
    for plain_fit, marked_fit in zip(plain, marked, strict=True):
        # Each training fold of 20 texts keeps 6 labelled, 3 of each class.
        assert sorted(plain_fit["labels"]) == ["neg"] * 3 + ["pos"] * 3
        assert marked_fit["fit"][:6] == plain_fit["fit"]
        assert marked_fit["labels"] == plain_fit["labels"] + [-1] * (14 + 4)
        assert set(extra) < set(marked_fit["fit"])
    # Every labelled text is scored once per model, and no added text ever.
    assert sorted(predicted) == sorted(X * 2)


def test_the_lstm_and_the_self_training_baseline_learn_with_unlabelled_texts(corpus):
    X_train, y_train, X_test, y_test = corpus
    models = make_models(TINY_LSTM, semi_supervised=True)
    del models["count_nb"], models["nb_lr"]
    table = compare(
        models,
        X_train[:40],
        y_train[:40],
        X_test,
        y_test,
        X_unlabeled=X_train[40:],
        n_labeled=20,
        initializer=single_threaded_worker,
    )
    assert table["model"].tolist() == ["lstm", "tfidf_lr", "self_training_tfidf_lr"]
    assert (table["accuracy"] >= 0.8).all()


def test_make_models_for_unlabelled_texts():
    models = make_models(semi_supervised=True)
    assert list(models) == ["lstm", *BASELINES, "self_training_tfidf_lr"]
    assert models["lstm"].unlabeled_label == -1
    assert (
        make_models({"unlabeled_label": "?"}, semi_supervised=True)["lstm"].unlabeled_label == "?"
    )
    assert make_models()["lstm"].unlabeled_label is None


@pytest.mark.parametrize(
    ("models", "arguments", "message"),
    [
        (
            {"a": Probe(), "b": Probe()},
            {"X_unlabeled": ["more"], "stack": "a"},
            "stack cannot be combined with unlabelled texts",
        ),
        ({"a": Recorder(unlabeled_label=1)}, {"X_unlabeled": ["more"]}, "'a'.*label 1.*a class"),
        ({"a": Probe()}, {"n_labeled": 9}, "Cannot keep 9 labelled texts of a training set of 8"),
        ({"a": Probe()}, {"n_labeled": 1}, "should be greater or equal to the number of classes"),
        ({"a": Probe()}, {"n_labeled": 0.5}, "n_labeled must be an int, got 0.5"),
    ],
)
def test_bad_unlabelled_arguments_fail_before_running(models, arguments, message, tmp_path):
    X, y = [f"text {i}" for i in range(10)], [0, 1] * 5
    with pytest.raises(ValueError, match=message):
        compare(models, X, y, output_dir=tmp_path / "out", **arguments)
    assert not (tmp_path / "out").exists()
