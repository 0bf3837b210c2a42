"""The ``sklstm`` command line.

``sklstm compare`` fits the LSTM and the bag-of-words baselines on one dataset and reports
their accuracy, speed and memory (see :mod:`sklstm.compare`). This module only reads the
arguments and the data, and turns bad input into a one-line message and an exit status:
2 for usage errors, 1 when a model or a download fails, 130 when interrupted. A run that a
model's failure or Ctrl-C stops keeps the rows of the models that finished in results.csv.
"""

import argparse
import ast
import contextlib
import functools
import logging
import math
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import joblib
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from ._version import __version__
from .allocator import reuse_freed_memory
from .compare import LSTM_NAME, PLOT_FILE, RESULTS_FILE, compare, make_models
from .datasets import load_imdb, load_mr
from .explain import EXPLANATION_COLUMNS, show_explanation

BUILT_IN_DATASETS = ("imdb", "mr")
# --unlabeled imdb: the 50,000 unlabelled reviews of the IMDB archive.
UNLABELED_IMDB = "imdb"
# MR has no official split; papers report 10-fold cross-validation.
MR_FOLDS = 10
FILE_FOLDS = 5
READERS = {
    ".csv": pd.read_csv,
    ".tsv": functools.partial(pd.read_csv, sep="\t"),
    ".parquet": pd.read_parquet,
    ".jsonl": functools.partial(pd.read_json, lines=True),
}
EXPLANATIONS_FILE = "explanations.html"
FILE_TYPES = ", ".join(list(READERS)[:-1]) + f" or {list(READERS)[-1]}"
TABLE_FORMATS = {
    "accuracy": "{:.4f}",
    "macro_f1": "{:.4f}",
    "fit_seconds": "{:.2f}",
    "predict_seconds": "{:.3f}",
    "texts_per_second": "{:,.0f}",
    "peak_memory_mb": "{:.0f}",
}
DESCRIPTION = f"""\
Fit the LSTM and bag-of-words baselines on a dataset and compare their accuracy,
macro F1, fit and predict time and peak memory (each model runs in a new process).
Prints a table and writes it, as {RESULTS_FILE} with a plot {PLOT_FILE}, to --output.
With unlabelled texts (--labels, --unlabeled), the LSTM learns from them too, a
self-training TF-IDF + logistic regression joins the baselines, and the other
baselines are fitted on the labelled texts alone.
"""
EXAMPLES = """\
examples:
  sklstm compare --dataset imdb --limit 2000
  sklstm compare --dataset mr --param hidden_size=64 --param pooling=mean+max
  sklstm compare --dataset reviews.csv --text-column review --label-column sentiment \\
      --test held_out.csv --save-model lstm.joblib
  sklstm compare --dataset imdb --explain 20
  sklstm compare --dataset imdb --labels 1000 --unlabeled imdb
  sklstm compare --dataset mr --labels 500 --unlabeled snippets.csv
"""


class Split(NamedTuple):
    """Texts and labels to train on, and either a test set or a number of folds."""

    X_train: list
    y_train: np.ndarray
    X_test: list | None = None
    y_test: np.ndarray | None = None
    cv: int | None = None
    X_unlabeled: list | None = None


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line: argparse would print the whole usage first.
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        The exit status: 0 on success, 2 for usage errors, 1 when a model or a download
        fails, 130 when interrupted.
    """
    reuse_freed_memory()
    parser = _make_parser()
    try:
        args = parser.parse_args(argv)
        return args.run(args, args.parser)
    except SystemExit as stop:
        # Usage errors and --help end in SystemExit; callers get the status back instead.
        return stop.code


def _make_parser():
    parser = _Parser(prog="sklstm", description="An LSTM text classifier for scikit-learn.")
    parser.add_argument("--version", action="version", version=f"sklstm {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    compare_parser = commands.add_parser(
        "compare",
        help="compare the LSTM with bag-of-words baselines on a dataset",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_compare_arguments(compare_parser)
    compare_parser.set_defaults(run=_run_compare, parser=compare_parser)
    return parser


def _add_compare_arguments(parser):
    data = parser.add_argument_group("data")
    data.add_argument(
        "--dataset",
        required=True,
        metavar="NAME_OR_FILE",
        help="imdb (official train/test split), mr (10-fold cross-validation), or a "
        ".csv, .tsv, .parquet (read with pyarrow) or .jsonl file (5-fold cross-validation "
        "unless --test)",
    )
    data.add_argument("--text-column", metavar="NAME", help="column of texts (default: text)")
    data.add_argument("--label-column", metavar="NAME", help="column of labels (default: label)")
    evaluation = data.add_mutually_exclusive_group()
    evaluation.add_argument(
        "--test", metavar="FILE", type=Path, help="held-out file to score on, with the same columns"
    )
    evaluation.add_argument(
        "--cv", metavar="K", type=_int_at_least(2), help="cross-validate with K folds"
    )
    data.add_argument(
        "--limit",
        metavar="N",
        type=_int_at_least(2),
        help="train on a stratified sample of N texts (for quick runs)",
    )
    data.add_argument(
        "--labels",
        metavar="N",
        type=_int_at_least(1),
        help="keep the labels of a stratified sample of N training texts (of each training "
        "fold with cross-validation); the others become unlabelled texts",
    )
    data.add_argument(
        "--unlabeled",
        metavar="FILE_OR_imdb",
        help="texts without labels, added to the training texts of the LSTM and the "
        "self-training baseline: a data file (its --text-column), or imdb for the 50,000 "
        "unlabelled IMDB reviews",
    )
    models = parser.add_argument_group("models")
    models.add_argument(
        "--param",
        metavar="NAME=VALUE",
        type=_parse_param,
        action="append",
        default=[],
        help="a parameter of LSTMSentimentClassifier, e.g. hidden_size=256 (repeatable; "
        "VALUE is read as a Python literal when it is one, else as a string)",
    )
    models.add_argument(
        "--stack",
        action="store_true",
        help="also stack the LSTM with the baseline most accurate in a 5-fold "
        "cross-validation on the training texts alone (on each training fold with --cv)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--output",
        metavar="DIR",
        type=Path,
        default=Path("sklstm-output"),
        help=f"folder for {RESULTS_FILE} and {PLOT_FILE} (default: ./sklstm-output)",
    )
    output.add_argument(
        "--save-model", metavar="PATH", type=Path, help="store the fitted LSTM with joblib"
    )
    output.add_argument(
        "--explain",
        metavar="N",
        type=_int_at_least(1),
        help=f"write why the LSTM got N test texts wrong to {EXPLANATIONS_FILE} in --output",
    )
    output.add_argument("--quiet", action="store_true", help="no progress bars or messages")


def _int_at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _parse_param(text):
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    # The exceptions literal_eval raises for what is not a literal (its documentation):
    # such a value, like mean+max or cpu, is a string.
    with contextlib.suppress(ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        value = ast.literal_eval(value)
    return name.strip(), value


def _run_compare(args, parser):
    semi_supervised = args.labels is not None or args.unlabeled is not None
    if semi_supervised and args.stack:
        parser.error(
            "--stack cannot be combined with --labels or --unlabeled: the stack needs a label "
            "for every text it is fitted on"
        )
    try:
        models = make_models(
            dict(args.param), verbose=0 if args.quiet else 1, semi_supervised=semi_supervised
        )
    except ValueError as error:
        parser.error(f"--param: {error}")
    results = None  # where compare keeps the rows of the models that finished, once it runs
    try:
        with _progress_messages(not args.quiet), tempfile.TemporaryDirectory() as scratch:
            split = _load_split(args, parser)
            # --explain needs the fitted LSTM back from its worker process.
            scratch_path = Path(scratch) / "lstm.joblib" if args.explain else None
            model_path = args.save_model or scratch_path
            results = args.output / RESULTS_FILE
            table = compare(
                models,
                split.X_train,
                split.y_train,
                split.X_test,
                split.y_test,
                cv=split.cv,
                X_unlabeled=split.X_unlabeled,
                n_labeled=args.labels,
                stack=LSTM_NAME if args.stack else None,
                output_dir=args.output,
                save_models={LSTM_NAME: model_path} if model_path else None,
                # Workers are new processes, which do not inherit reuse_freed_memory.
                initializer=reuse_freed_memory,
            )
            n_explained = None
            if args.explain:
                model = joblib.load(model_path)
                n_explained = _explain_mistakes(model, split, args.explain, args.output)
    # A failed download, a model that fails on these texts or runs out of memory (torch
    # raises RuntimeError, a killed worker BrokenProcessPool, also a RuntimeError).
    except (OSError, ValueError, ArithmeticError, MemoryError, RuntimeError) as error:
        print(f"{parser.prog}: error: {_one_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        kept = f"; the models that finished are in {results}" if results else ""
        print(f"{parser.prog}: interrupted{kept}", file=sys.stderr)
        return 130
    _print_report(table, args, n_explained)
    return 0


def _explain_mistakes(model, split, n_texts, output_dir):
    """Write explanations of the first ``n_texts`` test texts the model gets wrong.

    Returns how many it explained: none when the model made no mistake (the page is empty).
    """
    predicted = model.predict(split.X_test)
    wrong = np.flatnonzero(predicted != split.y_test)[:n_texts]
    captions = {
        i: f"Test text {index}: true label {split.y_test[index]}, predicted {predicted[index]}."
        for i, index in enumerate(wrong)
    }
    texts = [split.X_test[index] for index in wrong]
    explanation = model.explain(texts) if texts else pd.DataFrame(columns=EXPLANATION_COLUMNS)
    show_explanation(explanation, path=output_dir / EXPLANATIONS_FILE, captions=captions)
    return len(wrong)


def _load_split(args, parser):
    """The checked texts and labels of ``--dataset`` (and ``--test``), sampled by --limit.

    With the unlabelled texts of ``--unlabeled``, if any.
    """
    if args.dataset in BUILT_IN_DATASETS:
        options = ["test", "text_column", "label_column"]
        if args.unlabeled not in (None, UNLABELED_IMDB):
            options.remove("text_column")  # it names the column of the --unlabeled file
        for option in options:
            if getattr(args, option) is not None:
                parser.error(
                    f"--{option.replace('_', '-')} applies to data files, not to --dataset "
                    f"{args.dataset}"
                )
        split = _load_built_in(args.dataset, args.cv)
    else:
        split = _load_files(args, parser)
    classes = pd.unique(pd.Series(split.y_train))
    if len(classes) < 2:
        parser.error(
            f"the labels of {args.dataset} have a single class ({classes[0]!r}); a classifier "
            "needs at least two"
        )
    for option in ("save_model", "explain"):
        if getattr(args, option) is not None and split.cv is not None:
            parser.error(
                f"--{option.replace('_', '-')} needs a held-out test set (--test FILE, or "
                "--dataset imdb without --cv): with cross-validation there is one LSTM per fold"
            )
    if args.limit is not None and args.limit < len(split.y_train):
        X, y = _stratified_sample(split.X_train, split.y_train, args.limit, parser)
        split = split._replace(X_train=X, y_train=y)
    if args.unlabeled is not None:
        split = split._replace(X_unlabeled=_load_unlabeled(args, parser))
    if args.labels is not None or args.unlabeled is not None:
        split = _check_unlabeled(split, classes, args, parser)
    return split


def _load_unlabeled(args, parser):
    if args.unlabeled == UNLABELED_IMDB:
        return load_imdb(subset="unsup", return_X_y=True)[0]
    path = Path(args.unlabeled)
    if path.suffix.lower() not in READERS:
        parser.error(
            f"--unlabeled {args.unlabeled!r}: expected {UNLABELED_IMDB} or a {FILE_TYPES} file"
        )
    text_column = args.text_column or "text"
    return _read_table(path, text_column, [text_column], parser)[text_column].tolist()


def _check_unlabeled(split, classes, args, parser):
    """Check --labels and the labels for unlabelled texts; bool labels become 0 and 1."""
    option = f"--labels {args.labels}" if args.labels is not None else "--unlabeled"
    if any(not isinstance(label, bool | np.bool_) and label == -1 for label in classes):
        parser.error(
            f"{option}: -1 is a label of {args.dataset}, but it marks the unlabelled texts "
            "(scikit-learn's convention, which SelfTrainingClassifier needs); recode the "
            "labels, e.g. to 0 and 1"
        )
    if split.y_train.dtype == bool:
        # SelfTrainingClassifier cannot hold its -1 beside bools: an object array of bools
        # and -1 is a label type its classifier rejects.
        y_test = None if split.y_test is None else split.y_test.astype(int)
        split = split._replace(y_train=split.y_train.astype(int), y_test=y_test)
    if args.labels is None:
        return split
    if args.labels < len(classes):
        parser.error(
            f"{option}: fewer than the {len(classes)} classes of the labels; keep at least one "
            "text of each"
        )
    # StratifiedKFold's test folds differ in size by one at most.
    n_texts = len(split.y_train)
    n_train = n_texts if split.cv is None else n_texts - math.ceil(n_texts / split.cv)
    # A stratified sample leaves at least as many texts as there are classes.
    most = n_train - len(classes)
    if args.labels > most:
        where = (
            "the training set has"
            if split.cv is None
            else f"the smallest training fold of the {split.cv}-fold cross-validation has"
        )
        parser.error(
            f"{option}: {where} {n_train:,} texts of {len(classes)} classes; keep at most "
            f"{most:,} labelled, so that some are left unlabelled, or leave out --labels"
        )
    return split


def _load_built_in(name, cv):
    if name == "mr":
        X, y = load_mr(return_X_y=True)
        return Split(X, y, cv=cv or MR_FOLDS)
    if cv is not None:
        X, y = load_imdb(subset="all", return_X_y=True)
        return Split(X, y, cv=cv)
    X_train, y_train = load_imdb(subset="train", return_X_y=True)
    X_test, y_test = load_imdb(subset="test", return_X_y=True)
    return Split(X_train, y_train, X_test, y_test)


def _load_files(args, parser):
    if Path(args.dataset).suffix.lower() not in READERS:
        parser.error(
            f"unknown dataset {args.dataset!r}: expected {' or '.join(BUILT_IN_DATASETS)}, "
            f"or a {FILE_TYPES} file"
        )
    text_column = args.text_column or "text"
    label_column = args.label_column or "label"
    X, y = _read_labelled_texts(Path(args.dataset), text_column, label_column, parser)
    if args.test is None:
        return Split(X, y, cv=args.cv or FILE_FOLDS)
    X_test, y_test = _read_labelled_texts(args.test, text_column, label_column, parser)
    return Split(X, y, X_test, y_test)


def _read_labelled_texts(path, text_column, label_column, parser):
    frame = _read_table(path, text_column, [text_column, label_column], parser)
    return frame[text_column].tolist(), frame[label_column].to_numpy()


def _read_table(path, text_column, columns, parser):
    """Read ``path``, checking that it has ``columns`` without missing values, and texts."""
    read = READERS.get(path.suffix.lower())
    if read is None:
        parser.error(f"cannot read {path}: expected a {FILE_TYPES} file")
    if not path.exists():
        parser.error(f"file not found: {path}")
    try:
        frame = read(path)
    except (OSError, ValueError) as error:
        # ValueError covers parser, encoding, JSON and Parquet (Arrow) errors.
        parser.error(f"cannot read {path}: {error}")
    except ImportError:
        if path.suffix.lower() != ".parquet":
            raise
        # pandas reads Parquet with pyarrow or fastparquet, neither of which sklstm requires.
        parser.error(f"cannot read {path}: Parquet files need pyarrow (pip install pyarrow)")
    for column in columns:
        if column not in frame.columns:
            columns = ", ".join(map(str, frame.columns))
            parser.error(f"{path} has no column {column!r}; its columns are: {columns}")
        missing = int(frame[column].isna().sum())
        if missing:
            parser.error(f"column {column!r} of {path} has {missing} missing value(s)")
    if not pd.api.types.is_string_dtype(frame[text_column]):
        example = frame[text_column].iloc[0]
        parser.error(
            f"column {text_column!r} of {path} does not hold texts (e.g. {example!r}); "
            "choose the column of texts with --text-column"
        )
    return frame


def _stratified_sample(X, y, size, parser):
    try:
        X, _, y, _ = train_test_split(X, y, train_size=size, stratify=y, random_state=0)
    except ValueError as error:
        parser.error(f"--limit {size}: {error}")
    return X, y


@contextlib.contextmanager
def _progress_messages(enabled):
    """Show sklstm's progress messages (the model being fitted, downloads) on stderr."""
    logger = logging.getLogger("sklstm")
    handler = logging.StreamHandler(sys.stderr)
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if enabled else logging.WARNING)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)


def _print_report(table, args, n_explained):
    formatters = {column: form.format for column, form in TABLE_FORMATS.items()}
    print(table.to_string(index=False, formatters=formatters))
    print(f"\nResults: {args.output / RESULTS_FILE}, {args.output / PLOT_FILE}")
    if n_explained == 0:
        print("The LSTM made no mistake on the test texts: there is nothing to explain.")
    elif n_explained:
        print(f"Explanations of the LSTM's mistakes: {args.output / EXPLANATIONS_FILE}")
    if args.save_model is not None:
        print(f"LSTM saved to {args.save_model}")


def _one_line(message):
    return " ".join(str(message).split())
