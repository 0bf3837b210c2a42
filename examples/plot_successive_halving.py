"""
Successive halving over epochs
==============================

:class:`~sklearn.model_selection.GridSearchCV` trains every candidate to the end.
Successive halving (Jamieson and Talwalkar, 2016) gives every candidate a small budget, keeps
the best ``1 / factor`` of them and gives those ``factor`` times the budget, round after round:
most of the training goes to the candidates that look best. scikit-learn's
:class:`~sklearn.model_selection.HalvingGridSearchCV` does this, and with
``resource="max_iter"`` the budget is a number of epochs of
:class:`sklstm.LSTMSentimentClassifier`.

Here nine candidates (three values of ``hidden_size`` by three of ``learning_rate_init``) get
1 epoch, the best three 3 epochs and the best one 9, scored by 2-fold cross-validation on 2,000
sentences of the MR movie-review dataset (:func:`sklstm.datasets.load_mr`) with a small
network, so that it runs in well under a minute on two CPU cores. A real search would use
every sentence and larger networks; ``benchmarks/halving.py`` compares it with a grid search
over the same grid on the whole of MR.
"""

# %%
# The search
# ----------
# The estimator's ``max_iter`` stays ``"auto"``: the search sets it for each candidate, to
# 1, 3 or 9. ``max_resources`` is required, since a number of epochs has no natural maximum.
# Without ``early_stopping``, a fit stops before ``max_iter`` epochs only if its training
# loss has not fallen for ``n_iter_no_change`` epochs in a row (as in scikit-learn's
# ``MLPClassifier``); ``n_iter_no_change=9`` rules that out, so that every candidate trains
# exactly the epochs it is given.
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, train_test_split

import sklstm
from sklstm import LSTMSentimentClassifier
from sklstm.datasets import load_mr

sklstm.reuse_freed_memory()
X, y = load_mr(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=2000, test_size=2000, stratify=y, random_state=0
)
lstm = LSTMSentimentClassifier(embedding_dim=32, n_iter_no_change=9, random_state=0)
grid = {"hidden_size": [16, 32, 64], "learning_rate_init": [3e-3, 1e-2, 3e-2]}
search = HalvingGridSearchCV(
    lstm, grid, resource="max_iter", min_resources=1, max_resources=9, factor=3, cv=2
)
search.fit(X_train, y_train)

# %%
# The rounds
# ----------
# ``cv_results_`` has a row per candidate and round: ``iter`` is the round, ``n_resources``
# the epochs each candidate of that round trained. Each round trains its candidates afresh,
# from their first epoch.
results = pd.DataFrame(search.cv_results_)
columns = ["iter", "n_resources", "param_hidden_size", "param_learning_rate_init"]
table = results[[*columns, "mean_test_score", "mean_fit_time"]].round(3)
table = table.sort_values(["iter", "mean_test_score"], ascending=[True, False])
print(table.to_string(index=False))

fig, ax = plt.subplots()
for params, runs in results.groupby(["param_hidden_size", "param_learning_rate_init"]):
    ax.plot(runs["n_resources"], runs["mean_test_score"], marker="o", label=str(params))
ax.set_xscale("log", base=3)
ax.set_xticks(search.n_resources_, [str(epochs) for epochs in search.n_resources_])
ax.set_xlabel("epochs (max_iter)")
ax.set_ylabel("mean cross-validated accuracy")
ax.legend(title="(hidden_size, learning_rate_init)", fontsize="small")
plt.show()

# %%
# What it saved
# -------------
# A grid search over the same nine candidates at 9 epochs would train 9 x 9 = 81 epochs on
# each fold; successive halving trained 9 x 1 + 3 x 3 + 1 x 9 = 27, a third. The time saved is
# a little less than that: the survivors of the first round may be the larger, slower networks,
# and every fit, however short, also learns its vocabulary and word vectors. The best
# candidate is then refitted on all the training sentences, as in a grid search.
epochs = results["n_resources"].sum()
grid_epochs = len(grid["hidden_size"]) * len(grid["learning_rate_init"]) * search.max_resources_
print(f"epochs per fold: successive halving {epochs}, grid search {grid_epochs}")
fit_seconds = (results["mean_fit_time"] * search.n_splits_).sum()
print(f"fit time of the rounds: {fit_seconds:.1f} s, then the refit: {search.refit_time_:.1f} s")
print(f"best: {search.best_params_}, test accuracy {search.score(X_test, y_test):.3f}")

# %%
# On a Dask cluster
# -----------------
# As for a grid search (see the Dask example in this gallery), the fits of each round run on
# the workers of a cluster through joblib's Dask backend; the rounds run one after the other,
# since each needs the scores of the one before::
#
#     import joblib
#     from dask.distributed import Client
#
#     client = Client("tcp://scheduler-host:8786")
#     search.set_params(n_jobs=-1)
#     with joblib.parallel_backend("dask"):
#         search.fit(X_train, y_train)
#
# A round has as many fits as candidates times folds: the first rounds keep many workers busy,
# the last ones few.
