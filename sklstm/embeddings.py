"""Word vectors to start the embedding from: learned from the training texts, or read from
a mapping, gensim or a file."""

import gzip
import os
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.utils.extmath import randomized_svd

from .text import UNKNOWN_ID

# Vectors learned from the training texts themselves; "auto" picks one of them.
LEARNED_VECTORS = ("ppmi", "word2vec")
# Words count as co-occurring within this many tokens of each other.
PPMI_WINDOW = 5
# Mean norm given to the PPMI vectors: about that of word2vec's on the IMDB training texts
# (2.59), a start the network trains well from.
PPMI_VECTOR_NORM = 2.5
# Below this many training tokens "auto" learns PPMI vectors, from it on word2vec's: on IMDB
# samples PPMI's gave the better classifier at 1.05 million tokens, word2vec's at 2.07 million
# (benchmarks/word_vectors.py).
AUTO_WORD2VEC_TOKENS = 1_500_000


def starting_vectors(source, sequences, vectorizer, dim, rng):
    """Embedding rows and their starting vectors, as ``pretrained_embeddings`` asks.

    Parameters
    ----------
    source : {"ppmi", "word2vec"}, dict, gensim KeyedVectors, str or path
        The estimator's ``pretrained_embeddings``, "auto" resolved.
    sequences : RaggedSequences
        The training texts as ids (the vectors learned from them use the word column).
    vectorizer : VocabularyTransformer
        The fitted vocabulary.
    dim : int
        Size of the vectors.
    rng : numpy.random.Generator
        Draws the seed of the learned vectors.

    Returns
    -------
    rows : ndarray of shape (n_found,)
    vectors : ndarray of shape (n_found, dim), float32
    """
    vocabulary = vectorizer.vocabulary_
    if not (isinstance(source, str) and source in LEARNED_VECTORS):
        return lookup_word_vectors(source, vocabulary, dim)
    seed = int(rng.integers(2**31 - 1))
    if source == "ppmi":
        return ppmi_word_vectors(sequences, vectorizer.n_ids_, dim, seed)
    word2vec = train_word_vectors(_known_words(sequences, vectorizer), vocabulary, dim, seed)
    return lookup_word_vectors(word2vec, vocabulary, dim)


def _known_words(sequences, vectorizer):
    """The texts as lists of their vocabulary words, read back from the ids.

    Word2vec ignores words outside its vocabulary, so these train the same vectors as the
    texts' full token lists, without tokenising the texts again.
    """
    ids = sequences.ids if sequences.ids.ndim == 1 else sequences.ids[:, 0]
    known = ids > UNKNOWN_ID
    words = np.array([None, None, *vectorizer.vocabulary_], dtype=object)[ids[known]]
    text_of = np.repeat(np.arange(len(sequences)), sequences.lengths)[known]
    ends = np.searchsorted(text_of, np.arange(1, len(sequences)))
    return [part.tolist() for part in np.split(words, ends)]


def check_word_vectors(source):
    """Fail early on a ``pretrained_embeddings`` path that does not exist."""
    if isinstance(source, str) and source in (*LEARNED_VECTORS, "auto"):
        return
    if isinstance(source, str | os.PathLike) and not Path(source).is_file():
        raise ValueError(
            f"pretrained_embeddings={str(source)!r} is not a file. Pass the path of a GloVe or "
            f"word2vec text file (optionally .gz), a dict of word to vector, or gensim "
            f"KeyedVectors."
        )


def learned_vectors_method(n_tokens):
    """The method ``pretrained_embeddings="auto"`` uses for ``n_tokens`` training tokens.

    Word2vec's vectors need many occurrences of each word; on fewer tokens the co-occurrence
    counts of PPMI give the better start (``AUTO_WORD2VEC_TOKENS``).

    Examples
    --------
    >>> learned_vectors_method(200_000), learned_vectors_method(5_000_000)
    ('ppmi', 'word2vec')
    """
    return "word2vec" if n_tokens >= AUTO_WORD2VEC_TOKENS else "ppmi"


def ppmi_word_vectors(sequences, n_ids, dim, seed):
    """Word vectors from the co-occurrences of words in the training texts (PPMI and SVD).

    Counts the pairs of vocabulary words that occur within ``PPMI_WINDOW`` tokens of each
    other, weights the counts by positive pointwise mutual information with the context
    distribution smoothed to the power 0.75, and gives each word its row of the top ``dim``
    left singular vectors scaled by the square roots of the singular values (the settings of
    Levy, Goldberg & Dagan 2015, "Improving distributional similarity with lessons learned
    from word embeddings", TACL). On small corpora such as MR's 10,000 sentences this gives
    meaningful vectors where word2vec's collapse to nearly one direction. The vectors are
    scaled to a mean norm of ``PPMI_VECTOR_NORM``.

    Parameters
    ----------
    sequences : RaggedSequences
        The training texts as token ids; with n-gram columns, the first (the words) is used.
    n_ids : int
        Number of embedding rows (ids 0 and 1, padding and unknown words, get no vector).
    dim : int
        Size of the vectors.
    seed : int
        Seed of the randomized SVD.

    Returns
    -------
    rows : ndarray of shape (n_found,)
        Embedding rows of the words that have a neighbour within the window.
    vectors : ndarray of shape (n_found, dim), float32
        Their vectors.

    Examples
    --------
    >>> from sklstm.ragged import RaggedSequences
    >>> texts = RaggedSequences.from_lists([[2, 4, 5], [3, 4, 5], [6]] * 20)
    >>> rows, vectors = ppmi_word_vectors(texts, n_ids=7, dim=3, seed=0)
    >>> rows.tolist(), vectors.shape
    ([2, 3, 4, 5], (4, 3))
    """
    ids = sequences.ids if sequences.ids.ndim == 1 else sequences.ids[:, 0]
    counts = _cooccurrence_counts(ids, sequences.lengths, n_ids)
    word_totals = np.asarray(counts.sum(axis=1)).ravel()
    rows = np.flatnonzero(word_totals)
    vectors = np.zeros((len(rows), dim), dtype=np.float32)
    if len(rows) == 0:
        return rows, vectors
    context_share = word_totals**0.75 / (word_totals**0.75).sum()
    counts = counts.tocoo()
    # log P(w, c) / (P(w) P(c)) = log n(w, c) / (n(w) P(c)), with P(c) smoothed
    pmi = np.log(counts.data / (word_totals[counts.row] * context_share[counts.col]))
    positive = pmi > 0
    ppmi = sparse.csr_matrix(
        (pmi[positive], (counts.row[positive], counts.col[positive])), shape=counts.shape
    )
    n_components = min(dim, len(rows))
    left, values, _ = randomized_svd(ppmi[rows][:, rows], n_components, random_state=seed)
    vectors[:, :n_components] = left * np.sqrt(values)
    norms = np.linalg.norm(vectors, axis=1)
    vectors *= PPMI_VECTOR_NORM / max(norms.mean(), 1e-12)
    return rows, vectors


def _cooccurrence_counts(ids, lengths, n_ids):
    """Symmetric (n_ids, n_ids) counts of word pairs at most ``PPMI_WINDOW`` apart in a text."""
    text_of = np.repeat(np.arange(len(lengths)), lengths)
    left, right = [], []
    for distance in range(1, PPMI_WINDOW + 1):
        pair = text_of[distance:] == text_of[:-distance]
        pair &= (ids[distance:] > UNKNOWN_ID) & (ids[:-distance] > UNKNOWN_ID)
        left.append(ids[:-distance][pair])
        right.append(ids[distance:][pair])
    left, right = np.concatenate(left), np.concatenate(right)
    ones = np.ones(len(left), dtype=np.float64)
    counts = sparse.coo_matrix((ones, (left, right)), shape=(n_ids, n_ids)).tocsr()
    return counts + counts.T


def train_word_vectors(token_lists, vocabulary, dim, seed):
    """Word2vec (CBOW, gensim) vectors of the vocabulary, learned from ``token_lists``.

    Only the vocabulary's words get vectors; other tokens are dropped from the texts before
    training, as word2vec drops its rare words. One worker thread, so the vectors depend on
    ``seed`` alone.

    Parameters
    ----------
    token_lists : iterable of list of str
        The training texts, tokenised: a list, or an iterable that can be read several times
        (word2vec reads it to count and then once per pass), such as an object whose
        ``__iter__`` reads the texts block by block (see the user guide's "Scaling out").
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
