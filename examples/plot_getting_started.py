"""
Getting started
===============

Fit :class:`sklstm.LSTMSentimentClassifier` on movie reviews, then predict labels and
probabilities for new texts and look at the training history.

To run in under a minute on two CPU cores, this example trains on 2,000 IMDB reviews cut to
200 tokens each, with a small network, randomly started word embeddings and at most six short
epochs, so its accuracy is far below that of a full run. A full run trains on the 25,000
training reviews with the defaults, ``LSTMSentimentClassifier()``; see
:ref:`sphx_glr_auto_examples_plot_imdb_vs_bag_of_words.py`.
"""

# %%
# A subsample of IMDB
# -------------------
# :func:`sklstm.datasets.load_imdb` returns the reviews of the official training or test
# split, sorted by label, so we draw a stratified random subsample of each. The labels can be
# anything scikit-learn accepts; here they are the strings ``"neg"`` and ``"pos"``.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.utils import resample

import sklstm
from sklstm import LSTMSentimentClassifier
from sklstm.datasets import load_imdb

# On Linux, let glibc recycle the large buffers of LSTM training (see the user guide).
sklstm.reuse_freed_memory()


def imdb_subsample(subset, n_samples):
    """A stratified random subsample of one IMDB split, with string labels."""
    imdb = load_imdb(subset=subset)
    texts, labels = resample(
        imdb.data, imdb.target, n_samples=n_samples, replace=False, stratify=imdb.target,
        random_state=0,
    )  # fmt: skip
    return texts, np.asarray(imdb.target_names)[labels]


X_train, y_train = imdb_subsample("train", 2000)
X_test, y_test = imdb_subsample("test", 1000)
print(X_train[0][:200], "...", y_train[0])

# %%
# Fit
# ---
# The estimator takes the raw texts: it learns a vocabulary, turns each text into token ids
# and trains the LSTM. ``early_stopping=True`` holds out 10% of the training texts, reports
# the validation accuracy of each epoch, stops when it no longer improves and keeps the
# weights of the best epoch. The larger learning rate suits this small subsample, and
# ``pretrained_embeddings=None`` starts the word embeddings at random, skipping the step that
# first learns word vectors from the training texts: on this subsample that step took seconds
# and did not improve the test accuracy.
clf = LSTMSentimentClassifier(
    max_len=200,
    embedding_dim=64,
    hidden_size=32,
    pretrained_embeddings=None,
    learning_rate_init=5e-3,
    max_iter=6,
    early_stopping=True,
    random_state=0,
)
clf.fit(X_train, y_train)
print(f"vocabulary: {len(clf.vectorizer_.vocabulary_)} tokens, epochs run: {clf.n_iter_}")

# %%
# Predict
# -------
# ``predict`` returns the labels it was trained with, and ``predict_proba`` one column per
# class, in the order of ``classes_``. ``score`` is the accuracy.
reviews = ["A wonderful, moving film. I loved it!", "A dull, predictable plot and wooden acting."]
print(clf.predict(reviews))
print(clf.classes_, clf.predict_proba(reviews).round(3))
print(f"test accuracy on {len(X_test)} reviews: {clf.score(X_test, y_test):.3f}")

# %%
# Training history
# ----------------
# ``history_`` is a :class:`pandas.DataFrame` with one row per epoch: the training loss, the
# time the epoch took and its speed in tokens per second, and, with early stopping, the
# validation loss and accuracy. :func:`sklstm.plot_history` draws the losses and the
# validation accuracy in one call.
print(clf.history_.round(3))

sklstm.plot_history(clf)
plt.show()
