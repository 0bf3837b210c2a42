"""Text to token ids: input checks, the default tokenizer and the vocabulary transformer."""

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

from .ragged import RaggedSequences

PAD_ID = 0
UNKNOWN_ID = 1
PAD_TOKEN = "<pad>"
UNKNOWN_TOKEN = "<unk>"

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
    frequency), and each text becomes a sequence of ids, truncated to ``max_len`` tokens.
    Id 0 is reserved for padding and id 1 for tokens not in the vocabulary.

    Parameters
    ----------
    max_features : int or None, default=20000
        Keep only the ``max_features`` tokens with the highest document frequency
        (ties broken alphabetically). None keeps every token that passes ``min_df``.
    min_df : int, default=2
        Ignore tokens that occur in fewer than ``min_df`` training texts.
    max_len : int or None, default=400
        Longest sequence produced, in tokens. None keeps whole texts.
    truncation : {"head_tail", "head", "tail"}, default="head_tail"
        Which tokens of a longer text to keep: half from the beginning and half from the
        end (reviews tend to state their verdict last), only the beginning, or only the end.
    lowercase : bool, default=True
        Lowercase texts before tokenising.
    tokenizer : callable or None, default=None
        A function from a string to a list of token strings. None uses
        :func:`sklstm.text.tokenize`.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Token to id. Ids start at 2, most frequent token first.
    document_frequency_ : dict of str to int
        Number of training texts containing each token kept in the vocabulary.

    Examples
    --------
    >>> from sklstm import VocabularyTransformer
    >>> vt = VocabularyTransformer(min_df=1).fit(["a good film", "a bad film!"])
    >>> seqs = vt.transform(["a good plot!"])
    >>> vt.inverse_transform(seqs)
    [['a', 'good', '<unk>', '!']]
    """

    _parameter_constraints = {
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "max_len": [Interval(Integral, 1, None, closed="left"), None],
        "truncation": [StrOptions({"head_tail", "head", "tail"})],
        "lowercase": ["boolean"],
        "tokenizer": [callable, None],
    }

    def __init__(
        self,
        max_features=20000,
        min_df=2,
        max_len=400,
        truncation="head_tail",
        lowercase=True,
        tokenizer=None,
    ):
        self.max_features = max_features
        self.min_df = min_df
        self.max_len = max_len
        self.truncation = truncation
        self.lowercase = lowercase
        self.tokenizer = tokenizer

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
        self._fit_tokens(self._tokenize(check_texts(X)))
        return self

    def fit_transform(self, X, y=None):
        """Learn the vocabulary and return ``X`` as id sequences, tokenising only once."""
        self._validate_params()
        tokens = self._tokenize(check_texts(X))
        self._fit_tokens(tokens)
        return self._to_ids(tokens)

    def _fit_tokens(self, tokens):
        document_frequency = Counter(chain.from_iterable(set(doc) for doc in tokens))
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
            One id sequence per text, at most ``max_len`` long.
        """
        check_is_fitted(self)
        return self._to_ids(self._tokenize(check_texts(X)))

    def _to_ids(self, tokens):
        truncated = [self._truncate(doc) for doc in tokens]
        lengths = np.fromiter((len(doc) for doc in truncated), dtype=np.int64, count=len(truncated))
        lookup = self.vocabulary_.get
        ids = np.fromiter(
            (lookup(tok, UNKNOWN_ID) for tok in chain.from_iterable(truncated)),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        return RaggedSequences(ids, np.concatenate([[0], np.cumsum(lengths)]))

    def _truncate(self, doc):
        if self.max_len is None or len(doc) <= self.max_len:
            return doc
        if self.truncation == "head":
            return doc[: self.max_len]
        if self.truncation == "tail":
            return doc[-self.max_len :]
        n_tail = self.max_len // 2
        return doc[: self.max_len - n_tail] + doc[len(doc) - n_tail :]

    def inverse_transform(self, X):
        """Map id sequences back to token lists (unknown words become ``"<unk>"``)."""
        check_is_fitted(self)
        id_to_token = np.array([PAD_TOKEN, UNKNOWN_TOKEN, *self.vocabulary_], dtype=object)
        return [id_to_token[seq].tolist() for seq in _as_ragged(X)]

    @property
    def n_ids_(self):
        """Number of distinct ids, padding and unknown included (the embedding table size)."""
        check_is_fitted(self)
        return len(self.vocabulary_) + 2

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


def _as_ragged(X):
    return X if isinstance(X, RaggedSequences) else RaggedSequences.from_lists(X)
