"""
Why did the model call this review negative?
============================================

:meth:`sklstm.LSTMSentimentClassifier.explain` gives each token of a text a score: how much
it moved the model towards a class. This example fits a model, explains a few of its
predictions, renders them with :func:`sklstm.show_explanation` and checks what a score
means.

To run in well under a minute on two CPU cores, the model trains on a subsample of 2,000 IMDB
reviews cut to 150 tokens each, with a small network and two epochs, so it is far less
accurate than a full fit, which trains on the 25,000 training reviews with the defaults,
``LSTMSentimentClassifier()``.
"""

# %%
# A model to explain
# ------------------
# As in :ref:`sphx_glr_auto_examples_plot_getting_started.py`: a stratified subsample of the
# IMDB training reviews, with the string labels ``"neg"`` and ``"pos"``.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.special import logit
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
X_test, y_test = imdb_subsample("test", 300)

clf = LSTMSentimentClassifier(
    max_len=150,
    embedding_dim=64,
    hidden_size=32,
    learning_rate_init=1e-2,
    max_iter=2,
    random_state=0,
)
clf.fit(X_train, y_train)

# %%
# Three reviews it calls negative
# -------------------------------
# Short reviews are easier to read, so among the test reviews of under 600 characters we
# take the three the model finds most likely to be negative.
short = [i for i, text in enumerate(X_test) if len(text) < 600]
neg = list(clf.classes_).index("neg")
p_neg = clf.predict_proba([X_test[i] for i in short])[:, neg]
chosen = [short[j] for j in np.argsort(-p_neg)[:3]]
texts = [X_test[i] for i in chosen]
for text, label in zip(texts, y_test[chosen], strict=True):
    print(f"[true label: {label}] {text}\n")

# %%
# Token scores
# ------------
# ``explain`` returns a :class:`pandas.DataFrame` with one row per token the model saw:
# ``text_id`` is the text's position in the list passed, ``position`` the token's place in
# that text, and ``target`` the class explained, by default each text's predicted class.
# A positive score speaks for that class, a negative one against it.
explanation = clf.explain(texts)
print(explanation.head(10))

# %%
# With pandas, the five tokens of each text that speak most for "neg":
top = explanation.sort_values("score", ascending=False).groupby("text_id").head(5)
print(top.sort_values(["text_id", "score"], ascending=[True, False]).round(3))

# %%
# And as a chart, the ten tokens of the first text with the largest scores, for "neg" or
# against it; a token's position tells repeated words apart.
first = explanation[explanation.text_id == 0]
largest = first.loc[first.score.abs().nlargest(10).index].iloc[::-1]
fig, ax = plt.subplots(figsize=(6, 4))
ax.barh(
    largest.token + " (" + largest.position.astype(str) + ")",
    largest.score,
    color=np.where(largest.score > 0, "tab:green", "tab:red"),
)
ax.axvline(0, color="black", linewidth=0.8)
ax.set_xlabel('score: effect on the log-odds of "neg"')
ax.set_title("The first text's ten strongest tokens")
fig.tight_layout()
plt.show()

# %%
# Seeing the scores in the text
# -----------------------------
# :func:`sklstm.show_explanation` renders the texts with each token coloured by its score:
# green for the class, red against it, stronger for larger scores (hovering over a token shows
# its score). The object it returns displays inline when it ends a cell, in Jupyter as on this
# page; its ``path`` argument also writes the HTML page to a file, here in a temporary folder,
# and ``captions`` adds a line above each text.
probabilities = clf.predict_proba(texts)[:, neg]
captions = {
    text_id: f"True label {label}; P(neg) = {p:.2f}"
    for text_id, (label, p) in enumerate(zip(y_test[chosen], probabilities, strict=True))
}
path = Path(tempfile.mkdtemp()) / "why_negative.html"
page = sklstm.show_explanation(explanation, path=path, captions=captions)
print(f"{len(page.html):,} characters of HTML written to {path.name}")
page

# %%
# Explaining another class
# ------------------------
# ``target`` explains a class other than the predicted one: here, what in these reviews
# speaks for "pos". With two classes, the log-odds of one are the negated log-odds of the
# other, so the scores are those above with their signs flipped.
for_pos = clf.explain(texts, target="pos")
print(for_pos.sort_values("score", ascending=False).groupby("text_id").head(3).round(3))

# %%
# What a score means
# ------------------
# A token's score is an occlusion effect: the class's log-odds, log(p / (1 - p)), minus
# the log-odds of the same text with that token blanked out, everything else unchanged.
# Blanking sets the token's input vector to zero, the vector of padding, and removes the
# features that the linear path beside the LSTM (``linear_ngram_range``) counts at that
# position: the word and the bigram ending there, each counted where it first occurs. So
# each score is an effect you can check directly, here for the highest-scoring token of the
# first text, with the fitted network ``clf.module_``:
best = first.loc[first.score.idxmax()]
ids = torch.from_numpy(clf.vectorizer_.transform(texts[:1])[0][None])
with torch.no_grad():
    inputs = clf.module_.embed(ids)  # (1, tokens, embedding_dim)
    linear = clf.module_.linear_terms(ids)  # (1, tokens, 1): each position's linear term
    blanked, linear_blanked = inputs.clone(), linear.clone()
    blanked[0, best.position] = 0.0
    linear_blanked[0, best.position] = 0.0
    lengths = torch.tensor([inputs.size(1)])
    # Two classes: one logit, the log-odds of the second class ("pos").
    log_odds_neg = -float(clf.module_.classify(inputs, lengths, linear)[0, 0])
    log_odds_neg_blanked = -float(clf.module_.classify(blanked, lengths, linear_blanked)[0, 0])
print(f"token {best.token!r}: score {best.score:.4f}")
print(f"log-odds of neg: {log_odds_neg:.4f} with it, {log_odds_neg_blanked:.4f} without")
print(f"from predict_proba: {logit(probabilities[0]):.4f}")

# %%
# Scores are effects of one token at a time: two words that only matter together ("not"
# and "good") each get the effect of removing it alone. The scores of a text therefore do
# not add up to its log-odds. Integrated gradients, whose scores do add up in principle,
# was tried first: on LSTMs trained on IMDB the path it integrates along crosses sharp
# switches of the recurrent state, and its sums did not match their total.
#
# With ``ngram_range=(1, 2)``, the input vector of each token also holds the hashed embedding
# of the bigram that ends at it, so its score covers that bigram too.
#
# From the command line
# ---------------------
# ``sklstm compare`` explains the LSTM's mistakes: the command below fits the models on IMDB
# with the defaults, as in :ref:`comparison`, and writes the explanations of the first 20
# test reviews the LSTM gets wrong to ``explanations.html`` in its output folder
# (``--output``, ``./sklstm-output`` by default):
#
# .. code-block:: bash
#
#    sklstm compare --dataset imdb --explain 20
