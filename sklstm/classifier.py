"""LSTMSentimentClassifier: raw text in, the user's labels out, as a scikit-learn estimator."""

import itertools
import os
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import expit, softmax
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .checks import (
    check_known_labels,
    check_partial_fit_params,
    check_structure_unchanged,
    is_plain,
)
from .device import move_if_elsewhere, prediction_device, resolve_device
from .embeddings import check_word_vectors
from .explain import explain_texts
from .fitting import FittingSteps
from .labels import check_training_data, labelled_part
from .network import POOLINGS
from .persistence import portable_state, restore_state
from .text import VocabularyTransformer, check_texts
from .training import predict_logits

# Every pooling and every concatenation of them, in one canonical order.
POOLING_OPTIONS = {
    "+".join(kinds)
    for n in range(1, len(POOLINGS) + 1)
    for kinds in itertools.combinations(POOLINGS, n)
}

# Texts are turned into ids this many at a time when predicting, so memory stays bounded
# however many texts are passed. 8192 IMDB reviews made about 100 MiB of token lists and
# left Python's small-object arenas more fragmented after every chunk; 1024 (16 prediction
# batches) keeps a chunk small while still sorting enough texts by length to pad little.
PREDICT_CHUNK_SIZE = 1024


# Parameters holding objects that the estimator only reads, shared by its clones.
SHARED_PARAMS = ("pretrained_embeddings", "vocabulary")


class LSTMSentimentClassifier(ClassifierMixin, FittingSteps):
    """Text classifier: Embedding -> LSTM -> pooling over time -> Linear, on raw strings.

    The estimator learns a vocabulary from the training texts (a
    :class:`~sklstm.VocabularyTransformer`), turns each text into token ids and trains a
    PyTorch LSTM on them with Adam. Batches group texts of similar length and are padded only
    to about their own longest text; pooling ignores the padding, so a text gets the same
    probability whatever it is batched with. Binary problems use one logit with a sigmoid,
    multi-class problems a softmax.

    Parameters
    ----------
    max_features : int or None, default=20000
        Vocabulary size: the most frequent tokens (by document frequency) that are kept.
    min_df : int, default=2
        Ignore tokens found in fewer training texts than this.
    max_len : int or None, default=400
        Tokens kept per text: half from its beginning and half from its end.
    lowercase : bool, default=True
        Lowercase texts before tokenising.
    tokenizer : callable or None, default=None
        Function from a string to a list of tokens; None uses :func:`sklstm.text.tokenize`.
    ngram_range : tuple (1, max_n), default=(1, 1)
        With ``max_n > 1``, each step's input is its word embedding plus the embeddings of
        the n-grams (n = 2 .. max_n) ending there, so the LSTM sees "not good" or "must see"
        as units, as a bag-of-bigrams model does. n-grams are hashed (see ``ngram_buckets``),
        so unseen n-grams still get an embedding.
    ngram_buckets : int, default=262144
        Rows of the hashed n-gram embedding table (``2**18``); used when ``max_n > 1``.
    linear_ngram_range : tuple (1, max_n) or None, default=(1, 2)
        A linear path beside the LSTM ("wide and deep"): the logits also get a linear
        function of which n-grams (n = 1 .. max_n, those in at least ``min_df`` training
        texts) a text contains, trained with the LSTM by the same optimizer. Each feature
        is scaled by its naive-Bayes log-count ratio in the training texts, as in the NBSVM
        of Wang & Manning (2012), and the weights start equal (``linear_init``), so that the
        path starts as naive Bayes. It reads whole texts: the tokens beyond ``max_len``
        count here, though the LSTM does not read them. None turns it off.
    linear_init : float or "auto", default="auto"
        Strength of the linear path's naive-Bayes start: 1 starts it as naive Bayes (scaled
        to the texts' length), 0 at zero. ``"auto"`` takes 1 up to 1,000 training texts
        and sqrt(1,000 / n) for n texts beyond (0.32 on 10,000): naive Bayes helps most
        where labels are few, and on more a path that fits the training texts from the start
        leaves the LSTM little to learn (user guide, "Defaults").
    vocabulary : VocabularyTransformer or None, default=None
        A vocabulary already learned, used instead of learning one from the texts of the
        first ``fit`` or ``partial_fit``: e.g. from a stream of blocks counted with
        :meth:`VocabularyTransformer.partial_fit`, so that training on that stream block by
        block knows every word from the start. Its settings must be this classifier's
        (``max_features``, ``min_df``, ``max_len``, ``lowercase``, ``tokenizer``,
        ``ngram_range``, ``ngram_buckets``, ``linear_ngram_range``); it is only read, and
        clones share it.
    embedding_dim : int, default=128
        Size of the word embeddings.
    pretrained_embeddings : {"auto", "ppmi", "word2vec"}, dict, gensim KeyedVectors, str, \
            path or None, default="auto"
        Word vectors to start the word embeddings from. Three values learn them from the
        training texts themselves first, which needs no download and no labels: ``"ppmi"``
        (the SVD of the words' positive PMI co-occurrence matrix, robust on small corpora),
        ``"word2vec"`` (CBOW word2vec with gensim, one thread, seeded by ``random_state``;
        better on large corpora) and ``"auto"``, which takes ``"ppmi"`` below 1.5 million
        training tokens (those it learns from: after ``max_len`` truncation unless the linear
        path keeps whole texts) and ``"word2vec"`` from there on.
        Otherwise a dict of word to vector, gensim ``KeyedVectors``, or the path of a GloVe
        or word2vec text file (optionally gzipped; only the vocabulary's lines are kept).
        Vectors need ``embedding_dim`` numbers; words without one start random.
        ``embedding_coverage_`` tells how many were found. None starts them random.
    freeze_embeddings : bool, default=False
        Keep the word embeddings fixed while training (useful with pretrained vectors and
        little data); by default they are fine-tuned.
    hidden_size : int, default=128
        Size of the LSTM state, per direction.
    num_layers : int, default=1
        Number of stacked LSTM layers.
    bidirectional : bool, default=True
        Also read each text backwards (each text is reversed within its own length).
    pooling : str, default="mean+max"
        How the LSTM outputs are summarised over time: ``"last"`` (the final state of each
        direction), ``"mean"`` (masked mean), ``"max"`` (masked max), or several joined by
        ``"+"`` in that order (concatenated), e.g. ``"mean+max"``. ``"bag"`` adds the masked
        mean of the input vectors themselves (word and n-gram embeddings), a bag-of-words
        path to the output layer; beside the linear path it scored 0.1 point less on
        average on the development sets, and up to 0.5 less on MPQA's short phrases (user
        guide, "Defaults").
    dropout : float, default=0.3
        Dropout on the embeddings, between layers and before the output layer.
    batch_size : int, default=64
        Texts per training step.
    max_iter : int or "auto", default="auto"
        Maximum number of epochs (passes over the training texts). ``"auto"`` runs 3, or
        more on small collections of short texts: as many as it takes to read 300,000
        tokens (after ``max_len`` truncation), e.g. 6 on TREC's 5,452 questions and 11 on
        MPQA's 9,500 phrases of three words; and fewer on large ones, where fewer read 10
        million tokens: 2 on IMDB's 25,000 reviews, 1 from 10 million tokens an epoch on.
        ``resolved_params_`` tells how many it chose.
    learning_rate_init : float, default=2e-3
        Adam's learning rate.
    alpha : float, default=0.0
        Strength of the L2 penalty (Adam's ``weight_decay``).
    adversarial_epsilon : float, default=0.07
        Adversarial training (Miyato et al., 2017): every step also trains on the batch
        with each text's input vectors moved in the direction that raises its loss most,
        by a total Euclidean norm of ``adversarial_epsilon`` times the mean norm of a word
        vector times the square root of the text's length: each word moves by about that
        share of a word vector's norm, in a short sentence as in a long review. It
        regularises the embeddings and the LSTM alike, and makes every epoch cost about
        twice as much. 0 turns it off.
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the training texts, stop when
        validation accuracy stops improving and restore the weights of the best epoch.
    validation_fraction : float, default=0.1
        Share of the training texts held out when ``early_stopping=True``.
    n_iter_no_change : int, default=2
        Epochs without an improvement of at least ``tol`` (in validation accuracy with
        ``early_stopping``, else in training loss) before training stops.
    tol : float, default=1e-4
        Smallest change counted as an improvement.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn's linear models.
    unlabeled_label : int, str or None, default=None
        The label that marks a text as unlabelled, e.g. -1 (scikit-learn's convention for
        semi-supervised learning) or ``""``. Such texts are not a class: the vocabulary,
        the linear path's n-grams and the word vectors are learned from them too, and
        ``pseudo_label_share`` of them are labelled by self-training; ``score`` leaves them
        out. None (the default) makes every label a class, -1 included, as sentiment data
        often uses it.
    pseudo_label_share : float in [0, 1], default=0.5
        Self-training when ``fit`` gets texts marked ``unlabeled_label``: after training,
        this share of them, those the network is surest of (taken in the labelled texts'
        class shares), get its predicted labels, and the network trains again from its
        starting weights on them (with weight 1) and the labelled texts. The vocabulary and
        word vectors are kept, so self-training costs a prediction of the unlabelled texts
        and a training on that many more labelled texts. 0 turns it off; without
        unlabelled texts, and in ``partial_fit`` or a ``warm_start`` continuation, it does
        nothing.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation split. An int
        makes ``predict_proba`` reproducible on the CPU. Fitting never changes the global
        random state of numpy, torch or Python.
    warm_start : bool, default=False
        When fitting again, continue from the current weights and vocabulary (and keep the
        optimizer state, also through pickling) instead of starting afresh.
    verbose : int, default=0
        1 shows a progress bar per epoch with the loss and tokens per second on stderr; when
        stderr is not a terminal (a log file), one line per epoch with the loss, tokens per
        second and seconds instead.
    device : str, default="auto"
        Torch device for training and prediction; ``"auto"`` is CUDA when available, else
        the CPU.
    precision : {"auto", "float32", "bfloat16"}, default="auto"
        Arithmetic of training and prediction. ``"bfloat16"`` runs the network's matrix
        products in bfloat16 under autocast (mixed precision: the weights, their gradients,
        Adam and the loss stay float32). On a CPU with bfloat16 instructions (AVX512-BF16
        or AMX) that trains and predicts faster (``benchmarks/training_speed.py``,
        ``benchmarks/inference.py``); other CPUs have to emulate bfloat16. ``"auto"``
        takes ``"bfloat16"`` on such CPUs and ``"float32"`` everywhere else, GPUs
        included. bfloat16 probabilities differ from float32 ones by rounding (by up to
        about 1e-3), and so does a text's probability with the batch it is predicted in;
        set ``precision="float32"`` on a fitted model for float32 predictions.
        :meth:`explain` always computes in float32.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    resolved_params_ : dict
        What the ``"auto"`` parameters became in the last fit: ``max_iter`` (the epochs
        allowed; ``n_iter_`` counts those run), ``linear_init`` (absent without the linear
        path), ``pretrained_embeddings`` (``"ppmi"``, ``"word2vec"``, or the value given)
        and ``precision`` (``"bfloat16"`` or ``"float32"``).
    vectorizer_ : VocabularyTransformer
        The fitted vocabulary.
    embedding_coverage_ : float or None
        Share of the vocabulary that ``pretrained_embeddings`` had a vector for; None
        without pretrained embeddings.
    module_ : torch.nn.Module
        The trained network (an :class:`~sklstm.network.LSTMTextNetwork`).
    n_iter_ : int
        Epochs run so far, over all calls to ``fit`` (with ``warm_start``) and ``partial_fit``.
    loss_curve_ : list of float
        Mean training loss of each epoch.
    validation_scores_ : list of float or None
        Validation accuracy of each epoch when ``early_stopping=True``, else None.
    best_validation_score_ : float or None
        Best validation accuracy when ``early_stopping=True``, else None.
    history_ : pandas.DataFrame
        One row per epoch, indexed by epoch: ``train_loss``, ``seconds`` and
        ``tokens_per_second`` of the training pass, plus ``valid_loss`` and
        ``valid_accuracy`` when there is a validation set.
    n_pseudo_labeled_ : int
        Unlabelled texts that self-training labelled in the last fit from scratch (see
        ``pseudo_label_share``); ``n_iter_``, ``loss_curve_`` and ``history_`` then
        describe the training on them and the labelled texts.

    See Also
    --------
    VocabularyTransformer : The text to id step used inside this estimator.
    sklearn.neural_network.MLPClassifier : The estimator whose parameter names are reused.

    Notes
    -----
    The defaults were checked on the benchmark suite, ``benchmarks/suite.py``: this estimator
    and the bag-of-words baselines of ``sklstm compare`` on IMDB (the full training set,
    samples of 500 to 5,000 labelled reviews, and the 8 star ratings), MR, SUBJ, MPQA and TREC
    (6 and 50 classes), at three seeds; the results are in ``benchmarks/results/suite.csv``
    and the documentation's page "Defaults and the measurements behind them".

    With ``pretrained_embeddings="auto"`` the word embeddings start from vectors learned from
    the training texts themselves: PPMI vectors below 1.5 million training tokens, word2vec's
    from there on (``resolved_params_`` says which).

    The fitted weights are a moving average of the training steps' weights over about the
    last ten steps, which evens out the swing of the decision threshold from step to step
    (see the user guide's Training section).

    Examples
    --------
    >>> from sklstm import LSTMSentimentClassifier
    >>> texts = ["a wonderful film", "truly awful", "wonderful acting", "awful plot"] * 8
    >>> labels = ["pos", "neg", "pos", "neg"] * 8
    >>> clf = LSTMSentimentClassifier(embedding_dim=8, hidden_size=8, min_df=1, max_iter=20,
    ...                               learning_rate_init=0.01, random_state=0)
    >>> clf.fit(texts, labels).predict(["wonderful", "awful"]).tolist()
    ['pos', 'neg']
    """

    _parameter_constraints = {
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "max_len": [Interval(Integral, 1, None, closed="left"), None],
        "lowercase": ["boolean"],
        "tokenizer": [callable, None],
        "ngram_range": [tuple],
        "ngram_buckets": [Interval(Integral, 2, None, closed="left")],
        "linear_ngram_range": [tuple, None],
        "linear_init": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "vocabulary": [VocabularyTransformer, None],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "pretrained_embeddings": [Mapping, str, os.PathLike, HasMethods(["get_vector"]), None],
        "freeze_embeddings": ["boolean"],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "pooling": [StrOptions(POOLING_OPTIONS)],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "adversarial_epsilon": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "unlabeled_label": [Integral, str, None],
        "pseudo_label_share": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "device": [str, torch.device],
        "precision": [StrOptions({"auto", "float32", "bfloat16"})],
    }

    def __init__(
        self,
        *,
        max_features=20000,
        min_df=2,
        max_len=400,
        lowercase=True,
        tokenizer=None,
        ngram_range=(1, 1),
        ngram_buckets=2**18,
        linear_ngram_range=(1, 2),
        linear_init="auto",
        vocabulary=None,
        embedding_dim=128,
        pretrained_embeddings="auto",
        freeze_embeddings=False,
        hidden_size=128,
        num_layers=1,
        bidirectional=True,
        pooling="mean+max",
        dropout=0.3,
        batch_size=64,
        max_iter="auto",
        learning_rate_init=2e-3,
        alpha=0.0,
        adversarial_epsilon=0.07,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=2,
        tol=1e-4,
        class_weight=None,
        unlabeled_label=None,
        pseudo_label_share=0.5,
        random_state=None,
        warm_start=False,
        verbose=0,
        device="auto",
        precision="auto",
    ):
        self.max_features = max_features
        self.min_df = min_df
        self.max_len = max_len
        self.lowercase = lowercase
        self.tokenizer = tokenizer
        self.ngram_range = ngram_range
        self.ngram_buckets = ngram_buckets
        self.linear_ngram_range = linear_ngram_range
        self.linear_init = linear_init
        self.vocabulary = vocabulary
        self.embedding_dim = embedding_dim
        self.pretrained_embeddings = pretrained_embeddings
        self.freeze_embeddings = freeze_embeddings
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.dropout = dropout
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.learning_rate_init = learning_rate_init
        self.alpha = alpha
        self.adversarial_epsilon = adversarial_epsilon
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.class_weight = class_weight
        self.unlabeled_label = unlabeled_label
        self.pseudo_label_share = pseudo_label_share
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.device = device
        self.precision = precision

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Learn the vocabulary and train the network on texts ``X`` with labels ``y``.

        Parameters
        ----------
        X : list, tuple, ndarray or pandas Series of str
            Training texts.
        y : array-like of shape (n_texts,)
            Labels: ints, strings or bools, two classes or more.
        sample_weight : array-like of shape (n_texts,), default=None
            Weight of each text in the loss.

        Returns
        -------
        self : LSTMSentimentClassifier
        """
        self._check_vocabulary_settings()
        check_word_vectors(self.pretrained_embeddings)
        device = resolve_device(self.device)
        texts, y, sample_weight, labelled = check_training_data(
            X, y, sample_weight, self.unlabeled_label
        )
        continuing = self.warm_start and hasattr(self, "module_")
        if continuing:
            check_structure_unchanged(self, self._structure)
            check_known_labels(y, self.classes_)
        elif len(np.unique(y)) < 2:
            raise ValueError(
                f"y has {'no' if len(y) == 0 else 'a single'} class"
                f"{'' if len(y) == 0 else f' ({np.unique(y)[0].item()!r})'} among its labelled "
                f"texts; a classifier needs at least two."
            )
        return self._fit(texts, y, sample_weight, labelled, continuing, device)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Make one more pass (epoch) over the texts ``X``.

        The first call learns the vocabulary from its ``X`` and needs ``classes``.

        Parameters
        ----------
        X : list, tuple, ndarray or pandas Series of str
            Training texts.
        y : array-like of shape (n_texts,)
            Labels, all among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever be seen; required on the first call only.
        sample_weight : array-like of shape (n_texts,), default=None
            Weight of each text in the loss.

        Returns
        -------
        self : LSTMSentimentClassifier
        """
        first_call = not hasattr(self, "module_")
        # Every call, not only the first as scikit-learn's _fit_context would: a parameter set
        # between calls is checked before it is used.
        self._validate_params()
        check_partial_fit_params(self)
        if first_call:
            self._check_vocabulary_settings()
            check_word_vectors(self.pretrained_embeddings)
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            classes = np.unique(column_or_1d(classes))
            if len(classes) < 2:
                raise ValueError(f"classes={classes.tolist()!r} must hold at least two classes.")
        else:
            check_structure_unchanged(self, self._structure)
        if (
            not first_call
            and classes is not None
            and not np.array_equal(np.unique(classes), self.classes_)
        ):
            raise ValueError(
                f"classes={list(classes)!r} differs from the classes of the first call to "
                f"partial_fit, {self.classes_.tolist()!r}."
            )
        device = resolve_device(self.device)
        texts, y, sample_weight, labelled = check_training_data(
            X, y, sample_weight, self.unlabeled_label
        )
        check_known_labels(y, classes if first_call else self.classes_)
        if not first_call and not len(y):  # unlabelled texts only: nothing to learn from
            return self
        return self._partial_fit(texts, y, sample_weight, labelled, classes, device)

    def decision_function(self, X):
        """Logits: shape (n_texts,) with two classes (for the positive one), else (n, n_classes)."""
        logits = self._logits(X)
        return logits[:, 0] if len(self.classes_) == 2 else logits

    def predict_proba(self, X):
        """Class probabilities, shape (n_texts, n_classes), columns in the order of ``classes_``."""
        return self._proba(self._logits(X))

    def _proba(self, logits):
        if len(self.classes_) == 2:
            positive = expit(logits[:, 0])
            return np.column_stack([1.0 - positive, positive])
        return softmax(logits, axis=1)

    def predict(self, X):
        """Predicted labels, shape (n_texts,), taken from ``classes_``."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of ``predict(X)`` against ``y``, leaving out unlabelled texts.

        Labels the model was not fitted on count as errors, as in scikit-learn's
        classifiers; texts marked ``unlabeled_label`` are not scored.

        Parameters
        ----------
        X : list, tuple, ndarray or pandas Series of str
            Texts.
        y : array-like of shape (n_texts,)
            True labels.
        sample_weight : array-like of shape (n_texts,), default=None
            Weight of each text.

        Returns
        -------
        score : float
        """
        texts = check_texts(X)
        y, labelled = labelled_part(y, len(texts), self.unlabeled_label)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)[labelled]
        kept = [texts[i] for i in labelled]
        return super().score(kept, y, sample_weight=sample_weight)

    def _logits(self, X):
        check_is_fitted(self)
        texts = check_texts(X)
        device = prediction_device(self.device)
        move_if_elsewhere(self.module_, device)
        # Allocated before any chunk and filled in place: keeping each chunk's result alive
        # until a final concatenation pinned the heap between chunks, so that memory grew
        # with the number of texts.
        logits = np.empty((len(texts), self.module_.output.out_features))
        dtype = self._compute_dtype(device)
        for start in range(0, len(texts), PREDICT_CHUNK_SIZE):
            stop = start + PREDICT_CHUNK_SIZE
            sequences = self.vectorizer_.transform(texts[start:stop])
            logits[start:stop] = predict_logits(self.module_, sequences, device, dtype).numpy()
        return logits

    def explain(self, X, target=None):
        """Score how much each token of each text pushed the model towards a class.

        Occlusion: a token's score is how much the class's log-odds, log p / (1 - p), fall
        when that token is blanked out of every path of the model, everything else
        unchanged: its input vector to the LSTM (its word, and the n-grams ending there) is
        set to the padding vector, and the linear path loses the n-grams that end at it
        and occur there first in the text. Each score is thus exactly an effect the user
        can check (the user guide says why not integrated gradients). Scoring a text of
        ``T`` tokens costs ``T`` forward passes (batched), no backward pass.

        Parameters
        ----------
        X : list, tuple, ndarray or pandas Series of str
            Texts to explain.
        target : label or None, default=None
            The class to explain, one of ``classes_``; None explains each text's
            predicted class.

        Returns
        -------
        explanation : pandas.DataFrame
            One row per token the model saw (by any path; words outside the
            vocabulary appear as themselves): ``text_id`` (position in ``X``),
            ``position``, ``token``, ``score`` and ``target`` (the class explained).
            Render it with :func:`sklstm.show_explanation`.

        Examples
        --------
        >>> from sklstm import LSTMSentimentClassifier
        >>> texts = ["a wonderful film", "truly awful", "wonderful acting", "awful plot"] * 8
        >>> clf = LSTMSentimentClassifier(embedding_dim=8, hidden_size=8, min_df=1,
        ...                               pretrained_embeddings=None, max_iter=20,
        ...                               learning_rate_init=0.01, random_state=0)
        >>> clf = clf.fit(texts, ["pos", "neg", "pos", "neg"] * 8)
        >>> explanation = clf.explain(["such wonderful weather"])
        >>> explanation.loc[explanation.score.idxmax(), "token"]
        'wonderful'
        """
        check_is_fitted(self)
        texts = check_texts(X)
        if target is not None:
            check_known_labels(np.asarray([target]), self.classes_)
        targets = (
            self.predict(texts) if target is None else np.full(len(texts), target, dtype=object)
        )
        class_indices = np.searchsorted(self.classes_, targets)
        return explain_texts(self.module_, self.vectorizer_, texts, class_indices, targets)

    def __sklearn_clone__(self):
        # Word vectors and a given vocabulary are only read: every clone (one per fit of a
        # grid search or a cross-validation) shares them instead of copying them (a deep
        # copy of 400,000 word vectors of 100 numbers took 2.2 s and about 200 MB a clone;
        # scikit-learn's clone of a fitted vocabulary would be an unfitted one).
        shared = {name: getattr(self, name) for name in SHARED_PARAMS}
        if all(is_plain(value) for value in shared.values()):
            return super().__sklearn_clone__()
        # scikit-learn's own clone of a copy without them (a shallow copy: pickling would
        # convert the fitted network), which then gets the same objects.
        without = object.__new__(type(self))
        without.__dict__.update(self.__dict__, **dict.fromkeys(SHARED_PARAMS))
        clone = super(LSTMSentimentClassifier, without).__sklearn_clone__()
        clone.set_params(**shared)
        return clone

    # --------------------------------------------------------------- persistence

    def __getstate__(self):
        return portable_state(super().__getstate__(), self.warm_start)

    def __setstate__(self, state):
        restore_state(self, state, super().__setstate__)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.classifier_tags.multi_class = True
        # Results repeat only with a fixed seed, one arithmetic whatever the CPU, and no GPU
        # (whose kernels are not deterministic).
        gpu = str(self.device) != "cpu" and (
            str(self.device) != "auto" or torch.cuda.is_available()
        )
        seeded = isinstance(self.random_state, Integral)
        tags.non_deterministic = not seeded or self.precision == "auto" or gpu
        return tags
