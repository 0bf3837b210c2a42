"""Text to token ids: input checks, the default tokenizer and the vocabulary transformer."""

import copy
import math
import re
from collections import Counter
from collections.abc import Iterable
from itertools import chain
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .ngrams import add_counts, linear_features, ngram_keys, numbered
from .ragged import RaggedSequences

PAD_ID = 0
UNKNOWN_ID = 1
PAD_TOKEN = "<pad>"
UNKNOWN_TOKEN = "<unk>"

# Texts are numbered and their n-grams found this many at a time: the n-gram arrays of all
# IMDB's 25,000 training reviews at once took 1.2 GiB (benchmarks/memory.py).
TEXTS_PER_BLOCK = 2048

_LINE_BREAK = re.compile(r"<br\s*/?>", flags=re.IGNORECASE)
# Words and numbers (any script), apostrophes inside words ("don't"), and the two punctuation
# marks that carry sentiment on their own.
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[!?]")


def tokenize(text):
    """Split a text into tokens: words, numbers, inner apostrophes, ``!`` and ``?``.

    HTML line breaks such as ``<br />`` (frequent in IMDB reviews) become spaces.

    Examples
    --------
    >>> tokenize("Don't miss it!<br /><br />10/10")
    ["Don't", 'miss', 'it', '!', '10', '10']
    """
    return _TOKEN.findall(_LINE_BREAK.sub(" ", text))


def check_texts(X, name="X"):
    """Validate a 1-D collection of strings and return it as a list, without copying texts.

    Accepts a list, tuple, 1-D numpy array, pandas Series (any index), a one-column
    DataFrame, or any other iterable of ``str``.

    Raises
    ------
    TypeError
        If ``X`` is a single string or not iterable, or an entry is not a string.
    ValueError
        If ``X`` is 2-D or empty, or an entry is missing (None or NaN).
    """
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise ValueError(
                f"{name} is a DataFrame with {X.shape[1]} columns {list(X.columns)}; expected one "
                f"column of texts. Pass the text column, e.g. df['text']."
            )
        X = X.iloc[:, 0]
    if isinstance(X, str | bytes):
        raise TypeError(
            f"{name} must be a collection of texts, got a single {type(X).__name__}; "
            f"wrap it in a list: [text]."
        )
    if isinstance(X, np.ndarray) and X.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one text per entry), got an array of shape {X.shape}. "
            f"Pass a single column of texts, e.g. X[:, 0] or X.ravel()."
        )
    if not isinstance(X, Iterable):
        raise TypeError(f"{name} must be a collection of texts, got {type(X).__name__}.")
    index = X.index if isinstance(X, pd.Series) else None
    texts = list(X)
    if not texts and iter(X) is X:
        raise ValueError(
            f"{name} is an iterator that yielded no texts: it is empty or was already "
            f"consumed (exhausted), e.g. by an earlier call. Pass a list of texts instead."
        )
    if not texts:
        raise ValueError(f"{name} is empty; at least one text is needed.")
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            _raise_bad_entry(name, position, text, index)
    return texts


def _raise_bad_entry(name, position, value, index):
    where = f"position {position}" + (
        f" (index label {index[position]!r})" if index is not None else ""
    )
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise ValueError(
            f"{name} has a missing value ({value!r}) at {where}; every entry must be a string. "
            f"Drop missing rows or fill them, e.g. X.fillna('')."
        )
    hint = " Decode bytes first, e.g. b.decode('utf-8')." if isinstance(value, bytes) else ""
    raise TypeError(
        f"{name} must contain only strings; found {type(value).__name__} {value!r:.50} at {where}."
        + hint
    )


class VocabularyTransformer(TransformerMixin, BaseEstimator):
    """Turn raw texts into sequences of integer token ids.

    Texts are tokenised, the vocabulary is learned from the training texts (by document
    frequency), and each text becomes a sequence of ids, truncated to ``max_len`` tokens
    (with a linear path, the tokens truncation leaves out follow them, for that path alone).
    Id 0 is reserved for padding and id 1 for tokens not in the vocabulary.

    Parameters
    ----------
    max_features : int or None, default=20000
        Keep only the ``max_features`` tokens with the highest document frequency
        (ties broken alphabetically). None keeps every token that passes ``min_df``.
    min_df : int, default=2
        Ignore tokens that occur in fewer than ``min_df`` training texts.
    max_len : int or None, default=400
        Tokens of a text kept for the network's recurrent layers. None keeps whole texts.
    truncation : {"head_tail", "head", "tail"}, default="head_tail"
        Which tokens of a longer text to keep: half from the beginning and half from the
        end (reviews tend to state their verdict last), only the beginning, or only the end.
    lowercase : bool, default=True
        Lowercase texts before tokenising.
    tokenizer : callable or None, default=None
        A function from a string to a list of token strings. None uses
        :func:`sklstm.text.tokenize`.
    ngram_range : tuple (1, max_n), default=(1, 1)
        With ``max_n > 1``, every step also carries the ids of the n-grams (n = 2 .. max_n)
        ending at it, hashed into ``ngram_buckets`` rows, so that "not good" gets an id of its
        own. Id 0 means no n-gram (the first tokens of a text). n-grams are formed from the
        whole text's token strings, so unknown words still make distinct n-grams and
        truncation joins no two tokens that were apart.
    ngram_buckets : int, default=262144
        Number of hashed n-gram ids, 0 (no n-gram) included. Used when ``max_n > 1``.
    linear_ngram_range : tuple (1, max_n) or None, default=None
        Also give every step the ids of the n-grams (n = 1 .. max_n) ending there among the
        features of a linear model: the n-grams found in at least ``min_df`` training texts
        (exact, not hashed, and not limited by ``max_features``). Each n-gram counts once per
        text, at its first occurrence; other steps get id 0. These columns follow the word
        and ``ngram_range`` columns. A text longer than ``max_len`` then keeps all its
        tokens: its first ``max_len`` steps are those truncation keeps, the tokens it leaves
        out follow, so that the linear model counts the whole text while the recurrent
        layers read ``max_len`` steps (see :class:`~sklstm.network.LSTMTextNetwork`).

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Token to id. Ids start at 2, most frequent token first.
    document_frequency_ : dict of str to int
        Number of training texts containing each token kept in the vocabulary.
    n_linear_ids_ : int
        Number of linear feature ids, 0 (none) included; 0 without ``linear_ngram_range``.

    Examples
    --------
    >>> from sklstm import VocabularyTransformer
    >>> vt = VocabularyTransformer(min_df=1).fit(["a good film", "a bad film!"])
    >>> seqs = vt.transform(["a good plot!"])
    >>> vt.inverse_transform(seqs)
    [['a', 'good', '<unk>', '!']]

    With bigrams, each step holds its word id and the id of the bigram ending there:

    >>> bigrams = VocabularyTransformer(min_df=1, ngram_range=(1, 2)).fit(["a good film"])
    >>> bigrams.transform(["a good film"]).ids.shape
    (3, 2)
    """

    _parameter_constraints = {
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "max_len": [Interval(Integral, 1, None, closed="left"), None],
        "truncation": [StrOptions({"head_tail", "head", "tail"})],
        "lowercase": ["boolean"],
        "tokenizer": [callable, None],
        "ngram_range": [tuple],
        "ngram_buckets": [Interval(Integral, 2, None, closed="left")],
        "linear_ngram_range": [tuple, None],
    }

    def __init__(
        self,
        max_features=20000,
        min_df=2,
        max_len=400,
        truncation="head_tail",
        lowercase=True,
        tokenizer=None,
        ngram_range=(1, 1),
        ngram_buckets=2**18,
        linear_ngram_range=None,
    ):
        self.max_features = max_features
        self.min_df = min_df
        self.max_len = max_len
        self.truncation = truncation
        self.lowercase = lowercase
        self.tokenizer = tokenizer
        self.ngram_range = ngram_range
        self.ngram_buckets = ngram_buckets
        self.linear_ngram_range = linear_ngram_range

    def _tokenize(self, texts):
        tokenizer = tokenize if self.tokenizer is None else self.tokenizer
        if self.lowercase:
            return [tokenizer(text.lower()) for text in texts]
        return [tokenizer(text) for text in texts]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the vocabulary from the texts ``X``.

        Parameters
        ----------
        X : list, tuple, ndarray or pandas Series of str
            Training texts.
        y : None
            Ignored.

        Returns
        -------
        self : VocabularyTransformer
        """
        self._fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        """Learn the vocabulary and return ``X`` as id sequences, tokenising only once."""
        self._validate_params()
        return self._fit_transform(X)

    def _fit_transform(self, X):
        self._check_ngram_ranges()
        tokens = self._tokenize(check_texts(X))
        self._word_counts = Counter(chain.from_iterable(set(doc) for doc in tokens))
        self._fit_vocabulary(self._word_counts)
        return self._to_ids(tokens, fit_linear=True)

    def partial_fit(self, X, y=None):
        """Count the texts ``X`` too, and learn the vocabulary from all the texts counted.

        For texts that come in blocks, more than memory holds at once (one call per block,
        as dask-ml's ``Incremental`` makes): each call adds the document frequencies of its
        texts to those of the earlier calls (and of ``fit``), and the vocabulary and the
        linear path's n-grams become what ``fit`` would learn from all those texts together.
        The transformer keeps, and pickles, the count of every token and n-gram seen, for
        the next call. Pass the result to :class:`~sklstm.LSTMSentimentClassifier` as its
        ``vocabulary``.

        Parameters
        ----------
        X : list, tuple, ndarray or pandas Series of str
            A block of texts.
        y : None
            Ignored.

        Returns
        -------
        self : VocabularyTransformer
        """
        self._validate_params()
        self._check_ngram_ranges()
        tokens = self._tokenize(check_texts(X))
        if not hasattr(self, "_word_counts"):
            self._word_counts, self._ngram_counts = Counter(), None
        self._word_counts.update(chain.from_iterable(set(doc) for doc in tokens))
        self._linear_keys = None
        if self.linear_ngram_range is not None:
            self._count_ngrams(tokens)
        self._fit_vocabulary(self._word_counts)
        return self

    def _count_ngrams(self, tokens):
        """Add the linear n-grams of the tokenised texts to the counts, block by block;
        learn the linear features from all the counts."""
        for block in _blocks(tokens):
            lengths, offsets, codes, index = numbered(block)
            keys = ngram_keys(codes, index, offsets, lengths, self.linear_ngram_range[1])
            text_of = np.repeat(np.arange(len(lengths)), lengths)
            *_, counts = linear_features(keys, text_of, None, self.min_df)
            self._ngram_counts = add_counts(self._ngram_counts, counts)
        keys, document_frequency = self._ngram_counts
        self._linear_keys = keys[document_frequency >= self.min_df]

    def _check_ngram_ranges(self):
        check_ngram_range(self.ngram_range)
        if self.linear_ngram_range is not None:
            check_ngram_range(self.linear_ngram_range, "linear_ngram_range")

    def _fit_vocabulary(self, document_frequency):
        kept = [(-df, tok) for tok, df in document_frequency.items() if df >= self.min_df]
        if not kept:
            raise ValueError(
                f"No token occurs in at least min_df={self.min_df} texts, so the vocabulary "
                f"would be empty. Lower min_df or pass more texts."
            )
        kept.sort()
        kept = kept[: self.max_features]
        first_id = UNKNOWN_ID + 1
        self.vocabulary_ = {tok: first_id + i for i, (_, tok) in enumerate(kept)}
        self.document_frequency_ = {tok: -neg_df for neg_df, tok in kept}

    def transform(self, X):
        """Map texts to sequences of token ids.

        Parameters
        ----------
        X : list, tuple, ndarray or pandas Series of str
            Texts. Empty texts and texts of unknown words are allowed.

        Returns
        -------
        sequences : RaggedSequences
            One id sequence per text, at most ``max_len`` long (unless a linear path adds
            the steps truncation leaves out); with n-grams, each step has ``max_n`` ids:
            the word's, then those of the n-grams ending there (n = 2 ..).
        """
        check_is_fitted(self)
        return self._to_ids(self._tokenize(check_texts(X)))

    def analyze(self, X):
        """The tokens of each text, in the order of the steps :meth:`transform` gives them.

        Words outside the vocabulary are kept as they are (``transform`` maps them to the
        unknown id), so the tokens line up with the ids one to one: first those kept by
        truncation, then, with a linear path, those it leaves out.

        Examples
        --------
        >>> VocabularyTransformer(max_len=3, min_df=1).fit(["a"]).analyze(["A b c d e"])
        [['a', 'b', 'e']]
        """
        check_is_fitted(self)
        tokens = self._tokenize(check_texts(X))
        origins = self._origins(tokens)
        return [[doc[i] for i in where] for doc, where in zip(tokens, origins, strict=True)]

    def _origins(self, tokens):
        """Where each step of each tokenised text comes from: a list of position arrays."""
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        positions, steps = self._step_positions(lengths)
        return np.split(positions, np.cumsum(steps)[:-1]) if len(tokens) else []

    def _to_ids(self, tokens, fit_linear=False):
        if fit_linear:
            self._ngram_counts = self._linear_keys = None
            if self.linear_ngram_range is not None:
                self._count_ngrams(tokens)
        return RaggedSequences.joined([self._block_ids(block) for block in _blocks(tokens)])

    def _block_ids(self, tokens):
        lengths, offsets, codes, index = numbered(tokens)
        lookup = self.vocabulary_.get
        columns = [np.fromiter((lookup(t, UNKNOWN_ID) for t in codes), np.int64, len(codes))[index]]
        linear_n = 0 if self.linear_ngram_range is None else self.linear_ngram_range[1]
        max_n = max(self.ngram_range[1], linear_n)
        if max_n > 1 or linear_n:
            # From the whole text, so that truncation makes no n-gram across the gap.
            keys = ngram_keys(codes, index, offsets, lengths, max_n)
            for n in range(2, self.ngram_range[1] + 1):
                hashed, valid = keys[n - 1]
                buckets = 1 + (hashed >> np.uint64(16)) % np.uint64(self.ngram_buckets - 1)
                columns.append(np.where(valid, buckets.astype(np.int64), PAD_ID))
        if linear_n:
            text_of = np.repeat(np.arange(len(lengths)), lengths)
            known = self._linear_keys
            _, features, _ = linear_features(keys[:linear_n], text_of, known, self.min_df)
            columns.extend(features.T)
        ids = np.column_stack(columns) if len(columns) > 1 else columns[0]
        positions, steps = self._step_positions(lengths)
        rows = np.repeat(offsets[:-1], steps) + positions
        return RaggedSequences(ids[rows], np.concatenate([[0], np.cumsum(steps)]))

    def _step_positions(self, lengths):
        """Each step's position in its text, step by step, and the number of steps per text.

        A text's first ``min(length, max_len)`` steps are the tokens truncation keeps, in
        text order: what the LSTM reads. With a linear path, the tokens it leaves out follow,
        in text order, so that the linear path counts the whole text.
        """
        position = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        if self.max_len is None or not len(lengths) or lengths.max() <= self.max_len:
            return position, lengths
        kept = self._kept(position, np.repeat(lengths, lengths))
        if self.linear_ngram_range is None:
            return position[kept], np.minimum(lengths, self.max_len)
        text_of = np.repeat(np.arange(len(lengths)), lengths)
        # A stable sort on (text, left out) keeps text order within each part.
        return position[np.argsort(2 * text_of + ~kept, kind="stable")], lengths

    def _kept(self, position, length):
        """Which tokens truncation keeps, from their positions and their texts' lengths."""
        if self.truncation == "head":
            return position < self.max_len
        if self.truncation == "tail":
            return position >= length - self.max_len
        n_tail = self.max_len // 2
        return (position < self.max_len - n_tail) | (position >= length - n_tail)

    def inverse_transform(self, X):
        """Map id sequences back to token lists (unknown words become ``"<unk>"``)."""
        check_is_fitted(self)
        id_to_token = np.array([PAD_TOKEN, UNKNOWN_TOKEN, *self.vocabulary_], dtype=object)
        # With n-grams the word id is the first of each step's ids.
        return [id_to_token[seq if seq.ndim == 1 else seq[:, 0]].tolist() for seq in _as_ragged(X)]

    @property
    def n_ids_(self):
        """Number of distinct ids, padding and unknown included (the embedding table size)."""
        check_is_fitted(self)
        return len(self.vocabulary_) + 2

    @property
    def n_linear_ids_(self):
        """Number of linear feature ids, 0 (none) included; 0 without ``linear_ngram_range``."""
        check_is_fitted(self)
        return 0 if self._linear_keys is None else len(self._linear_keys) + 1

    def set_output(self, *, transform=None):
        """Accept only the default output: ragged id sequences have no columns.

        scikit-learn's ``set_output`` turns a transformer's 2-D array into a DataFrame with
        one column per feature. This transformer returns one sequence of a different length
        per text (a :class:`RaggedSequences`), so there is no column to name and no
        ``get_feature_names_out``: ``transform="pandas"`` or ``"polars"`` is an error, and
        ``"default"`` or None leaves the output as it is.

        Parameters
        ----------
        transform : {"default"} or None, default=None

        Returns
        -------
        self : VocabularyTransformer
        """
        if transform not in (None, "default"):
            raise ValueError(
                f"VocabularyTransformer cannot set_output(transform={transform!r}): it returns "
                f"one id sequence per text, of different lengths (a RaggedSequences), which "
                f"has no columns for a DataFrame. Leave its output as it is (the default); "
                f"LSTMSentimentClassifier takes raw texts and needs no separate transformer."
            )
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        tags.transformer_tags.preserves_dtype = []  # integer ids, whatever comes in
        return tags


def without_counts(vectorizer):
    """A copy of a fitted VocabularyTransformer that transforms as it does but cannot count
    on: the copy a model keeps, which would otherwise carry the count of every token and
    n-gram seen."""
    kept = copy.copy(vectorizer)
    for counts in ("_word_counts", "_ngram_counts"):
        kept.__dict__.pop(counts, None)
    return kept


def check_ngram_range(ngram_range, name="ngram_range"):
    """Raise ValueError unless ``ngram_range`` is ``(1, max_n)`` with an integer ``max_n >= 1``."""
    valid = (
        len(ngram_range) == 2
        and all(isinstance(n, Integral) for n in ngram_range)
        and ngram_range[0] == 1
        and ngram_range[1] >= 1
    )
    if not valid:
        raise ValueError(
            f"The {name!r} parameter must be a tuple (1, max_n) with an integer max_n >= 1, "
            f"e.g. (1, 2) for words and bigrams; got {ngram_range!r}. Words are always an "
            f"input, so the range starts at 1."
        )


def _blocks(tokens):
    """The tokenised texts in blocks of ``TEXTS_PER_BLOCK``; one empty block for no text."""
    for start in range(0, max(len(tokens), 1), TEXTS_PER_BLOCK):
        yield tokens[start : start + TEXTS_PER_BLOCK]


def _as_ragged(X):
    return X if isinstance(X, RaggedSequences) else RaggedSequences.from_lists(X)
