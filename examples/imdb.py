"""
Train on IMDB, score on its test set
====================================

Fits :class:`sklstm.LSTMSentimentClassifier` with its defaults on the 25,000 training reviews
of the Large Movie Review Dataset and prints the accuracy on the 25,000 test reviews, next to
TF-IDF + logistic regression fitted in the same run. Set ``SKLSTM_DATA`` to the folder holding
``imdb/`` (``./run.sh`` does it for ``../shared/data``); without it the data is downloaded.
"""

import time

import sklstm
from sklstm.baselines import make_baselines
from sklstm.datasets import load_imdb

sklstm.reuse_freed_memory()
train, test = load_imdb(subset="train"), load_imdb(subset="test")

models = {
    "LSTMSentimentClassifier": sklstm.LSTMSentimentClassifier(random_state=0, verbose=1),
    "TF-IDF + LogisticRegression": make_baselines(random_state=0)["tfidf_lr"],
}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(train.data, train.target)
    seconds = time.perf_counter() - start
    accuracy = model.score(test.data, test.target)
    print(f"{name}: test accuracy {accuracy:.4f}, fit {seconds:.0f} s")
