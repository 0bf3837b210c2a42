import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sklstm import RaggedSequences, VocabularyTransformer
from sklstm.text import PAD_ID, UNKNOWN_ID, check_texts, tokenize


def test_tokenize_keeps_words_numbers_apostrophes_and_sentiment_punctuation():
    text = "Don't miss it!<br /><br />I rated it 10/10... really?! (café)"
    assert tokenize(text) == [
        "Don't",
        "miss",
        "it",
        "!",
        "I",
        "rated",
        "it",
        "10",
        "10",
        "really",
        "?",
        "!",
        "café",
    ]


def test_tokenize_strips_every_form_of_html_line_break():
    assert tokenize("a<br>b<BR/>c<br />d") == ["a", "b", "c", "d"]


def test_vocabulary_reserves_padding_and_unknown_ids_and_orders_by_frequency():
    vt = VocabularyTransformer(min_df=1).fit(["b a", "a c", "a b"])
    assert vt.vocabulary_ == {"a": 2, "b": 3, "c": 4}
    assert vt.document_frequency_ == {"a": 3, "b": 2, "c": 1}
    assert vt.n_ids_ == 5
    assert UNKNOWN_ID not in vt.vocabulary_.values() and PAD_ID not in vt.vocabulary_.values()


def test_min_df_and_max_features_limit_the_vocabulary():
    texts = ["a b c", "a b", "a d", "e"]
    assert set(VocabularyTransformer(min_df=2).fit(texts).vocabulary_) == {"a", "b"}
    assert set(VocabularyTransformer(min_df=1, max_features=1).fit(texts).vocabulary_) == {"a"}


def test_empty_vocabulary_is_a_clear_error():
    with pytest.raises(ValueError, match="min_df=5"):
        VocabularyTransformer(min_df=5).fit(["a", "b"])


def test_transform_maps_unknown_words_and_keeps_empty_texts():
    vt = VocabularyTransformer(min_df=1).fit(["good film", "bad film"])
    seqs = vt.transform(["good unseen", "", "zzz qqq"])
    assert isinstance(seqs, RaggedSequences)
    assert seqs.lengths.tolist() == [2, 0, 2]
    assert vt.inverse_transform(seqs) == [["good", "<unk>"], [], ["<unk>", "<unk>"]]


def test_lowercase_and_custom_tokenizer():
    vt = VocabularyTransformer(min_df=1, lowercase=False, tokenizer=str.split).fit(["Good, film"])
    assert set(vt.vocabulary_) == {"Good,", "film"}
    lowered = VocabularyTransformer(min_df=1).fit(["Good FILM"])
    assert set(lowered.vocabulary_) == {"good", "film"}


@pytest.mark.parametrize(
    ("truncation", "kept"),
    [("head_tail", "0 1 2 8 9"), ("head", "0 1 2 3 4"), ("tail", "5 6 7 8 9")],
)
def test_truncation_keeps_the_requested_part(truncation, kept):
    text = " ".join(str(i) for i in range(10))
    vt = VocabularyTransformer(min_df=1, max_len=5, truncation=truncation).fit([text])
    assert " ".join(vt.inverse_transform(vt.transform([text]))[0]) == kept


@pytest.mark.parametrize(
    ("truncation", "steps"),
    [("head_tail", "0 1 2 8 9 3 4 5 6 7"), ("head", "0 1 2 3 4 5 6 7 8 9"),
     ("tail", "5 6 7 8 9 0 1 2 3 4")],
)  # fmt: skip
def test_with_a_linear_path_the_left_out_tokens_follow_the_kept_ones(truncation, steps):
    text = " ".join(str(i) for i in range(10))
    params = dict(min_df=1, max_len=5, truncation=truncation)
    vt = VocabularyTransformer(linear_ngram_range=(1, 2), **params).fit([text])
    sequences = vt.transform([text])
    assert " ".join(vt.inverse_transform(sequences)[0]) == steps
    assert " ".join(vt.analyze([text])[0]) == steps
    # Every unigram and bigram of the whole text is counted once, none across the gap.
    linear = sequences.ids[:, 1:]
    assert (linear[:, 0] > 0).sum() == 10 and (linear[:, 1] > 0).sum() == 9
    truncated = VocabularyTransformer(**params).fit([text]).transform([text])
    np.testing.assert_array_equal(sequences.ids[:5, 0], truncated.ids)


def test_fit_transform_equals_fit_then_transform():
    texts = ["a b c", "a b", "c d e f"]
    vt = VocabularyTransformer(min_df=1, max_len=3)
    together = vt.fit_transform(texts)
    apart = VocabularyTransformer(min_df=1, max_len=3).fit(texts).transform(texts)
    np.testing.assert_array_equal(together.ids, apart.ids)
    np.testing.assert_array_equal(together.offsets, apart.offsets)


def test_transformer_pickles():
    vt = VocabularyTransformer(min_df=1).fit(["a b", "c"])
    again = pickle.loads(pickle.dumps(vt))
    np.testing.assert_array_equal(again.transform(["c a"]).ids, vt.transform(["c a"]).ids)


def test_ragged_take_selects_sequences():
    seqs = RaggedSequences.from_lists([[1, 2], [], [3, 4, 5], [6]])
    taken = seqs.take([2, 0, 1])
    assert [taken[i].tolist() for i in range(3)] == [[3, 4, 5], [1, 2], []]


@pytest.mark.parametrize(
    "X",
    [
        ["a", "b"],
        ("a", "b"),
        np.array(["a", "b"], dtype=object),
        pd.Series(["a", "b"], index=[7, 3]),
    ],
)
def test_check_texts_accepts_1d_collections(X):
    assert check_texts(X) == ["a", "b"]


def test_check_texts_accepts_a_one_column_dataframe_as_its_column():
    assert check_texts(pd.DataFrame({"review": ["a", "b"]})) == ["a", "b"]


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        ("one text", TypeError, "single str"),
        (np.array([["a", "b"]]), ValueError, r"shape \(1, 2\)"),
        (pd.DataFrame({"a": ["x"], "b": ["y"]}), ValueError, "2 columns"),
        ([], ValueError, "empty"),
        (iter([]), ValueError, "empty"),
        (["ok", None], ValueError, "position 1"),
        (["ok", "ok", float("nan")], ValueError, "position 2"),
        (["ok", 5], TypeError, "int 5 at position 1"),
        ([b"bytes"], TypeError, "Decode bytes"),
        ([["nested"]], TypeError, "list"),
        (42, TypeError, "int"),
    ],
)
def test_check_texts_rejects_bad_input_with_a_clear_message(X, error, message):
    with pytest.raises(error, match=message):
        check_texts(X)


def test_check_texts_names_the_index_label_of_a_series():
    with pytest.raises(ValueError, match="index label 'r2'"):
        check_texts(pd.Series(["a", None], index=["r1", "r2"]))


def test_ngrams_get_one_hashed_id_each_and_none_before_enough_tokens():
    vt = VocabularyTransformer(min_df=1, ngram_range=(1, 3), ngram_buckets=1000).fit(["x"])
    seqs = vt.transform(["not good at all", "quite not good", "good not"])
    first, second, reversed_pair = seqs[0], seqs[1], seqs[2]
    assert seqs.ids.shape == (9, 3)
    # Words keep their vocabulary ids (unknown here) in the first column.
    assert (seqs.ids[:, 0] == UNKNOWN_ID).all()
    # A bigram has no id at a text's first token, a trigram none at its first two.
    assert first[0, 1:].tolist() == [PAD_ID, PAD_ID] and first[1, 2] == PAD_ID
    assert second[0, 1] == PAD_ID
    # "not good" gets the same id wherever it occurs, and another than "good not".
    assert first[1, 1] == second[2, 1]
    assert reversed_pair[1, 1] != first[1, 1]
    assert ((seqs.ids[:, 1:] >= 0) & (seqs.ids[:, 1:] < 1000)).all()
    # The five distinct bigrams (one occurs twice) do not share a bucket.
    assert len(np.unique(seqs.ids[seqs.ids[:, 1] > 0, 1])) == 5


def test_ngram_ids_are_the_same_in_another_process():
    # Python's own str hash changes between processes; n-gram ids must not.
    code = (
        "from sklstm.text import VocabularyTransformer as V;"
        "print(V(min_df=1, ngram_range=(1, 2)).fit(['a']).transform(['not good']).ids.tolist())"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    vt = VocabularyTransformer(min_df=1, ngram_range=(1, 2)).fit(["a"])
    assert run.stdout.strip() == str(vt.transform(["not good"]).ids.tolist())


def test_inverse_transform_shows_words_of_ngram_sequences():
    vt = VocabularyTransformer(min_df=1, ngram_range=(1, 2)).fit(["a good film"])
    assert vt.inverse_transform(vt.transform(["a bad film", ""])) == [["a", "<unk>", "film"], []]


@pytest.mark.parametrize("ngram_range", [(2, 2), (0, 1), (1, 0), (1,), (1, 2.0)])
def test_bad_ngram_range_is_a_clear_error(ngram_range):
    with pytest.raises(ValueError, match=r"'ngram_range' parameter must be a tuple \(1, max_n\)"):
        VocabularyTransformer(ngram_range=ngram_range).fit(["a b"])


def test_linear_features_count_each_ngram_once_per_text_at_its_first_occurrence():
    vt = VocabularyTransformer(min_df=1, linear_ngram_range=(1, 2))
    seqs = vt.fit_transform(["good film good film", "bad film"])
    # Columns: the word, then the unigram and the bigram ending at each step.
    assert seqs.ids.shape == (6, 3)
    good_film = seqs[0]
    assert good_film[0, 1] != PAD_ID and good_film[0, 2] == PAD_ID  # no bigram yet
    assert good_film[1, 2] != PAD_ID  # "good film"
    # The second "good" is not counted again, but "film good" is new ...
    assert good_film[2, 1] == PAD_ID and good_film[2, 2] not in (PAD_ID, good_film[1, 2])
    # ... and the second "film" and "good film" are not.
    assert good_film[3, 1:].tolist() == [PAD_ID, PAD_ID]
    # "film" is counted again in the next text.
    assert seqs[1][1, 1] == good_film[1, 1]
    # good, film, good film, film good, bad, bad film, and the id 0.
    assert vt.n_linear_ids_ == 7


def test_linear_features_keep_ngrams_of_min_df_texts_and_ignore_unseen_ones():
    texts = ["not good at all", "not good", "good", "at all"]
    vt = VocabularyTransformer(min_df=2, linear_ngram_range=(1, 2)).fit(texts)
    # Kept: "not", "good", "at", "all", "not good", "at all".
    assert vt.n_linear_ids_ == 1 + 6
    seqs = vt.transform(["good not", "never seen"])
    # "good not" is not a feature; "never", "seen" and "never seen" are unseen.
    assert seqs[0][:, 2].tolist() == [PAD_ID, PAD_ID]
    assert (seqs[0][:, 1] != PAD_ID).all()
    assert (seqs[1][:, 1:] == PAD_ID).all()
    # Unlike the word vocabulary, max_features does not limit the linear features.
    capped = VocabularyTransformer(min_df=2, max_features=1, linear_ngram_range=(1, 2))
    assert capped.fit(texts).n_linear_ids_ == vt.n_linear_ids_


def test_linear_columns_follow_the_hashed_ngram_columns():
    vt = VocabularyTransformer(
        min_df=1, ngram_range=(1, 2), ngram_buckets=50, linear_ngram_range=(1, 3)
    ).fit(["a b c"])
    hashed_only = VocabularyTransformer(min_df=1, ngram_range=(1, 2), ngram_buckets=50)
    ids = vt.transform(["a b c"]).ids
    assert ids.shape == (3, 2 + 3)
    np.testing.assert_array_equal(ids[:, :2], hashed_only.fit(["a b c"]).transform(["a b c"]).ids)
    assert ids[2, 2:].tolist() == sorted(ids[2, 2:].tolist(), key=lambda i: i == PAD_ID)
    assert (ids[2, 2:] != PAD_ID).all()  # "c", "b c" and "a b c" end at the third step


def test_without_linear_features_there_are_none():
    vt = VocabularyTransformer(min_df=1).fit(["a b"])
    assert vt.n_linear_ids_ == 0
    assert vt.transform(["a b"]).ids.ndim == 1


def test_bad_linear_ngram_range_is_a_clear_error():
    with pytest.raises(ValueError, match=r"'linear_ngram_range' parameter must be a tuple"):
        VocabularyTransformer(linear_ngram_range=(2, 2)).fit(["a b"])


def test_linear_features_of_texts_without_tokens_are_empty():
    vt = VocabularyTransformer(min_df=1, linear_ngram_range=(1, 2)).fit(["a b"])
    seqs = vt.transform(["", " ", "a"])
    assert seqs.lengths.tolist() == [0, 0, 1]
    assert vt.transform([""]).ids.shape == (0, 3)


def random_texts(n, seed=0):
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(300)]
    return [" ".join(rng.choice(words, rng.integers(0, 60))) for _ in range(n)]


def test_partial_fit_over_blocks_learns_what_fit_learns_from_them_all():
    texts = random_texts(500)
    settings = dict(
        max_features=150, min_df=3, max_len=20, ngram_range=(1, 2), ngram_buckets=1000,
        linear_ngram_range=(1, 2),
    )  # fmt: skip
    whole = VocabularyTransformer(**settings).fit(texts)
    streamed = VocabularyTransformer(**settings)
    for start in range(0, 500, 70):
        streamed.partial_fit(texts[start : start + 70])
        # The counts go on through pickling, as between Dask workers.
        streamed = pickle.loads(pickle.dumps(streamed))
    assert streamed.vocabulary_ == whole.vocabulary_
    assert streamed.document_frequency_ == whole.document_frequency_
    assert streamed.n_linear_ids_ == whole.n_linear_ids_ > 1
    expected, got = whole.transform(texts), streamed.transform(texts)
    np.testing.assert_array_equal(got.ids, expected.ids)
    np.testing.assert_array_equal(got.offsets, expected.offsets)


def test_texts_numbered_in_blocks_give_the_ids_and_features_of_one_block(monkeypatch):
    texts = random_texts(500)
    settings = dict(
        min_df=3, max_len=20, ngram_range=(1, 3), ngram_buckets=1000, linear_ngram_range=(1, 2)
    )
    whole = VocabularyTransformer(**settings)
    expected = whole.fit_transform(texts)
    monkeypatch.setattr("sklstm.text.TEXTS_PER_BLOCK", 7)
    blocked = VocabularyTransformer(**settings)
    got = blocked.fit_transform(texts)
    np.testing.assert_array_equal(got.offsets, expected.offsets)
    np.testing.assert_array_equal(got.ids, expected.ids)
    # Blocks of 7 split the texts that share an n-gram: counted per block, fewer would reach
    # min_df.
    assert blocked.n_linear_ids_ == whole.n_linear_ids_ > 1
    np.testing.assert_array_equal(blocked._ngram_counts[1], whole._ngram_counts[1])
    np.testing.assert_array_equal(blocked.transform(texts[:9]).ids, whole.transform(texts[:9]).ids)


def test_a_word_of_a_later_block_joins_the_vocabulary_and_fit_starts_the_count_afresh():
    vt = VocabularyTransformer(min_df=2).partial_fit(["good film", "good plot"])
    assert "dull" not in vt.vocabulary_
    vt.partial_fit(["dull film", "dull plot"])
    assert vt.document_frequency_ == {"good": 2, "film": 2, "plot": 2, "dull": 2}
    vt.fit(["dull film", "dull plot"])
    assert vt.document_frequency_ == {"dull": 2}
    vt.partial_fit(["dull film"])  # goes on from fit's counts
    assert vt.document_frequency_ == {"dull": 3, "film": 2}
