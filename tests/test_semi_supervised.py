"""Texts marked unlabelled (``unlabeled_label``) are used without labels, never as a class."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score

from sklstm import LSTMSentimentClassifier
from sklstm import fitting as fitting_module

TINY = dict(embedding_dim=8, hidden_size=8, min_df=1, batch_size=16, max_iter=6,
            learning_rate_init=0.02, random_state=0)  # fmt: skip


def tiny(**params):
    return LSTMSentimentClassifier(**{**TINY, **params})


@pytest.fixture
def marked(make_corpus):
    """Labels "neg"/"pos" with a third of the texts marked -1 (an int among strings)."""
    texts, labels = make_corpus(n_texts=150)
    y = np.array(["neg", "pos"], dtype=object)[labels]
    y[::3] = -1
    return texts, y, labels


def test_without_self_training_marked_texts_are_no_class_and_only_shape_the_vocabulary(
    marked, monkeypatch
):
    trained_on = []
    original = fitting_module.train

    def recording_train(network, optimizer, objective, data, *args, **kwargs):
        trained_on.append(data.targets.tolist())
        return original(network, optimizer, objective, data, *args, **kwargs)

    monkeypatch.setattr(fitting_module, "train", recording_train)
    texts, y, labels = marked
    texts = list(texts)
    texts[0] = texts[0] + " zyzzyva"  # texts[0] is marked unlabelled
    clf = tiny(unlabeled_label=-1, pseudo_label_share=0).fit(texts, y)
    assert clf.classes_.tolist() == ["neg", "pos"]
    assert "zyzzyva" in clf.vectorizer_.vocabulary_
    # Trained once, on the 100 labelled texts, with their own labels.
    assert len(trained_on) == 1
    assert sorted(trained_on[0]) == sorted(labels[y != -1].tolist())
    assert clf.score(texts, y) > 0.9


def test_score_leaves_out_the_marked_texts(marked):
    texts, y, labels = marked
    clf = tiny(unlabeled_label=-1).fit(texts, y)
    keep = y != -1
    expected = np.mean(clf.predict([t for t, k in zip(texts, keep, strict=True) if k]) == y[keep])
    assert clf.score(texts, y) == pytest.approx(expected)


def test_without_marker_minus_one_is_a_class(make_corpus):
    texts, labels = make_corpus(n_texts=90)
    y = np.where(labels == 1, 1, -1)
    clf = tiny().fit(texts, y)
    assert clf.classes_.tolist() == [-1, 1]


def test_a_marker_that_is_absent_changes_nothing(make_corpus):
    texts, labels = make_corpus(n_texts=90)
    plain = tiny().fit(texts, labels).predict_proba(texts)
    marked = tiny(unlabeled_label=-1).fit(texts, labels).predict_proba(texts)
    np.testing.assert_array_equal(marked, plain)


@pytest.mark.parametrize(
    ("y", "message"),
    [([-1] * 6, "no class among its labelled texts"), ([0, -1, 0, -1, 0, -1], "single class")],
)
def test_too_few_labelled_texts_fail_before_any_work(y, message):
    clf = tiny(unlabeled_label=-1)
    with pytest.raises(ValueError, match=message):
        clf.fit(["a good film", "a bad film", "good", "bad", "fine", "awful"], y)
    assert not hasattr(clf, "module_")


def test_a_string_marker_works_with_string_labels(make_corpus):
    texts, labels = make_corpus(n_texts=90)
    y = np.array(["neg", "pos"])[labels]
    y[::4] = ""
    clf = tiny(unlabeled_label="").fit(texts, y)
    assert clf.classes_.tolist() == ["neg", "pos"]


@pytest.mark.parametrize("marker", [-1, "?"])
def test_marked_texts_work_in_cross_validation_and_grid_search(make_corpus, marker):
    # Labels and marker of one type (ints and -1, strings and "?"), so that stratified
    # folds can sort them.
    texts, labels = make_corpus(n_texts=150)
    y = labels if marker == -1 else np.array(["neg", "pos"], dtype=object)[labels]
    y = y.copy()
    y[::3] = marker
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    assert cross_val_score(tiny(unlabeled_label=marker), texts, y, cv=cv).min() > 0.9
    search = GridSearchCV(tiny(unlabeled_label=marker), {"hidden_size": [4, 8]}, cv=cv)
    search.fit(texts, y)
    assert marker not in search.best_estimator_.classes_.tolist()
    assert len(search.best_estimator_.classes_) == 2


def test_partial_fit_trains_on_the_labelled_texts_of_each_batch(marked):
    texts, y, _ = marked
    clf = tiny(unlabeled_label=-1)
    clf.partial_fit(texts[:75], y[:75], classes=["neg", "pos"])
    clf.partial_fit(texts[75:], y[75:])
    assert clf.n_iter_ == 2
    # A batch of unlabelled texts only trains nothing.
    clf.partial_fit(texts[:3], [-1, -1, -1])
    assert clf.n_iter_ == 2


def _recording_train(monkeypatch, interrupt_first=False):
    """Record the targets of every training run; optionally report the first interrupted."""
    trained_on = []
    original = fitting_module.train

    def recording_train(network, optimizer, objective, data, *args, **kwargs):
        trained_on.append(data.targets.tolist())
        history, interrupted = original(network, optimizer, objective, data, *args, **kwargs)
        return history, interrupted or (interrupt_first and len(trained_on) == 1)

    monkeypatch.setattr(fitting_module, "train", recording_train)
    return trained_on


def test_self_training_trains_again_on_the_labelled_and_the_surest_unlabelled_texts(
    marked, monkeypatch
):
    trained_on = _recording_train(monkeypatch)
    texts, y, labels = marked
    clf = tiny(unlabeled_label=-1, pseudo_label_share=0.4).fit(texts, y)
    n_unlabelled = int(np.sum(y == -1))
    assert len(trained_on) == 2
    labelled_targets = sorted(labels[y != -1].tolist())
    assert sorted(trained_on[0]) == labelled_targets
    second = trained_on[1]
    assert len(second) == len(labelled_targets) + clf.n_pseudo_labeled_
    assert sorted(second[: len(labelled_targets)]) == labelled_targets
    # The pseudo-labels keep the labelled texts' balance of the classes.
    positive_share = np.mean(labelled_targets)
    n_pseudo = round(0.4 * n_unlabelled)
    assert sum(second[len(labelled_targets) :]) == round(n_pseudo * positive_share)
    assert abs(clf.n_pseudo_labeled_ - n_pseudo) <= 1  # each class's count is rounded
    # The history is the second fit's, from its first epoch.
    assert clf.n_iter_ == TINY["max_iter"]
    assert clf.history_.index.tolist() == list(range(1, TINY["max_iter"] + 1))


def test_self_training_teaches_words_only_the_unlabelled_texts_hold():
    # The labels only show "good" and "bad"; "splendid" and "dismal" come only in unlabelled
    # texts, beside them. Word vectors are off, so only pseudo-labels can link them.
    labelled = ["good", "bad"] * 10
    unlabelled = ["good splendid", "bad dismal"] * 20 + ["splendid", "dismal"] * 20
    y = np.r_[[1, 0] * 10, [-1] * 80]
    probes = ["splendid", "dismal"]
    settings = dict(unlabeled_label=-1, pretrained_embeddings=None, linear_ngram_range=None)
    without = tiny(pseudo_label_share=0, **settings).fit(labelled + unlabelled, y)
    with_ = tiny(pseudo_label_share=0.5, **settings).fit(labelled + unlabelled, y)
    gap_without = np.diff(without.predict_proba(probes)[:, 1])[0]
    gap_with = np.diff(with_.predict_proba(probes)[:, 1])[0]
    assert with_.predict(probes).tolist() == [1, 0]
    assert gap_with < gap_without - 0.5


def test_self_training_changes_nothing_without_unlabelled_texts(make_corpus):
    texts, labels = make_corpus(n_texts=90)
    off = tiny(unlabeled_label=-1, pseudo_label_share=0).fit(texts, labels)
    on = tiny(unlabeled_label=-1, pseudo_label_share=1).fit(texts, labels)
    np.testing.assert_array_equal(on.predict_proba(texts), off.predict_proba(texts))
    assert on.n_pseudo_labeled_ == 0


def test_an_interrupted_first_fit_is_kept_and_not_trained_again(marked, monkeypatch):
    trained_on = _recording_train(monkeypatch, interrupt_first=True)
    texts, y, _ = marked
    clf = tiny(unlabeled_label=-1).fit(texts, y)
    assert len(trained_on) == 1
    assert clf.n_pseudo_labeled_ == 0


def test_an_interrupt_while_labelling_keeps_the_first_training(marked, monkeypatch):
    trained_on = _recording_train(monkeypatch)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(fitting_module, "predict_logits", interrupted)
    texts, y, _ = marked
    with pytest.warns(UserWarning, match="Interrupted while labelling") as warned:
        clf = tiny(unlabeled_label=-1).fit(texts, y)
    assert warned[0].filename == __file__  # the warning points at the user's call
    assert len(trained_on) == 1
    assert clf.n_pseudo_labeled_ == 0
    monkeypatch.undo()
    assert clf.score(texts, y) > 0.9
