"""Pretrained word vectors: read the rows a vocabulary needs from a mapping, gensim or a file."""

import gzip
import os
from pathlib import Path

import numpy as np


def check_word_vectors(source):
    """Fail early on a ``pretrained_embeddings`` path that does not exist."""
    if isinstance(source, str) and source == "word2vec":
        return
    if isinstance(source, str | os.PathLike) and not Path(source).is_file():
        raise ValueError(
            f"pretrained_embeddings={str(source)!r} is not a file. Pass the path of a GloVe or "
            f"word2vec text file (optionally .gz), a dict of word to vector, or gensim "
            f"KeyedVectors."
        )


def train_word_vectors(token_lists, vocabulary, dim, seed):
    """Word2vec (CBOW, gensim) vectors of the vocabulary, learned from ``token_lists``.

    Only the vocabulary's words get vectors; other tokens are dropped from the texts before
    training, as word2vec drops its rare words. One worker thread, so the vectors depend on
    ``seed`` alone.

    Parameters
    ----------
    token_lists : list of list of str
        The training texts, tokenised.
    vocabulary : dict of str to int
        Word to embedding row.
    dim : int
        Size of the vectors.
    seed : int
        Seed of word2vec's initialisation and sampling.

    Returns
    -------
    vectors : gensim KeyedVectors
        One vector per vocabulary word that occurs in ``token_lists``.

    Examples
    --------
    >>> texts = [["a", "good", "film"], ["a", "bad", "film"]] * 50
    >>> vectors = train_word_vectors(texts, {"good": 2, "bad": 3, "film": 4}, 8, seed=0)
    >>> sorted(vectors.key_to_index), vectors["good"].shape
    (['bad', 'film', 'good'], (8,))
    """
    # Imported when needed: gensim takes most of a second to import.
    from gensim.models import KeyedVectors, Word2Vec
    from gensim.utils import RULE_DISCARD, RULE_KEEP

    if not any(word in vocabulary for tokens in token_lists for word in tokens):
        return KeyedVectors(dim)  # nothing to learn from: every word starts random

    def keep_vocabulary(word, count, min_count):
        return RULE_KEEP if word in vocabulary else RULE_DISCARD

    model = Word2Vec(
        token_lists,
        vector_size=dim,
        sg=0,  # CBOW: as accurate here as skip-gram in a third of the time
        min_count=1,
        trim_rule=keep_vocabulary,
        workers=1,
        seed=seed,
    )
    return model.wv


def lookup_word_vectors(source, vocabulary, dim):
    """The pretrained vector of every vocabulary word that ``source`` has.

    Parameters
    ----------
    source : mapping, gensim KeyedVectors, str or path-like
        A mapping of word to vector, gensim ``KeyedVectors``, or a GloVe / word2vec text
        file: one word and its numbers per line (word2vec's first line, two integers, is
        skipped). A file is read line by line and only the vocabulary's rows are kept, so a
        large file costs little memory.
    vocabulary : dict of str to int
        Word to embedding row.
    dim : int
        The embedding size the vectors must have.

    Returns
    -------
    rows : ndarray of shape (n_found,)
        Embedding rows of the words found.
    vectors : ndarray of shape (n_found, dim), float32
        Their vectors.

    Raises
    ------
    ValueError
        If a vector does not have ``dim`` numbers.

    Examples
    --------
    >>> rows, vectors = lookup_word_vectors({"good": [1.0, 2.0]}, {"good": 2, "bad": 3}, 2)
    >>> rows.tolist(), vectors.tolist()
    ([2], [[1.0, 2.0]])
    """
    if isinstance(source, str | os.PathLike):
        found = _read_vector_file(Path(source), vocabulary)
    else:
        # gensim's KeyedVectors support `in` and [] like a mapping.
        found = {word: source[word] for word in vocabulary if word in source}
    rows = np.array([vocabulary[word] for word in found], dtype=np.int64)
    vectors = np.zeros((len(found), dim), dtype=np.float32)
    for i, (word, vector) in enumerate(found.items()):
        vector = np.asarray(vector, dtype=np.float32).ravel()
        if len(vector) != dim:
            raise ValueError(
                f"The pretrained vector of {word!r} has {len(vector)} numbers but "
                f"embedding_dim={dim}; set embedding_dim={len(vector)} to use these vectors."
            )
        vectors[i] = vector
    return rows, vectors


def _read_vector_file(path, vocabulary):
    opener = gzip.open if path.suffix == ".gz" else open
    found = {}
    with opener(path, "rt", encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines):
            word, _, numbers = line.rstrip().partition(" ")
            if number == 0 and _is_word2vec_header(line):
                continue
            if word in vocabulary and word not in found:
                try:
                    found[word] = np.array(numbers.split(), dtype=np.float32)
                except ValueError:
                    raise ValueError(
                        f"Line {number + 1} of {path} is not a word followed by numbers: "
                        f"{line[:60]!r}. Expected a GloVe or word2vec text file."
                    ) from None
    return found


def _is_word2vec_header(line):
    fields = line.split()
    return len(fields) == 2 and all(field.isdigit() for field in fields)
