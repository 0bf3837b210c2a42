"""
Stacking the LSTM with a bag-of-words model
===========================================

An LSTM and a bag-of-words model may make different mistakes: one reads words in order, the other
counts them. :class:`~sklearn.ensemble.StackingClassifier` combines them with a logistic
regression fitted on their cross-validated probabilities. ``sklstm compare --stack`` does the
same with the LSTM and the baseline most accurate in a cross-validation on the training texts.

The data are sentences from the MR movie-review dataset (:func:`sklstm.datasets.load_mr`).
To run in well under a minute on two CPU cores, the example trains on 3,000 of its 10,662
sentences with a small LSTM and four epochs per fit; a full run would use every sentence
and the defaults.
"""

# %%
# Data
# ----
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.ensemble import StackingClassifier
from sklearn.model_selection import train_test_split

import sklstm
from sklstm import LSTMSentimentClassifier
from sklstm.baselines import make_baselines
from sklstm.datasets import load_mr

sklstm.reuse_freed_memory()
X, y = load_mr(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=3000, test_size=2000, stratify=y, random_state=0
)

# %%
# The models
# ----------
# Both take raw text, so they stack directly; ``cv=3`` fits each model three times on two
# thirds of the training sentences to produce the probabilities the final logistic regression
# learns from, then once on all of them.
lstm = LSTMSentimentClassifier(
    embedding_dim=64, hidden_size=32, learning_rate_init=1e-2, max_iter=4, random_state=0
)
tfidf_lr = make_baselines(random_state=0)["tfidf_lr"]
stack = StackingClassifier([("lstm", lstm), ("tfidf_lr", tfidf_lr)], cv=3)
stack.fit(X_train, y_train)

# %%
# Accuracy on the test sentences
# ------------------------------
# The fitted base models are in ``named_estimators_``; they were refitted on all the training
# sentences, so each can be scored on its own.
scores = {name: model.score(X_test, y_test) for name, model in stack.named_estimators_.items()}
scores["stack"] = stack.score(X_test, y_test)
scores = pd.Series(scores, name="accuracy")
print(scores.round(3))
print("weights of the final estimator:", stack.final_estimator_.coef_.round(2))

fig, ax = plt.subplots()
scores.plot.barh(ax=ax, xlim=(0.5, 0.8))
ax.set_xlabel(f"accuracy on {len(X_test)} test sentences")
fig.tight_layout()
plt.show()
