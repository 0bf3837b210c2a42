"""
IMDB with few labels: learning from unlabelled reviews too
==========================================================

Labels are often scarce while texts are not. With ``unlabeled_label=-1``,
:class:`sklstm.LSTMSentimentClassifier` takes texts labelled -1 as unlabelled: the vocabulary,
the linear path's n-grams and the starting word vectors are learned from them as well as from
the labelled texts, and self-training (``pseudo_label_share``) labels the half of them
that a first fit is surest of and trains again on those too. This example measures test accuracy
against the number of labelled training reviews, for the LSTM with and without 1,000 of IMDB's
unlabelled reviews, and for bag-of-words baselines from
:func:`sklstm.baselines.make_baselines`, one of which (self-training) also learns from the
unlabelled reviews.

To run in a few minutes on two CPU cores, the example cuts reviews to 150 tokens
for the LSTM, scores on 2,000 test reviews, fits each model once with one seed and uses 1,000
of the 50,000 unlabelled reviews. At this scale the figures are illustrative, not a
measurement: the comparison at full scale, on the whole test set with all the unlabelled
reviews and the LSTM's defaults, is what the command line runs::

    sklstm compare --dataset imdb --labels 1000 --unlabeled imdb
"""

# %%
# The reviews
# -----------
# Labelled reviews come from the training split, test reviews from the test split and
# unlabelled ones from ``subset="unsup"``, whose target is -1 for every review. The splits come
# sorted by label, so the labelled and test samples are stratified random subsamples.
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.utils import resample

import sklstm
from sklstm import LSTMSentimentClassifier
from sklstm.baselines import make_baselines
from sklstm.datasets import load_imdb

sklstm.reuse_freed_memory()

LABELLED_SIZES = [250, 500, 1000]
UNLABELLED = -1  # scikit-learn's marker of an unlabelled sample


def stratified_sample(X, y, n_samples):
    """A random sample of ``n_samples`` texts with the classes in their original shares."""
    return resample(X, y, n_samples=n_samples, replace=False, stratify=y, random_state=0)


X_pool, y_pool = load_imdb(subset="train", return_X_y=True)
X_test, y_test = stratified_sample(*load_imdb(subset="test", return_X_y=True), 2000)
X_unsup, _ = load_imdb(subset="unsup", return_X_y=True)
X_unlabelled = resample(X_unsup, n_samples=1000, replace=False, random_state=0)

# %%
# The models
# ----------
# The LSTM keeps its defaults but for ``max_len=150``, which cuts the work on IMDB's long
# reviews; its ``max_iter="auto"`` gives the smaller training sets more epochs. ``nb_lr`` is
# the naive-Bayes-weighted bigram logistic regression, and ``tfidf_lr`` is the model that
# self-training starts from: self-training fits it, takes the unlabelled reviews it predicts
# with a probability above 0.9 as labelled with their predicted class, and fits again, for at
# most 5 rounds. Each model comes with whether it is given the unlabelled reviews and its
# line style in the figure: dashed with them, solid without, one colour per kind of model.


def lstm(**params):
    return LSTMSentimentClassifier(max_len=150, random_state=0, **params)


def make_models():
    """Fresh, unfitted models: name -> (model, given the unlabelled reviews?, line style)."""
    baselines = make_baselines(random_state=0, semi_supervised=True)
    return {
        "LSTM": (lstm(), False, "C0-"),
        "LSTM + unlabelled": (lstm(unlabeled_label=UNLABELLED), True, "C0--"),
        "NB-LR": (baselines["nb_lr"], False, "C1-"),
        "TF-IDF + LR": (baselines["tfidf_lr"], False, "C2-"),
        "self-training TF-IDF + LR + unlabelled": (
            baselines["self_training_tfidf_lr"], True, "C2--"
        ),
    }  # fmt: skip


def fit_and_score(model, with_unlabelled, X_labelled, y_labelled):
    """Fit on the labelled reviews (and the unlabelled ones, marked -1); score on the test set."""
    X, y = X_labelled, y_labelled
    if with_unlabelled:
        X = [*X_labelled, *X_unlabelled]
        y = np.concatenate([y_labelled, np.full(len(X_unlabelled), UNLABELLED)])
    start = time.perf_counter()
    model.fit(X, y)
    fit_seconds = time.perf_counter() - start
    return {"accuracy": model.score(X_test, y_test), "fit s": fit_seconds}


# %%
# Accuracy against the number of labels
# --------------------------------------
# Every model is fitted on the same labelled sample of each size.
rows, styles = [], {}
for n_labelled in LABELLED_SIZES:
    X_labelled, y_labelled = stratified_sample(X_pool, y_pool, n_labelled)
    for name, (model, with_unlabelled, style) in make_models().items():
        scores = fit_and_score(model, with_unlabelled, X_labelled, y_labelled)
        rows.append({"labelled reviews": n_labelled, "model": name, **scores})
        styles[name] = style
results = pd.DataFrame(rows)
accuracy = results.pivot(index="model", columns="labelled reviews", values="accuracy")
accuracy = accuracy.loc[list(styles)]  # in the order of make_models, not alphabetical
accuracy["fit s, all sizes"] = results.groupby("model")["fit s"].sum()
print(accuracy.round({n: 3 for n in LABELLED_SIZES} | {"fit s, all sizes": 1}))

# %%
# The figure
# ----------
fig, ax = plt.subplots()
for name, style in styles.items():
    ax.plot(LABELLED_SIZES, accuracy.loc[name, LABELLED_SIZES], style, marker="o", label=name)
ax.set_xscale("log")
ax.minorticks_off()  # no 3x10^2 ticks between the sizes
ax.set_xticks(LABELLED_SIZES, [str(n) for n in LABELLED_SIZES])
ax.set_xlabel("labelled training reviews")
ax.set_ylabel(f"accuracy on {len(X_test):,} test reviews")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Reading the figure
# ------------------
# Each point is one fit with one seed, scored on 2,000 reviews, so a difference of a point or
# two between lines can come from the draw of the reviews alone: the run above shows how the
# models compare at this scale, not which is better. The unlabelled reviews also lengthen the
# fits that use them (the fit seconds above): the LSTM tokenises them, learns its starting
# word vectors from them too, predicts them and trains a second time on the labelled and the
# pseudo-labelled reviews; self-training over TF-IDF predicts them in every round.
#
# Whether unlabelled texts help on your data is for ``sklstm compare`` to measure, with every
# unlabelled text you have and the defaults: ``--labels N`` keeps the labels of a stratified
# sample of N training texts and makes the other training texts unlabelled, ``--unlabeled``
# adds texts without labels (a file, or ``imdb`` for the reviews used here). The LSTM and the
# self-training model then get the unlabelled texts, the other baselines the labelled ones
# alone, and all are scored on the full test set.
