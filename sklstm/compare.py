"""Compare text classifiers on one dataset: accuracy, speed and peak memory.

:func:`compare` fits and scores every model on the same texts and returns one row per model;
:func:`plot_comparison` draws the result. The ``sklstm compare`` command line is built on
them, with the models of :func:`make_models`.

Each model runs in a new worker process of its own. A process's peak resident memory
(``getrusage``'s ``ru_maxrss``) only ever grows, so it measures a single model only in a
process that runs nothing else: the worker reads it before and after fitting and predicting,
and the difference is the model's ``peak_memory_mb``. Workers also keep models from
affecting one another through the allocator, caches or torch's thread pools. They are forked
from a server process that has imported torch once (multiprocessing's "forkserver"; "spawn"
where there is none), so starting one takes a fraction of a second.
"""

import logging
import multiprocessing
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from numbers import Integral
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.base import clone
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils import check_consistent_length

from .baselines import make_baselines
from .classifier import LSTMSentimentClassifier
from .plotting import _label_epoch_axis, _plot_losses
from .stacking import PartnerStack, stack_name
from .unlabeled import check_marker, keep_labeled, training_set, unlabeled_marker

try:
    import resource
except ImportError:  # Windows: peak memory is then reported as NaN.
    resource = None

__all__ = [
    "COLUMNS",
    "LSTM_NAME",
    "PLOT_FILE",
    "RESULTS_FILE",
    "compare",
    "make_models",
    "plot_comparison",
]

logger = logging.getLogger(__name__)

COLUMNS = (
    "model",
    "accuracy",
    "macro_f1",
    "fit_seconds",
    "predict_seconds",
    "texts_per_second",
    "peak_memory_mb",
)
LSTM_NAME = "lstm"
RESULTS_FILE = "results.csv"
PLOT_FILE = "comparison.png"
DEFAULT_FOLDS = 5


def make_models(lstm_params=None, *, verbose=0, semi_supervised=False):
    """Build the models that ``sklstm compare`` runs: the LSTM, then the baselines.

    Parameters
    ----------
    lstm_params : dict, default=None
        Parameters of :class:`~sklstm.LSTMSentimentClassifier` that replace its defaults.
        Every model gets ``random_state=0`` (the LSTM unless ``lstm_params`` sets another),
        so that a comparison can be repeated.
    verbose : int, default=0
        The LSTM's ``verbose`` (1 shows progress per epoch), unless ``lstm_params``
        sets it.
    semi_supervised : bool, default=False
        Models for training texts of which only some are labelled: the LSTM gets
        ``unlabeled_label=-1`` (unless ``lstm_params`` sets it), and the self-training
        baseline joins the others.

    Returns
    -------
    models : dict of str to estimator
        Unfitted: ``"lstm"`` (:data:`LSTM_NAME`), then the baselines of
        :func:`~sklstm.baselines.make_baselines`.

    Raises
    ------
    ValueError
        With the estimator's own message, if a parameter name is unknown (the message lists
        the valid ones) or a value is of the wrong type or out of range.
    """
    lstm = LSTMSentimentClassifier(verbose=verbose, random_state=0)
    if semi_supervised:
        # scikit-learn's marker, the one the self-training baseline needs too.
        lstm.set_params(unlabeled_label=-1)
    lstm.set_params(**(lstm_params or {}))
    # Fail now rather than in the first worker: the same check fit starts with.
    lstm._validate_params()
    baselines = make_baselines(random_state=0, semi_supervised=semi_supervised)
    return {LSTM_NAME: lstm, **baselines}


def compare(
    models,
    X_train,
    y_train,
    X_test=None,
    y_test=None,
    *,
    cv=None,
    X_unlabeled=None,
    n_labeled=None,
    stack=None,
    output_dir=None,
    save_models=None,
    initializer=None,
):
    """Fit and score each model, in a fresh worker process, and tabulate the results.

    Training texts may be unlabelled (``X_unlabeled``, ``n_labeled``). They go only to the
    models that learn from them, with the label that marks them for each (see
    :func:`sklstm.unlabeled.unlabeled_marker`): a
    :class:`~sklearn.semi_supervised.SelfTrainingClassifier` (or a pipeline ending in one)
    gets them labelled -1, and a model whose parameter ``unlabeled_label`` is not None, such
    as the LSTM of ``make_models(semi_supervised=True)``, labelled with its value. The other
    models are fitted on the labelled texts alone, and only labelled texts are scored.

    Parameters
    ----------
    models : dict of str to estimator
        Unfitted classifiers that take raw texts, by name; run in this order.
    X_train : sequence of str
        Training texts, or all texts with cross-validation.
    y_train : array-like of shape (n_texts,)
        Their labels.
    X_test, y_test : sequence of str and array-like, default=None
        Held-out texts and labels to score on. Without them the models are cross-validated.
    cv : int or cross-validation splitter, default=None
        Folds when there is no test set; None means 5. An int is a shuffled
        :class:`~sklearn.model_selection.StratifiedKFold` with a fixed seed, so that folds
        stay representative of files sorted by label or date and are the same in every run.
        Only labelled texts are split into folds.
    X_unlabeled : sequence of str, default=None
        Texts without labels, added to the training texts (of every fold) of the models
        that learn from them.
    n_labeled : int, default=None
        Keep the labels of only this many training texts (of each training fold when
        cross-validating), a stratified sample with a fixed seed; the other training texts
        become unlabelled texts.
    stack : str, default=None
        Name of a model to also stack with one of the others, as an extra model: a
        :class:`~sklearn.ensemble.StackingClassifier` with a logistic regression on their
        predictions. The partner is the other model of best accuracy in a 5-fold stratified
        cross-validation on the training texts alone (the first of ``models`` in a tie),
        chosen again on the training texts of each fold when cross-validating, so that the
        texts scored play no part in the choice; its ``fit_seconds`` include the choice. It
        is named ``"stack(<stack>+<partner> chosen by train CV)"``; when folds chose
        different partners, they are joined by ``"|"``, the most often chosen first. Not
        with unlabelled texts: the stacking classifier needs a label for every text.
    output_dir : str or path-like, default=None
        Folder (created if needed) where the table is written as ``results.csv`` and the
        plot of :func:`plot_comparison` as ``comparison.png``. ``results.csv`` is written
        at the start, without rows, and again as each model finishes, so that a run that is
        interrupted (Ctrl-C) or stopped by a failing model keeps the rows of the models that
        finished; the plot is drawn once all have (the plot of an earlier run is removed at
        the start).
    save_models : dict of str to path-like, default=None
        Model name to the file where its fitted estimator is stored with joblib. Needs a
        test set: with cross-validation there is one fitted estimator per fold.
    initializer : callable, default=None
        Called without arguments at the start of each worker process, e.g.
        :func:`sklstm.reuse_freed_memory`: allocator settings are per process, so workers
        do not inherit the caller's.

    Returns
    -------
    table : pandas.DataFrame
        One row per model, in the order run, with the columns of :data:`COLUMNS`: test
        ``accuracy`` and ``macro_f1``, ``fit_seconds`` and ``predict_seconds`` (wall
        clock), ``texts_per_second`` when predicting, and ``peak_memory_mb``, the rise of
        the worker's peak resident memory over fitting and predicting, in MiB. With
        cross-validation each value is the mean over the folds, except
        ``peak_memory_mb``, the peak over all of them (they run in the same worker).

    Raises
    ------
    ValueError
        If the arguments are inconsistent; the exceptions of a model that fails are raised
        as they are.
    """
    save_models = {name: Path(path) for name, path in (save_models or {}).items()}
    _check_names(models, stack, save_models, cross_validating=X_test is None)
    X, y, folds = _evaluation_folds(X_train, y_train, X_test, y_test, cv)
    folds = _unlabeled_folds(X, y, folds, X_unlabeled, n_labeled)
    X = np.concatenate([X, _texts([] if X_unlabeled is None else X_unlabeled)])
    if any(len(unlabeled) for _, unlabeled, _ in folds):
        _check_unlabeled(models, stack, y, folds)
    # Fail before the models run, not after.
    for path in save_models.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    if output_dir is not None:
        output_dir = Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / PLOT_FILE).unlink(missing_ok=True)
    runs = {}
    _write_results(runs, output_dir)
    for position, (name, model) in enumerate(models.items(), start=1):
        logger.info("[%d/%d] %s", position, len(models) + (stack is not None), name)
        runs[name] = _run_in_worker(model, X, y, folds, save_models.get(name), initializer)
        _write_results(runs, output_dir)
    if stack is not None:
        others = [(name, model) for name, model in models.items() if name != stack]
        model = PartnerStack((stack, models[stack]), others)
        position = len(models) + 1
        logger.info("[%d/%d] stack(%s+the other model best in train CV)", position, position, stack)
        run = _run_in_worker(model, X, y, folds, None, initializer)
        runs[stack_name(stack, run["partners"])] = run
        _write_results(runs, output_dir)
    table = _table(runs)
    if output_dir is not None:
        histories = {name: run["histories"] for name, run in runs.items()}
        plot_comparison(table, histories).savefig(output_dir / PLOT_FILE, dpi=120)
    return table


def _table(runs):
    return pd.DataFrame([_summary(name, run) for name, run in runs.items()], columns=COLUMNS)


def _write_results(runs, output_dir):
    # After every model, so that an interrupted or failed run keeps the models that finished,
    # and from the start, so that no row of an earlier run is left among them.
    if output_dir is not None:
        _table(runs).to_csv(output_dir / RESULTS_FILE, index=False)


def _evaluation_folds(X_train, y_train, X_test, y_test, cv):
    """All texts and labels as arrays, and the (train, test) index pairs to score on."""
    check_consistent_length(X_train, y_train)
    X, y = _texts(X_train), np.asarray(y_train)
    if X_test is None and y_test is None:
        if cv is None or isinstance(cv, Integral):
            n_splits = DEFAULT_FOLDS if cv is None else cv
            cv = StratifiedKFold(n_splits, shuffle=True, random_state=0)
        return X, y, list(check_cv(cv, y, classifier=True).split(X, y))
    if X_test is None or y_test is None:
        raise ValueError("Pass both X_test and y_test, or neither to cross-validate.")
    if cv is not None:
        raise ValueError("Pass either X_test and y_test, or cv, not both.")
    check_consistent_length(X_test, y_test)
    train = np.arange(len(y))
    test = np.arange(len(y), len(y) + len(y_test))
    return np.concatenate([X, _texts(X_test)]), np.concatenate([y, y_test]), [(train, test)]


def _unlabeled_folds(X, y, folds, X_unlabeled, n_labeled):
    """(labelled train, unlabelled train, test) positions in ``X`` + ``X_unlabeled``."""
    # The added texts come after all labelled ones, so that y indexes the labelled alone.
    added = np.arange(len(X), len(X) + (0 if X_unlabeled is None else len(X_unlabeled)))
    result = []
    for train, test in folds:
        dropped = np.array([], dtype=int)
        if n_labeled is not None:
            train, dropped = keep_labeled(train, y, n_labeled)
        result.append((train, np.concatenate([dropped, added]), test))
    return result


def _check_unlabeled(models, stack, y, folds):
    if stack is not None:
        raise ValueError(
            "stack cannot be combined with unlabelled texts (X_unlabeled, n_labeled): the "
            "stacking classifier needs a label for every text it is fitted on."
        )
    classes = np.unique(y)
    for name, model in models.items():
        check_marker(name, model, classes)
    # Which models get what, since the table does not say: per training set (the first fold's).
    labeled, unlabeled, _ = folds[0]
    takers = [name for name, model in models.items() if unlabeled_marker(model) is not None]
    logger.info(
        "Training texts: %s labelled, %s unlabelled; %s learn from both, the other models from "
        "the labelled alone",
        f"{len(labeled):,}",
        f"{len(unlabeled):,}",
        " and ".join(takers) or "no model",
    )


def _texts(X):
    # An object array indexes like a list of str but takes index arrays, for the folds.
    texts = np.empty(len(X), dtype=object)
    texts[:] = list(X)
    return texts


def _check_names(models, stack, save_models, cross_validating):
    if not models:
        raise ValueError("models is empty; pass at least one model.")
    if stack is not None and stack not in models:
        raise ValueError(f"stack={stack!r} is not among the models {list(models)}.")
    if stack is not None and len(models) < 2:
        raise ValueError("stack needs at least one other model to stack with.")
    unknown = set(save_models) - set(models)
    if unknown:
        raise ValueError(f"save_models names {sorted(unknown)}, not among {list(models)}.")
    if save_models and cross_validating:
        raise ValueError(
            "save_models needs X_test and y_test: with cross-validation there is one fitted "
            "model per fold."
        )


def _run_in_worker(model, X, y, folds, save_path, initializer):
    """Run :func:`_evaluate` in a new process and return its result."""
    with ProcessPoolExecutor(
        1, mp_context=_worker_context(), initializer=_start_worker, initargs=(initializer,)
    ) as pool:
        return pool.submit(_evaluate, model, X, y, folds, save_path).result()


def _start_worker(initializer):
    signal.signal(signal.SIGINT, _stop_worker)
    if initializer is not None:
        initializer()


def _stop_worker(signum, frame):
    # Ctrl-C reaches the worker too. Its KeyboardInterrupt would make the LSTM stop
    # training and the worker carry on, while the caller has stopped and waits for it.
    # SystemExit ends the task instead, and lets the worker exit cleanly (killing it would
    # leak the semaphore of tqdm's lock, which Python then warns about).
    raise SystemExit(130)


def _worker_context():
    # A new interpreter takes seconds to import torch; a fork of the server, which has
    # imported this module and so torch, does not. The server is single-threaded, so unlike
    # the caller (whose torch may run threads) it is safe to fork.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _evaluate(model, X, y, folds, save_path):
    """Fit and score a clone of ``model`` per fold; runs in the worker process."""
    start_mb = _peak_memory_mb()
    scores, histories, partners = [], [], []
    for labeled, unlabeled, test in folds:
        fitted = clone(model)
        X_fit, y_fit = training_set(fitted, X, y, labeled, unlabeled)
        scores.append(_fit_and_score(fitted, X_fit, y_fit, X[test], y[test]))
        history = getattr(fitted, "history_", None)
        if history is not None:
            histories.append(history)
        partner = getattr(fitted, "partner_", None)
        if partner is not None:
            partners.append(partner)
    peak_mb = _peak_memory_mb() - start_mb
    if save_path is not None:
        joblib.dump(fitted, save_path)
    return {
        "scores": scores,
        "histories": histories,
        "partners": partners,
        "peak_memory_mb": peak_mb,
    }


def _fit_and_score(model, X_train, y_train, X_test, y_test):
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fitted = time.perf_counter()
    y_pred = model.predict(X_test)
    predict_seconds = time.perf_counter() - fitted
    return {
        "accuracy": accuracy_score(y_test, y_pred),
        # A class that is never predicted has an F1 of 0, without a warning per fold.
        "macro_f1": f1_score(y_test, y_pred, average="macro", zero_division=0.0),
        "fit_seconds": fitted - start,
        "predict_seconds": predict_seconds,
        "n_predicted": len(X_test),
    }


def _peak_memory_mb():
    if resource is None:
        return np.nan
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux counts kibibytes, macOS bytes.
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _summary(name, run):
    means = pd.DataFrame(run["scores"]).mean().to_dict()
    # Over folds: all texts predicted over all the time it took, not a mean of rates.
    texts_per_second = means.pop("n_predicted") / means["predict_seconds"]
    return {
        "model": name,
        **means,
        "texts_per_second": texts_per_second,
        "peak_memory_mb": run["peak_memory_mb"],
    }


def plot_comparison(table, histories=None):
    """Plot accuracy against fit time, one point per model, and learning curves.

    Parameters
    ----------
    table : pandas.DataFrame
        Results as returned by :func:`compare`; the columns ``model``, ``accuracy`` and
        ``fit_seconds`` are used.
    histories : dict of str to list of pandas.DataFrame, default=None
        Model name to the ``history_`` of its fitted estimators (one per fold): indexed by
        epoch, with a ``train_loss`` column and optionally ``valid_loss``. When any is
        given, a second panel shows these losses against the epoch.

    Returns
    -------
    figure : matplotlib.figure.Figure
        A figure outside of pyplot, so it needs no display and leaves pyplot's state
        alone; write it with ``figure.savefig(path)``.
    """
    histories = {name: runs for name, runs in (histories or {}).items() if runs}
    figure = Figure(figsize=(12 if histories else 6, 4.5), layout="constrained")
    axes = figure.subplots(1, 2 if histories else 1, squeeze=False)[0]
    colors = {name: f"C{i}" for i, name in enumerate(table["model"])}
    _plot_accuracy_against_time(axes[0], table, colors)
    if histories:
        _plot_learning_curves(axes[1], histories, colors)
    return figure


def _plot_accuracy_against_time(ax, table, colors):
    # A legend rather than text beside the points: models of similar speed and accuracy,
    # the baselines often, would print their names over one another.
    for row in table.itertuples():
        ax.scatter(row.fit_seconds, row.accuracy, color=colors[row.model], label=row.model)
    # Bag-of-words models fit in seconds, LSTMs in minutes or hours.
    ax.set_xscale("log")
    ax.margins(0.2)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set(xlabel="fit time (s, log scale)", ylabel="accuracy", title="Accuracy against fit time")


def _plot_learning_curves(ax, histories, colors):
    for name, runs in histories.items():
        # One line per fold, one legend entry per model and loss; markers keep a curve of a
        # single epoch visible.
        style = {"color": colors.get(name), "marker": "o", "alpha": 0.8}
        for fold, history in enumerate(runs):
            labels = (f"{name} train", f"{name} validation") if fold == 0 else None
            _plot_losses(ax, history, labels, **style)
    folds = max(len(runs) for runs in histories.values())
    title = "Learning curve" if folds == 1 else f"Learning curves ({folds} folds)"
    _label_epoch_axis(ax)
    ax.legend()
    ax.set_title(title)
