"""
Grid search over the LSTM's size
================================

:class:`sklstm.LSTMSentimentClassifier` is a scikit-learn estimator, so
:class:`~sklearn.model_selection.GridSearchCV` tunes it like any other: here the size of its
hidden state, ``hidden_size``, by 3-fold cross-validation, with the results as a
:class:`pandas.DataFrame`.

The data are sentences from the MR movie-review dataset (:func:`sklstm.datasets.load_mr`),
which are short, so that the search runs in well under a minute on two CPU cores: it uses
2,400 of the 10,662 sentences, a small embedding and four epochs per fit. A full search would
use every sentence and the defaults of the parameters it does not search.
"""

# %%
# Data
# ----
# MR lists its positive sentences, then its negative ones: ``train_test_split`` shuffles and
# stratifies.
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.model_selection import GridSearchCV, train_test_split

import sklstm
from sklstm import LSTMSentimentClassifier
from sklstm.datasets import load_mr

sklstm.reuse_freed_memory()
X, y = load_mr(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=2400, test_size=2000, stratify=y, random_state=0
)

# %%
# The search
# ----------
# Every candidate is fitted on two thirds of the training sentences and scored on the rest,
# three times; the best one is then refitted on all of them. ``n_jobs=-1`` would fit the
# candidates in parallel processes, and joblib's Dask backend spreads them over the machines
# of a cluster (see the Dask example in this gallery).
lstm = LSTMSentimentClassifier(
    embedding_dim=64, learning_rate_init=1e-2, max_iter=4, random_state=0
)
search = GridSearchCV(lstm, {"hidden_size": [8, 64]}, cv=3)
search.fit(X_train, y_train)

# %%
# The results
# -----------
# ``cv_results_`` becomes a table with one row per candidate: the accuracy of each fold, their
# mean and spread, and the mean time a fit took.
results = pd.DataFrame(search.cv_results_)
columns = ["param_hidden_size", "mean_test_score", "std_test_score", "mean_fit_time"]
print(results[columns].round(3).to_string(index=False))
print(f"best: {search.best_params_}, test accuracy {search.score(X_test, y_test):.3f}")

fig, ax = plt.subplots()
ax.errorbar(
    results["param_hidden_size"].astype(int),
    results["mean_test_score"],
    yerr=results["std_test_score"],
    marker="o",
    capsize=4,
)
ax.set_xlabel("hidden_size")
ax.set_ylabel("mean cross-validated accuracy")
plt.show()
