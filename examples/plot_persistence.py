"""
Saving and loading a fitted model
=================================

A fitted :class:`sklstm.LSTMSentimentClassifier` can be saved in two ways:

* with :mod:`joblib` (or :mod:`pickle`), like any scikit-learn estimator. Loading a pickle
  **runs code from the file**: load only files you made yourself or fully trust.
* with `skops <https://skops.readthedocs.io>`_ (``pip install -e ".[skops]"``), the secure
  format of the scikit-learn ecosystem. A skops file holds data, not code: before loading it
  you can list the types it would create and refuse any you do not trust. For sklstm models
  that list holds only sklstm's own classes.

So that it runs in seconds, this example trains a small network on 1,000 sentences of the MR
movie-review dataset (:func:`sklstm.datasets.load_mr`) for three epochs, then three more after
loading; its accuracy is beside the point here. A model fitted with the defaults on more data
saves and loads the same way, into a larger file.
"""

# %%
# A model to save
# ---------------
import tempfile
from pathlib import Path

import joblib
import matplotlib.pyplot as plt
import numpy as np
import skops.io as sio
from sklearn.model_selection import train_test_split

import sklstm
from sklstm import LSTMSentimentClassifier
from sklstm.datasets import load_mr

X, y = load_mr(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=1000, test_size=200, stratify=y, random_state=0
)
clf = LSTMSentimentClassifier(
    embedding_dim=16, hidden_size=16, max_iter=3, learning_rate_init=1e-2, random_state=0
).fit(X_train, y_train)
expected = clf.predict_proba(X_test)
workdir = tempfile.TemporaryDirectory()
folder = Path(workdir.name)

# %%
# joblib
# ------
# The file holds the weights as arrays in main memory, so a model trained on a GPU loads and
# predicts on a machine without one. Loading it with another version of sklstm warns with
# :class:`sklstm.InconsistentVersionWarning`: refit the model with that version if you can.
joblib.dump(clf, folder / "model.joblib")
loaded = joblib.load(folder / "model.joblib")  # runs code from the file: trusted files only
print("same probabilities after joblib:", np.array_equal(loaded.predict_proba(X_test), expected))

# %%
# skops
# -----
# ``skops.io.dump`` writes the same model. Before loading, list the types in the file that
# skops does not trust by default:
sio.dump(clf, folder / "model.skops")
untrusted = sio.get_untrusted_types(file=folder / "model.skops")
print(untrusted)

# %%
# Only sklstm's classifier and its vocabulary: no torch, pandas or Python internals, because
# the model is stored as numpy arrays and plain lists, dicts and numbers. Loading without
# saying which types to trust is refused:
try:
    sio.load(folder / "model.skops")
except sio.exceptions.UntrustedTypesFoundException as error:
    print("refused:", error)

# %%
# Once you have reviewed the list, pass it as ``trusted``. The loaded model predicts exactly
# as the saved one.
loaded = sio.load(folder / "model.skops", trusted=untrusted)
print("same probabilities after skops:", np.array_equal(loaded.predict_proba(X_test), expected))

# %%
# A :class:`~sklearn.pipeline.Pipeline` of scikit-learn steps around the classifier saves the
# same way: skops trusts scikit-learn's own classes, so the list to review is still sklstm's.
#
# Training on after loading
# -------------------------
# With ``warm_start=True`` the file also holds the optimizer's state, and ``fit`` on the loaded
# model goes on from the saved weights instead of starting afresh. That state is stored as
# arrays too, so the types to trust are the ones reviewed above.
clf.set_params(warm_start=True)
sio.dump(clf, folder / "warm.skops")
warm = sio.load(folder / "warm.skops", trusted=untrusted)
warm.fit(X_train, y_train)

# %%
# The training history goes on from the epochs run before saving:
ax = sklstm.plot_history(warm)
ax.axvline(clf.n_iter_ + 0.5, color="grey", linestyle=":", label="saved and loaded")
ax.legend()
plt.show()

workdir.cleanup()
