"""The benchmark suite: sklstm and the bag-of-words baselines on every development dataset.

Every model of ``sklstm compare`` (the LSTM with its defaults and the three baselines) runs on
every dataset below, at several seeds, through :func:`sklstm.compare.compare` (each model in a
fresh process). A seed draws the subsample of the IMDB subsets, the folds of the
cross-validated sets and every model's ``random_state``, so the spread covers all three.

| dataset | texts | classes | evaluation |
|---|---|---|---|
| ``imdb`` | 25,000 + 25,000 | 2 | official split |
| ``imdb_500`` ... ``imdb_5000`` | 500 ... 5,000 | 2 | stratified sample of train, official test |
| ``imdb_ratings`` | 25,000 + 25,000 | 8 | official split, the star rating as the label |
| ``mr``, ``subj``, ``mpqa`` | 10,662 / 10,000 / 10,603 | 2 | 10-fold cross-validation |
| ``trec``, ``trec_fine`` | 5,452 + 500 | 6 / 50 | official split, string labels |

Each (dataset, seed, model) adds a row to ``results/suite_runs.csv``; the table of the
defaults, ``results/suite.csv`` (mean and spread over seeds of each model on each dataset, the
LSTM's margin over the best baseline), and its plot ``docs/suite.png`` are then rebuilt from
the latest default rows of every (dataset, seed, model). Runs with ``--param`` (an LSTM
parameter) or ``--constant`` (a module constant, set in every worker process) are
explorations: they go to ``results/suite_explore.csv`` and never into the table;
``results/suite_ablations.csv`` sets each against the defaults on the same datasets and seeds.

    python benchmarks/suite.py                                 # everything, seeds 0 1 2
    python benchmarks/suite.py --datasets mr trec --seeds 0    # a part of it
    python benchmarks/suite.py --datasets imdb_1000 --models lstm --param max_iter=10
    python benchmarks/suite.py --models lstm --constant sklstm.linear_start.NB_START_TEXTS=100
    python benchmarks/suite.py --table-only                    # rebuild the table and plot
"""

import argparse
import ast
import functools
import importlib
import time
from pathlib import Path

import numpy as np
import pandas as pd
from common import DATA, RESULTS, save
from matplotlib.figure import Figure
from sklearn.model_selection import StratifiedKFold, train_test_split

from sklstm import reuse_freed_memory
from sklstm.compare import LSTM_NAME, compare, make_models

RUNS = "suite_runs"
EXPLORATIONS = "suite_explore"
TABLE = RESULTS / "suite.csv"
ABLATIONS = RESULTS / "suite_ablations.csv"
PLOT = Path(__file__).resolve().parents[1] / "docs" / "suite.png"
IMDB_SIZES = (500, 1000, 2000, 5000)
FOLDS = 10


def _imdb(split):
    return pd.read_csv(DATA / "imdb" / f"{split}.csv.gz")


def _official(folder, label):
    def load(seed):
        train = pd.read_csv(DATA / folder / "train.csv.gz")
        test = pd.read_csv(DATA / folder / "test.csv.gz")
        return train.text.tolist(), train[label].to_numpy(), test.text.tolist(), test[label]

    return load


def _imdb_subset(size):
    def load(seed):
        train, test = _imdb("train"), _imdb("test")
        sample, _ = train_test_split(
            train, train_size=size, stratify=train.label, random_state=seed
        )
        return sample.text.tolist(), sample.label.to_numpy(), test.text.tolist(), test.label

    return load


def _cross_validated(folder):
    def load(seed):
        data = pd.read_csv(DATA / folder / "all.csv.gz")
        return data.text.tolist(), data.label.to_numpy(), None, None

    return load


DATASETS = {
    "imdb": _official("imdb", "label"),
    **{f"imdb_{size}": _imdb_subset(size) for size in IMDB_SIZES},
    "imdb_ratings": _official("imdb", "rating"),
    "mr": _cross_validated("mr"),
    "subj": _cross_validated("subj"),
    "mpqa": _cross_validated("mpqa"),
    "trec": _official("trec", "label"),
    "trec_fine": _official("trec", "fine_label"),
}


def run(dataset, seed, params, model_names, constants=None):
    """One row per model: accuracy, macro-F1 and seconds on ``dataset`` at ``seed``.

    ``constants`` maps "module.NAME" to a value set in every worker before it fits.
    """
    X_train, y_train, X_test, y_test = DATASETS[dataset](seed)
    cv = None if X_test is not None else StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    models = make_models({"random_state": seed, **params})
    models = {name: model for name, model in models.items() if name in model_names}
    for model in models.values():
        if "random_state" in model.get_params():
            model.set_params(random_state=seed)
    start = time.perf_counter()
    start_worker = functools.partial(_start_worker, constants or {})
    table = compare(models, X_train, y_train, X_test, y_test, cv=cv, initializer=start_worker)
    print(f"{dataset} seed {seed}: {time.perf_counter() - start:.0f} s", flush=True)
    table.insert(0, "dataset", dataset)
    table.insert(1, "seed", seed)
    table.insert(2, "texts", len(y_train) + (0 if y_test is None else len(y_test)))
    table.insert(3, "classes", len(np.unique(y_train)))
    table["params"] = repr({**params, **(constants or {})}) if params or constants else ""
    return table


def _start_worker(constants):
    reuse_freed_memory()
    for target, value in constants.items():
        module, name = target.rsplit(".", 1)
        setattr(importlib.import_module(module), name, value)


def summarize(runs):
    """Mean and spread over seeds of each (dataset, model), and the LSTM's margin.

    The margin is the LSTM's mean accuracy minus that of the best baseline on the dataset
    (best by its mean); ``margin_std`` is the spread of the same difference seed by seed.
    """
    latest = runs.drop_duplicates(["dataset", "seed", "model"], keep="last")
    table = (
        latest.groupby(["dataset", "model"], sort=False)
        .agg(
            texts=("texts", "first"),
            classes=("classes", "first"),
            seeds=("seed", "nunique"),
            accuracy=("accuracy", "mean"),
            accuracy_std=("accuracy", "std"),
            macro_f1=("macro_f1", "mean"),
            fit_seconds=("fit_seconds", "mean"),
            texts_per_second=("texts_per_second", "mean"),
            commits=("commit", lambda c: " ".join(sorted(set(c)))),
        )
        .reset_index()
    )
    baselines = table[table.model != LSTM_NAME]
    best = baselines.loc[baselines.groupby("dataset").accuracy.idxmax()].set_index("dataset").model
    by_seed = latest.pivot_table(index=["dataset", "seed"], columns="model", values="accuracy")
    if LSTM_NAME in by_seed:
        datasets = by_seed.index.get_level_values("dataset")
        best_by_seed = [by_seed.loc[key, best[key[0]]] for key in by_seed.index]
        by_seed["margin"] = by_seed[LSTM_NAME] - best_by_seed
        margins = by_seed.groupby(datasets).margin.agg(margin="mean", margin_std="std")
        table = table.join(margins, on="dataset")
    table["best_baseline"] = table.dataset.map(best)
    order = {name: i for i, name in enumerate(DATASETS)}
    return table.sort_values("dataset", key=lambda c: c.map(order), kind="stable")


# Code changes that moved a default, as (description, commits before, commit after): the
# default rows of the two side by side (of the earlier commits, each seed's latest), the
# earlier code as the variant.
CODE_CHANGES = [
    ("pooling='mean+max+bag' (before commit 59902e1)", ("07539bd",), "59902e1"),
    ("the linear path on truncated texts (before commit 2a57862)", ("391a0cf",), "0c252bd"),
    (
        "linear_init=1 at every size (before commit 4b06e37)",
        ("391a0cf", "59902e1", "0c252bd"),
        "4b06e37",
    ),
]


def ablations(runs, explorations):
    """Each exploration and each earlier code of ``CODE_CHANGES`` against today's defaults.

    An exploration is set against the latest default row of each seed it ran, an earlier
    code against the rows of the code that replaced it. ``difference`` is the variant's
    accuracy minus the default's, seed by seed, so the seeds' spread cancels out; its mean
    and spread over the seeds both ran are reported.
    """
    lstm = runs[runs.model == LSTM_NAME]
    latest = explorations[explorations.model == LSTM_NAME].drop_duplicates(
        ["dataset", "seed", "params"], keep="last"
    )
    tables = [_against(latest, lstm.drop_duplicates(["dataset", "seed"], keep="last"))]
    for description, before, after in CODE_CHANGES:
        # The latest row of each seed among the earlier code's commits.
        earlier = lstm[lstm.commit.isin(before)].drop_duplicates(["dataset", "seed"], keep="last")
        earlier = earlier.assign(params=description)
        tables.append(_against(earlier, lstm[lstm.commit == after]))
    return pd.concat(tables, ignore_index=True)


def _against(variants, defaults):
    defaults = defaults.drop_duplicates(["dataset", "seed"], keep="last")
    default_columns = {"accuracy": "accuracy_default", "fit_seconds": "fit_seconds_default"}
    paired = variants.join(
        defaults.set_index(["dataset", "seed"])[list(default_columns)].rename(
            columns=default_columns
        ),
        on=["dataset", "seed"],
        how="inner",
    )
    paired["difference"] = paired.accuracy - paired.accuracy_default
    return (
        paired.groupby(["params", "dataset"], sort=False)
        .agg(
            seeds=("seed", "nunique"),
            accuracy=("accuracy", "mean"),
            accuracy_default=("accuracy_default", "mean"),
            difference=("difference", "mean"),
            difference_std=("difference", "std"),
            fit_seconds=("fit_seconds", "mean"),
            fit_seconds_default=("fit_seconds_default", "mean"),
            commits=("commit", lambda c: " ".join(sorted(set(c)))),
        )
        .reset_index()
    )


def plot(table):
    """The LSTM's margin over the best baseline per dataset, with its spread over seeds."""
    margins = table[table.model == LSTM_NAME]
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    ax = figure.subplots()
    points = 100 * margins.margin
    colors = np.where(points >= 0, "C2", "C3")
    ax.bar(
        margins.dataset, points, yerr=100 * margins.margin_std.fillna(0), color=colors, capsize=3
    )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel("accuracy points over the best baseline")
    ax.set_title("sklstm's margin over the best bag-of-words model (mean and std over seeds)")
    ax.tick_params(axis="x", labelrotation=45)
    ax.grid(axis="y", alpha=0.3)
    return figure


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", help="model names (default: all)")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an LSTM parameter replacing its default (an exploration, kept out of the table)",
    )
    parser.add_argument(
        "--constant",
        action="append",
        default=[],
        metavar="MODULE.NAME=VALUE",
        help="a module constant of sklstm set in the workers, e.g. "
        "sklstm.linear_start.NB_START_TEXTS=100 (an exploration, kept out of the table)",
    )
    parser.add_argument("--table-only", action="store_true", help="only rebuild the table")
    args = parser.parse_args()
    reuse_freed_memory()
    params = dict(_parse_param(text) for text in args.param)
    constants = dict(_parse_param(text) for text in args.constant)
    if not args.table_only:
        names = args.models or list(make_models())
        for dataset in args.datasets:
            for seed in args.seeds:
                rows = run(dataset, seed, params, names, constants)
                exploring = params or constants
                save(rows, EXPLORATIONS if exploring else RUNS, small=False, settings="")
    write_table()


def write_table():
    runs = pd.read_csv(RESULTS / f"{RUNS}.csv")
    table = summarize(runs)
    table.to_csv(TABLE, index=False)
    if (RESULTS / f"{EXPLORATIONS}.csv").exists():
        explorations = pd.read_csv(RESULTS / f"{EXPLORATIONS}.csv")
        ablations(runs, explorations).to_csv(ABLATIONS, index=False)
    if "margin" in table:
        plot(table).savefig(PLOT, dpi=120)
        print(markdown(table))
        print(markdown_models(table, "imdb"))
    else:
        print(table.to_string(index=False, float_format="{:.4f}".format))


def markdown(table):
    """The README's table: per dataset, sklstm against the best baseline."""
    lines = [
        "| dataset | train / test texts | classes | sklstm | best bag-of-words "
        "| margin (points) | fit s | code |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for dataset, rows in table[table.margin.notna()].groupby("dataset", sort=False):
        lstm = rows[rows.model == LSTM_NAME].iloc[0]
        best = rows[rows.model == lstm.best_baseline].iloc[0]
        lines.append(
            f"| {dataset} | {_split_text(dataset, lstm.texts)} | {lstm.classes} "
            f"| {lstm.accuracy:.4f} ± {lstm.accuracy_std:.4f} "
            f"| {best.accuracy:.4f} ({best.model}) "
            f"| {100 * lstm.margin:+.2f} ± {100 * lstm.margin_std:.2f} "
            f"| {lstm.fit_seconds:.1f} | {lstm.commits} |"
        )
    return "\n".join(lines)


def markdown_models(table, dataset):
    """The README's table of every model on one dataset: accuracy and speed."""
    lines = [
        f"| model ({dataset}) | accuracy | macro-F1 | fit s | predict texts/s | code |",
        "|---|---|---|---|---|---|",
    ]
    for row in table[table.dataset == dataset].itertuples():
        lines.append(
            f"| {row.model} | {row.accuracy:.4f} ± {row.accuracy_std:.4f} | {row.macro_f1:.4f} "
            f"| {row.fit_seconds:.1f} | {row.texts_per_second:,.0f} | {row.commits} |"
        )
    return "\n".join(lines)


def _split_text(dataset, texts):
    if DATASETS[dataset].__qualname__.startswith("_cross_validated"):
        return f"{FOLDS}-fold CV of {texts:,}"
    n_test = {"imdb": 25_000, "trec": 500}[dataset.split("_")[0]]
    return f"{texts - n_test:,} / {n_test:,}"


def _parse_param(text):
    name, _, value = text.partition("=")
    try:
        value = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        pass
    return name, value


if __name__ == "__main__":
    main()
