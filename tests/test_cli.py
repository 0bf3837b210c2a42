"""Tests for the sklstm command line, on small data files and a fake dataset cache."""

import csv
import gzip
import io
import os
import signal
import subprocess
import sys
import urllib.request

import joblib
import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from conftest import interrupt_the_second_model, single_threaded_worker
from sklearn.base import BaseEstimator, ClassifierMixin

import sklstm
from sklstm import cli
from sklstm.compare import COLUMNS, compare

# Fits in a fraction of a second and learns the signal words (see test_compare.TINY_LSTM).
TINY_LSTM = ["--param", "embedding_dim=8", "--param", "hidden_size=8", "--param", "batch_size=8"]
TINY_LSTM += ["--param", "max_iter=6", "--param", "min_df=1"]
MODELS = ["lstm", "tfidf_lr", "count_nb", "nb_lr"]
SELF_TRAINING = "self_training_tfidf_lr"
IMDB_COLUMNS = ["text", "label", "rating", "id"]


def spy_on_compare(monkeypatch, run_models):
    """Record the calls of the command line to compare; run them with fast workers or not."""
    calls = []

    def record(models, X_train, y_train, X_test, y_test, **kwargs):
        data = {"X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test}
        calls.append({"models": models, **data, **kwargs})
        if not run_models:
            return pd.DataFrame(columns=COLUMNS)
        kwargs["initializer"] = single_threaded_worker
        return compare(models, X_train, y_train, X_test, y_test, **kwargs)

    monkeypatch.setattr(cli, "compare", record)
    return calls


@pytest.fixture
def compare_calls(monkeypatch):
    """The calls to compare, which run the models."""
    return spy_on_compare(monkeypatch, run_models=True)


@pytest.fixture
def recorded_calls(monkeypatch):
    """The calls to compare, which run no model and return an empty table."""
    return spy_on_compare(monkeypatch, run_models=False)


@pytest.fixture(scope="session")
def reviews(make_corpus):
    """Make a frame of texts (``review``), string labels (``sentiment``) and an ``id``."""

    def make(n_texts, seed):
        texts, labels = make_corpus(n_texts, seed=seed)
        sentiment = np.where(labels == 1, "pos", "neg")
        return pd.DataFrame({"id": np.arange(n_texts), "review": texts, "sentiment": sentiment})

    return make


def write_table(frame, path):
    """Write ``frame`` in the format its extension names, independently of the CLI."""
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_json(path, orient="records", lines=True)
    return path


def write_cache(path, header, rows):
    """Write a dataset cache file by hand, in the published format: gzip-compressed CSV."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(out.getvalue().encode("utf-8")))


def write_imdb_cache(home, train, test):
    """Write the IMDB cache from frames of reviews; return the texts in the order written."""
    written = {}
    for split, frame in [("train", train), ("test", test)]:
        # As published: label 0, then label 1.
        frame = frame.sort_values("sentiment", kind="stable")
        labels = (frame.sentiment == "pos").astype(int)
        rows = zip(frame.review, labels, labels * 7 + 2, frame.id, strict=True)
        write_cache(home / "imdb" / f"{split}.csv.gz", IMDB_COLUMNS, rows)
        written[split] = frame.review.tolist()
    return written


@pytest.fixture
def no_network(monkeypatch):
    def urlopen(*args, **kwargs):
        raise OSError("the network is disabled in the tests")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)


def run(argv, capsys):
    """Run the command line in-process: its status, stdout and stderr."""
    status = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def check_png(path):
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = matplotlib.image.imread(path).shape
    assert width > 300 and height > 200


# ----------------------------------------------------------------------------- runs


def test_csv_with_parquet_test_file_and_saved_model(tmp_path, capsys, reviews, compare_calls):
    train = write_table(reviews(60, seed=0), tmp_path / "train.csv")
    test = write_table(reviews(30, seed=1), tmp_path / "test.parquet")
    output, model_path = tmp_path / "out", tmp_path / "lstm.joblib"
    status, out, err = run(
        ["compare", "--dataset", train, "--test", test, "--text-column", "review",
         "--label-column", "sentiment", *TINY_LSTM, "--output", output,
         "--save-model", model_path],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    results = pd.read_csv(output / "results.csv")
    assert list(results.columns) == list(COLUMNS)
    assert results["model"].tolist() == MODELS
    # Every model learns the signal words, the LSTM too: with the texts or labels misread or
    # misaligned, accuracy would be near 0.5.
    assert (results["accuracy"] >= 0.9).all()
    printed = out.splitlines()
    assert printed[0].split() == list(COLUMNS)
    assert [line.split()[0] for line in printed[1:5]] == MODELS
    assert f"Results: {output / 'results.csv'}, {output / 'comparison.png'}" in out
    check_png(output / "comparison.png")
    model = joblib.load(model_path)
    assert model.classes_.tolist() == ["neg", "pos"]
    assert model.hidden_size == 8
    assert set(model.predict(["great film", "awful film"])) <= {"neg", "pos"}
    (call,) = compare_calls
    assert len(call["X_train"]) == 60 and len(call["X_test"]) == 30
    assert call["cv"] is None and call["stack"] is None
    # Progress bars and messages unless --quiet; the workers get the allocator setting.
    assert call["models"]["lstm"].verbose == 1
    assert "[1/4] lstm" in err
    assert call["initializer"] is sklstm.reuse_freed_memory


def test_explain_writes_the_lstms_mistakes_as_html(tmp_path, capsys, reviews, compare_calls):
    train = write_table(reviews(60, seed=0), tmp_path / "train.csv")
    test_frame = reviews(40, seed=1)
    # Wrong labels on three test texts: mistakes for any model that learned the signal.
    flipped = {"pos": "neg", "neg": "pos"}
    test_frame.loc[:2, "sentiment"] = test_frame.sentiment[:3].map(flipped)
    test = write_table(test_frame, tmp_path / "test.csv")
    output = tmp_path / "out"
    status, out, err = run(
        ["compare", "--dataset", train, "--test", test, "--text-column", "review",
         "--label-column", "sentiment", *TINY_LSTM, "--param", "max_iter=1",
         "--output", output, "--explain", "2", "--quiet"],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    page = (output / "explanations.html").read_text(encoding="utf-8")
    assert f"Explanations of the LSTM's mistakes: {output / 'explanations.html'}" in out
    captions = [line for line in page.split("<p>") if line.startswith("Test text ")]
    assert len(captions) == 2
    for caption in captions:
        index = int(caption.split()[2].rstrip(":"))
        true_label = test_frame.sentiment[index]
        assert f"true label {true_label}, predicted {'neg' if true_label == 'pos' else 'pos'}" in (
            caption
        )
    assert not list(tmp_path.glob("**/lstm.joblib"))  # the model was only kept to explain


def test_explain_without_mistakes_says_so(tmp_path, capsys, monkeypatch, reviews, compare_calls):
    train = write_table(reviews(60, seed=0), tmp_path / "train.csv")
    test_frame = reviews(20, seed=1)
    test = write_table(test_frame, tmp_path / "test.csv")

    class Perfect:  # the fitted LSTM, as --explain loads it back: right on every text
        def predict(self, texts):
            return test_frame.sentiment.to_numpy()

    monkeypatch.setattr(cli.joblib, "load", lambda path: Perfect())
    status, out, err = run(
        ["compare", "--dataset", train, "--test", test, "--text-column", "review",
         "--label-column", "sentiment", *TINY_LSTM, "--output", tmp_path / "out",
         "--explain", "5", "--quiet"],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    assert "The LSTM made no mistake on the test texts" in out
    assert "Test text" not in (tmp_path / "out" / "explanations.html").read_text()


def test_tsv_without_test_set_is_cross_validated(tmp_path, capsys, reviews, compare_calls):
    # 5 folds of 15 texts: each model trains on 60.
    data = write_table(reviews(75, seed=0), tmp_path / "reviews.tsv")
    output = tmp_path / "out"
    status, _, err = run(
        ["compare", "--dataset", data, "--text-column", "review", "--label-column",
         "sentiment", *TINY_LSTM, "--output", output, "--quiet"],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    results = pd.read_csv(output / "results.csv")
    assert results["model"].tolist() == MODELS
    assert (results["accuracy"] >= 0.9).all()
    check_png(output / "comparison.png")
    (call,) = compare_calls
    assert call["cv"] == 5 and call["X_test"] is None
    assert call["models"]["lstm"].verbose == 0
    assert err == ""


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".jsonl"])
def test_every_file_format_is_read(suffix, tmp_path, capsys, reviews, recorded_calls):
    # A text of digits alone stays a text among the others.
    frame = reviews(20, seed=0).assign(review=lambda f: f.review.where(f.id != 2, "10"))
    data = write_table(frame, tmp_path / f"reviews{suffix}")
    status, _, err = run(
        ["compare", "--dataset", data, "--text-column", "review", "--label-column",
         "sentiment", "--quiet"],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    (call,) = recorded_calls
    assert call["X_train"] == frame.review.tolist()
    assert call["y_train"].tolist() == frame.sentiment.tolist()
    # No unlabelled texts: no self-training baseline, and the LSTM marks none.
    assert call["X_unlabeled"] is None and call["n_labeled"] is None
    assert list(call["models"]) == MODELS
    assert call["models"]["lstm"].unlabeled_label is None


def test_stack_option(tmp_path, capsys, reviews, recorded_calls):
    data = write_table(reviews(20, seed=0), tmp_path / "reviews.csv")
    argv = ["compare", "--dataset", data, "--text-column", "review", "--label-column",
            "sentiment", "--stack"]  # fmt: skip
    assert run(argv, capsys)[0] == 0
    assert recorded_calls[0]["stack"] == "lstm"


def test_imdb_from_the_cache_with_limit(
    tmp_path, capsys, monkeypatch, no_network, reviews, compare_calls
):
    home = tmp_path / "data"
    # 24 negative and 8 positive training texts.
    train = reviews(48, seed=0)
    train = train.drop(train.index[train.sentiment == "pos"][:16])
    written = write_imdb_cache(home, train, reviews(20, seed=1))
    monkeypatch.setenv("SKLSTM_DATA", str(home))
    output = tmp_path / "out"
    status, _, err = run(
        ["compare", "--dataset", "imdb", "--limit", 12, *TINY_LSTM, "--output", output,
         "--quiet"],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    assert pd.read_csv(output / "results.csv")["model"].tolist() == MODELS
    (call,) = compare_calls
    # A stratified sample of the training texts; the whole official test split.
    assert len(call["X_train"]) == 12
    assert sorted(call["y_train"].tolist()) == [0] * 9 + [1] * 3
    assert set(call["X_train"]) <= set(written["train"])
    assert call["X_test"] == written["test"]
    assert call["cv"] is None


@pytest.mark.parametrize(
    ("dataset", "options", "n_texts", "folds"),
    [("mr", [], 30, 10), ("mr", ["--cv", 3], 30, 3), ("imdb", ["--cv", 4], 20 + 12, 4)],
)
def test_built_in_cross_validation(
    dataset, options, n_texts, folds, tmp_path, capsys, monkeypatch, no_network, reviews,
    recorded_calls,
):  # fmt: skip
    home = tmp_path / "data"
    write_imdb_cache(home, reviews(20, seed=0), reviews(12, seed=1))
    mr = reviews(30, seed=2)
    write_cache(
        home / "mr" / "all.csv.gz", ["text", "label"], zip(mr.review, mr.id % 2, strict=True)
    )
    monkeypatch.setenv("SKLSTM_DATA", str(home))
    status, _, err = run(["compare", "--dataset", dataset, *options, "--quiet"], capsys)
    assert status == 0, err
    (call,) = recorded_calls
    # imdb with --cv: the train and test splits together.
    assert len(call["X_train"]) == n_texts
    assert call["cv"] == folds and call["X_test"] is None


def test_labels_and_an_unlabelled_file(tmp_path, capsys, reviews, compare_calls):
    train = write_table(reviews(60, seed=0), tmp_path / "train.csv")
    test = write_table(reviews(30, seed=1), tmp_path / "test.csv")
    # Only the texts: an unlabelled file needs no label column.
    more = write_table(reviews(20, seed=2)[["review"]], tmp_path / "more.jsonl")
    output = tmp_path / "out"
    status, out, err = run(
        ["compare", "--dataset", train, "--test", test, *COLUMNS_OK, "--labels", 30,
         "--unlabeled", more, *TINY_LSTM, "--output", output],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    results = pd.read_csv(output / "results.csv")
    assert results["model"].tolist() == [*MODELS, SELF_TRAINING]
    assert (results["accuracy"] >= 0.8).all()
    (call,) = compare_calls
    assert call["n_labeled"] == 30
    assert call["X_unlabeled"] == pd.read_json(more, lines=True).review.tolist()
    assert len(call["X_train"]) == 60 and len(call["X_test"]) == 30
    assert call["models"]["lstm"].unlabeled_label == -1
    # Progress messages say which models learn from the unlabelled texts.
    assert "30 labelled, 50 unlabelled; lstm and self_training_tfidf_lr learn from both" in err


@pytest.mark.parametrize("dataset", ["imdb", "mr"])
def test_the_unlabelled_imdb_reviews(
    dataset, tmp_path, capsys, monkeypatch, no_network, reviews, recorded_calls
):
    home = tmp_path / "data"
    write_imdb_cache(home, reviews(20, seed=0), reviews(12, seed=1))
    mr = reviews(30, seed=2)
    write_cache(
        home / "mr" / "all.csv.gz", ["text", "label"], zip(mr.review, mr.id % 2, strict=True)
    )
    unsup = reviews(8, seed=3)
    unsup_rows = zip(unsup.review, unsup.id, strict=True)
    write_cache(home / "imdb" / "unsup.csv.gz", ["text", "id"], unsup_rows)
    monkeypatch.setenv("SKLSTM_DATA", str(home))
    status, _, err = run(
        ["compare", "--dataset", dataset, "--labels", 6, "--unlabeled", "imdb", "--quiet"], capsys
    )
    assert status == 0, err
    (call,) = recorded_calls
    assert call["X_unlabeled"] == unsup.review.tolist()
    assert call["n_labeled"] == 6
    assert list(call["models"]) == [*MODELS, SELF_TRAINING]


def test_an_unlabelled_file_beside_a_built_in_dataset_and_bool_labels(
    tmp_path, capsys, monkeypatch, no_network, reviews, recorded_calls
):
    home = tmp_path / "data"
    mr = reviews(30, seed=2)
    write_cache(
        home / "mr" / "all.csv.gz", ["text", "label"], zip(mr.review, mr.id % 2, strict=True)
    )
    monkeypatch.setenv("SKLSTM_DATA", str(home))
    more = write_table(reviews(5, seed=3), tmp_path / "more.csv")
    # --text-column names the unlabelled file's column.
    argv = ["compare", "--dataset", "mr", "--unlabeled", more, "--text-column", "review"]
    assert run([*argv, "--quiet"], capsys)[0] == 0
    assert recorded_calls[-1]["X_unlabeled"] == pd.read_csv(more).review.tolist()
    # Bool labels become 0 and 1, which SelfTrainingClassifier can hold its -1 beside.
    data = write_table(reviews(20, seed=0).assign(good=lambda f: f.sentiment == "pos"),
                       tmp_path / "bools.jsonl")  # fmt: skip
    argv = ["compare", "--dataset", data, "--text-column", "review", "--label-column", "good",
            "--unlabeled", more, "--quiet"]  # fmt: skip
    assert run(argv, capsys)[0] == 0
    y = recorded_calls[-1]["y_train"]
    assert y.dtype.kind == "i" and y.tolist() == (pd.read_json(data, lines=True).good * 1).tolist()


def test_param_values_are_read_as_python_literals(tmp_path, capsys, reviews, recorded_calls):
    data = write_table(reviews(20, seed=0), tmp_path / "reviews.csv")
    params = ["pooling=mean+max", "max_iter=3", "early_stopping=True", "learning_rate_init=1e-2"]
    params += ["class_weight={'neg': 2, 'pos': 1}", "device=cpu", "max_features=None"]
    status, _, err = run(
        ["compare", "--dataset", data, "--text-column", "review", "--label-column", "sentiment",
         *[arg for param in params for arg in ("--param", param)]],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    lstm = recorded_calls[0]["models"]["lstm"]
    assert lstm.pooling == "mean+max"
    assert lstm.max_iter == 3
    assert lstm.early_stopping is True
    assert lstm.learning_rate_init == 0.01
    assert lstm.class_weight == {"neg": 2, "pos": 1}
    assert lstm.device == "cpu"
    assert lstm.max_features is None


def test_python_m_sklstm(tmp_path, reviews):
    write_table(reviews(30, seed=0), tmp_path / "train.csv")
    write_table(reviews(20, seed=1), tmp_path / "test.csv")
    command = [sys.executable, "-m", "sklstm", "compare", "--dataset", "train.csv",
               "--test", "test.csv", "--text-column", "review", "--label-column", "sentiment",
               *TINY_LSTM, "--param", "max_iter=1", "--quiet"]  # fmt: skip
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    # --quiet: no progress bars or messages from the command or its workers.
    assert done.stderr == ""
    assert [line.split()[0] for line in done.stdout.splitlines()[1:5]] == MODELS
    assert "Results: sklstm-output/results.csv, sklstm-output/comparison.png" in done.stdout
    assert len(pd.read_csv(tmp_path / "sklstm-output" / "results.csv")) == 4


def test_help_and_version(capsys):
    status, out, _ = run(["compare", "--help"], capsys)
    assert status == 0
    options = ["--dataset", "--test", "--cv", "--param", "--stack", "--limit", "--quiet"]
    for option in [*options, "--labels", "--unlabeled"]:
        assert option in out
    status, out, _ = run(["--version"], capsys)
    assert (status, out) == (0, f"sklstm {sklstm.__version__}\n")


# --------------------------------------------------------------------------- errors


@pytest.fixture
def files(tmp_path, reviews):
    """Data files for the error cases, by name."""
    good = reviews(20, seed=0)
    one_class = good.assign(sentiment="pos")
    rare = good.assign(sentiment=good.sentiment.where(good.index != 0, "neutral"))
    missing = good.assign(review=good.review.where(good.index != 3))
    minus_one = good.assign(sentiment=np.where(good.sentiment == "pos", 1, -1))
    paths = {
        "good": write_table(good, tmp_path / "good.csv"),
        "one_class": write_table(one_class, tmp_path / "one_class.csv"),
        "rare": write_table(rare, tmp_path / "rare.csv"),
        "missing": write_table(missing, tmp_path / "missing.csv"),
        "minus_one": write_table(minus_one, tmp_path / "minus_one.csv"),
        "bodies": write_table(good[["id"]].assign(body=good.review), tmp_path / "bodies.csv"),
        "garbage": tmp_path / "garbage.parquet",
        "latin1": tmp_path / "latin1.csv",
        "xlsx": tmp_path / "good.xlsx",
    }
    paths["garbage"].write_bytes(b"not a parquet file at all")
    paths["latin1"].write_bytes("review,sentiment\ncaf\xe9 cr\xe8me,pos\n".encode("latin-1"))
    paths["xlsx"].write_bytes(b"")
    return paths


COLUMNS_OK = ["--text-column", "review", "--label-column", "sentiment"]
USAGE_ERRORS = {
    "no dataset": ([], ["--dataset", "required"]),
    "unknown dataset": (["--dataset", "yelp"], ["unknown dataset 'yelp'", "imdb", ".csv"]),
    "unknown extension": (["--dataset", "{xlsx}"], ["unknown dataset", "good.xlsx", ".jsonl"]),
    "missing file": (["--dataset", "{tmp}/nope.csv"], ["file not found", "nope.csv"]),
    "missing test file": (
        ["--dataset", "{good}", *COLUMNS_OK, "--test", "{tmp}/nope.tsv"],
        ["file not found", "nope.tsv"],
    ),
    "unknown column": (
        ["--dataset", "{good}", "--text-column", "body", "--label-column", "sentiment"],
        ["no column 'body'", "its columns are: id, review, sentiment"],
    ),
    "default columns": (["--dataset", "{good}"], ["no column 'text'", "id, review, sentiment"]),
    "not texts": (
        ["--dataset", "{good}", "--text-column", "id", "--label-column", "sentiment"],
        ["column 'id'", "does not hold texts", "--text-column"],
    ),
    "one class": (["--dataset", "{one_class}", *COLUMNS_OK], ["single class", "'pos'"]),
    "missing values": (["--dataset", "{missing}", *COLUMNS_OK], ["'review'", "1 missing value"]),
    "unreadable parquet": (["--dataset", "{garbage}"], ["cannot read", "garbage.parquet"]),
    "undecodable csv": (["--dataset", "{latin1}", *COLUMNS_OK], ["cannot read", "latin1.csv"]),
    "unknown param": (
        ["--dataset", "{good}", *COLUMNS_OK, "--param", "hidden_sizes=8"],
        ["'hidden_sizes'", "Valid parameters", "'hidden_size'", "'pooling'"],
    ),
    "bad param value": (
        ["--dataset", "{good}", *COLUMNS_OK, "--param", "hidden_size=-1"],
        ["'hidden_size' parameter", "Got -1"],
    ),
    "bad param type": (
        ["--dataset", "{good}", *COLUMNS_OK, "--param", "max_iter=many"],
        ["'max_iter' parameter", "Got 'many'"],
    ),
    "param without value": (
        ["--dataset", "{good}", "--param", "hidden_size"],
        ["NAME=VALUE", "'hidden_size'"],
    ),
    "one fold": (["--dataset", "{good}", "--cv", "1"], ["--cv", "at least 2"]),
    "limit of one": (["--dataset", "{good}", "--limit", "1"], ["--limit", "at least 2"]),
    "limit with a rare class": (
        ["--dataset", "{rare}", *COLUMNS_OK, "--limit", "10", "--test", "{good}"],
        ["--limit 10", "least populated class"],
    ),
    "test and cv": (
        ["--dataset", "{good}", "--test", "{good}", "--cv", "2"],
        ["--cv", "not allowed with", "--test"],
    ),
    "test with a built-in dataset": (
        ["--dataset", "imdb", "--test", "{good}"],
        ["--test applies to data files", "imdb"],
    ),
    "column with a built-in dataset": (
        ["--dataset", "mr", "--label-column", "y"],
        ["--label-column applies to data files", "mr"],
    ),
    "saved model with cv": (
        ["--dataset", "{good}", *COLUMNS_OK, "--save-model", "{tmp}/m.joblib"],
        ["--save-model needs a held-out test set"],
    ),
    "explain with cv": (
        ["--dataset", "{good}", *COLUMNS_OK, "--explain", "3"],
        ["--explain needs a held-out test set"],
    ),
    "labels above the training set": (
        ["--dataset", "{good}", *COLUMNS_OK, "--test", "{good}", "--labels", "19"],
        ["--labels 19: the training set has 20 texts of 2 classes; keep at most 18 labelled"],
    ),
    "labels above a training fold": (
        ["--dataset", "{good}", *COLUMNS_OK, "--labels", "15"],
        ["--labels 15: the smallest training fold of the 5-fold cross-validation has 16 texts"],
    ),
    "labels below the classes": (
        ["--dataset", "{good}", *COLUMNS_OK, "--labels", "1"],
        ["--labels 1: fewer than the 2 classes"],
    ),
    "no labels": (["--dataset", "{good}", "--labels", "0"], ["--labels", "at least 1, got 0"]),
    "unlabelled file without the text column": (
        ["--dataset", "{good}", *COLUMNS_OK, "--unlabeled", "{bodies}"],
        ["bodies.csv has no column 'review'", "its columns are: id, body"],
    ),
    "missing unlabelled file": (
        ["--dataset", "{good}", *COLUMNS_OK, "--unlabeled", "{tmp}/nope.csv"],
        ["file not found", "nope.csv"],
    ),
    "unknown unlabelled texts": (
        ["--dataset", "{good}", *COLUMNS_OK, "--unlabeled", "yelp"],
        ["--unlabeled 'yelp': expected imdb or a .csv"],
    ),
    "stack with unlabelled texts": (
        ["--dataset", "{good}", *COLUMNS_OK, "--labels", "5", "--stack"],
        ["--stack cannot be combined with --labels or --unlabeled"],
    ),
    "the label -1 with unlabelled texts": (
        ["--dataset", "{minus_one}", *COLUMNS_OK, "--unlabeled", "{good}"],
        ["--unlabeled: -1 is a label of", "minus_one.csv", "recode the labels"],
    ),
    "text column with the imdb reviews": (
        ["--dataset", "imdb", "--unlabeled", "imdb", "--text-column", "review"],
        ["--text-column applies to data files, not to --dataset imdb"],
    ),
    "explain nothing": (
        ["--dataset", "{good}", *COLUMNS_OK, "--explain", "0"],
        ["--explain", "must be at least 1, got 0"],
    ),
}


@pytest.mark.parametrize("case", USAGE_ERRORS)
def test_usage_errors(case, files, tmp_path, capsys, recorded_calls):
    options, expected = USAGE_ERRORS[case]
    names = {name: str(path) for name, path in files.items()}
    argv = ["compare", *(option.format(tmp=tmp_path, **names) for option in options)]
    status, out, err = run(argv, capsys)
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("sklstm compare: error: ")
    assert "Traceback" not in err
    for fragment in expected:
        assert fragment in err
    assert out == ""
    assert recorded_calls == []


@pytest.mark.parametrize("option", ["--dataset", "--test"])
def test_parquet_without_pyarrow_is_a_one_line_error_with_the_install_command(
    option, files, tmp_path, capsys, monkeypatch, reviews, recorded_calls
):
    parquet = write_table(reviews(20, seed=0), tmp_path / "reviews.parquet")
    data, test = (parquet, files["good"]) if option == "--dataset" else (files["good"], parquet)
    argv = ["compare", "--dataset", data, "--test", test, *COLUMNS_OK, "--quiet"]
    assert run(argv, capsys)[0] == 0
    # As if neither Parquet engine of pandas were installed: importing them fails, and
    # pandas keeps its strings in Python objects rather than in pyarrow.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "fastparquet", None)
    with pd.option_context("mode.string_storage", "python"):
        status, out, err = run(argv, capsys)
    assert status == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"cannot read {parquet}: " in err and "pip install pyarrow" in err
    assert out == ""
    assert len(recorded_calls) == 1


def test_a_model_that_fails_exits_1_with_its_message(files, capsys, compare_calls):
    status, _, err = run(
        ["compare", "--dataset", files["good"], *COLUMNS_OK, "--param", "min_df=100000",
         "--quiet"],
        capsys,
    )  # fmt: skip
    assert status == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "min_df=100000" in err and "vocabulary" in err
    assert len(compare_calls) == 1


class KilledWhileFitting(ClassifierMixin, BaseEstimator):
    """A model whose worker is killed as the kernel kills a process out of memory."""

    def fit(self, X, y):
        os.kill(os.getpid(), signal.SIGKILL)


def test_a_model_whose_worker_is_killed_exits_1(files, capsys, monkeypatch, compare_calls):
    monkeypatch.setattr(cli, "make_models", lambda params, **_: {"big": KilledWhileFitting()})
    status, out, err = run(["compare", "--dataset", files["good"], *COLUMNS_OK, "--quiet"], capsys)
    assert status == 1
    assert err.startswith("sklstm compare: error: ") and "terminated abruptly" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out == ""


def test_ctrl_c_exits_130_keeping_the_models_that_finished(
    tmp_path, capsys, monkeypatch, reviews, compare_calls
):
    train = write_table(reviews(60, seed=0), tmp_path / "train.csv")
    test = write_table(reviews(30, seed=1), tmp_path / "test.csv")
    output = tmp_path / "out"
    interrupt_the_second_model(monkeypatch)
    status, out, err = run(
        ["compare", "--dataset", train, "--test", test, *COLUMNS_OK, *TINY_LSTM,
         "--output", output, "--quiet"],
        capsys,
    )  # fmt: skip
    assert status == 130
    assert err == (
        f"sklstm compare: interrupted; the models that finished are in {output / 'results.csv'}\n"
    )
    assert out == ""
    results = pd.read_csv(output / "results.csv")
    assert list(results.columns) == list(COLUMNS)
    assert results["model"].tolist() == ["lstm"]


def test_ctrl_c_before_any_model_runs_exits_130(capsys, monkeypatch, recorded_calls):
    def interrupted_download(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load_mr", interrupted_download)
    status, out, err = run(["compare", "--dataset", "mr", "--quiet"], capsys)
    assert (status, out, err) == (130, "", "sklstm compare: interrupted\n")
    assert recorded_calls == []


def test_a_failed_download_exits_1(tmp_path, capsys, monkeypatch, no_network, recorded_calls):
    monkeypatch.setenv("SKLSTM_DATA", str(tmp_path / "empty"))
    status, _, err = run(["compare", "--dataset", "mr", "--quiet"], capsys)
    assert status == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "the network is disabled in the tests" in err
    assert recorded_calls == []
