"""The estimator's fitting steps: set-up of the vocabulary, network and word vectors, the
datasets, and the calls into the training loop with their record on the estimator."""

import contextlib
import copy
import math
import warnings

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_sample_weight

from .checks import STRUCTURE_PARAMS, check_given_vocabulary
from .device import compute_dtype
from .embeddings import learned_vectors_method, starting_vectors
from .linear_start import start_linear_path
from .network import LSTMTextNetwork
from .self_training import surest_texts
from .text import VocabularyTransformer, check_ngram_range, without_counts
from .training import Averaging, Dataset, StoppingRule, objective_for, predict_logits, train

# max_iter="auto": at least this many epochs, and enough of them to read this many tokens ...
AUTO_MIN_EPOCHS = 3
AUTO_MIN_TOKENS = 300_000
# ... but fewer than AUTO_MIN_EPOCHS where fewer read this many: two epochs of IMDB's 5.2
# million training tokens scored 0.9227 against three's 0.9234 at seed 0, in 2/3 of the time,
# and 0.9225 +- 0.0008 over three seeds against 0.9239 +- 0.0002 (docs/defaults.rst).
AUTO_ENOUGH_TOKENS = 10_000_000


class FittingSteps(BaseEstimator):
    """What ``fit`` and ``partial_fit`` run, below the estimator's public methods.

    Every method reads the estimator's parameters and sets its learned attributes; the
    public class (:class:`~sklstm.LSTMSentimentClassifier`) validates and calls them.
    """

    def _fit(self, texts, y, sample_weight, labelled, continuing, device):
        """``fit`` on checked data: ``labelled`` are the positions of the labelled texts."""
        with self._random_generators(continuing) as (rng, split_seed):
            if continuing:
                sequences = self.vectorizer_.transform([texts[i] for i in labelled])
            else:
                # Unlabelled texts count for the vocabulary and the word vectors.
                all_sequences = self._initialise(texts, np.unique(y), device, rng)
                sequences = all_sequences.take(labelled)
            data = self._dataset(sequences, y, sample_weight)
            valid = None
            if self.early_stopping:
                data, valid = self._split_validation(data, y, split_seed)
            unlabelled = np.setdiff1d(np.arange(len(texts)), labelled)
            self_trains = not continuing and self.pseudo_label_share > 0 and len(unlabelled)
            start = copy.deepcopy(self.module_.state_dict()) if self_trains else None
            interrupted = self._train_from(data, valid, not continuing, rng, device)
            if self_trains and not interrupted:
                try:
                    pseudo = self._pseudo_labeled(all_sequences.take(unlabelled), y, device)
                except KeyboardInterrupt:
                    warnings.warn(
                        "Interrupted while labelling the unlabelled texts; keeping the "
                        "training on the labelled ones.",
                        stacklevel=4,
                    )
                    return self
                self.module_.load_state_dict(start)
                self._reset_training_state()
                self._train_from(data.concatenate(pseudo), valid, True, rng, device)
        return self

    def _partial_fit(self, texts, y, sample_weight, labelled, classes, device):
        """``partial_fit`` on checked data; ``classes`` are given on the first call only."""
        first_call = not hasattr(self, "module_")
        with self._random_generators(not first_call) as (rng, _):
            if first_call:
                sequences = self._initialise(texts, classes, device, rng).take(labelled)
            else:
                sequences = self.vectorizer_.transform([texts[i] for i in labelled])
            data = self._dataset(sequences, y, sample_weight)
            if first_call:
                self._fit_linear_scale(data)
            if len(y):  # a first batch of unlabelled texts only gives just the vocabulary
                rule = StoppingRule(max_epochs=1, n_iter_no_change=1, tol=0.0)
                self._train(data, None, rule, rng, device)
        return self

    def _train_from(self, data, valid, new_start, rng, device):
        """Train on ``data`` for the epochs ``max_iter`` asks; True if interrupted."""
        if new_start:
            self._fit_linear_scale(data)
        epochs = self._epochs(int(self.module_.steps_read(data.sequences.lengths).sum()))
        self.resolved_params_["max_iter"] = epochs
        rule = StoppingRule(epochs, self.n_iter_no_change, self.tol)
        return self._train(data, valid, rule, rng, device)

    def _pseudo_labeled(self, sequences, y, device):
        """The unlabelled texts the network is surest of, as a Dataset of its predictions."""
        logits = predict_logits(self.module_, sequences, device, self._compute_dtype(device))
        proba = self._proba(logits.numpy())
        shares = np.unique(y, return_counts=True)[1] / len(y)
        n_texts = round(self.pseudo_label_share * len(sequences))
        positions, class_index = surest_texts(proba, shares, n_texts)
        self.n_pseudo_labeled_ = len(positions)
        objective = objective_for(len(self.classes_))
        return Dataset(
            sequences.take(positions),
            objective.targets(class_index),
            torch.ones(len(positions), dtype=torch.float32),
        )

    def _compute_dtype(self, device):
        """The dtype of the network's matrix products on ``device``, training and predicting."""
        return compute_dtype(self.precision, device)

    def _epochs(self, n_tokens):
        """The epochs of a fit on ``n_tokens`` training tokens, as ``max_iter`` asks."""
        if self.max_iter != "auto":
            return self.max_iter
        n_tokens = max(n_tokens, 1)
        enough = min(AUTO_MIN_EPOCHS, math.ceil(AUTO_ENOUGH_TOKENS / n_tokens))
        return max(enough, math.ceil(AUTO_MIN_TOKENS / n_tokens))

    def _check_vocabulary_settings(self):
        check_ngram_range(self.ngram_range)
        if self.linear_ngram_range is not None:
            check_ngram_range(self.linear_ngram_range, "linear_ngram_range")
        if self.vocabulary is not None:
            check_given_vocabulary(self.vocabulary, self._vectorizer())

    def _vectorizer(self):
        """The VocabularyTransformer of this classifier's settings, not fitted."""
        return VocabularyTransformer(
            max_features=self.max_features,
            min_df=self.min_df,
            max_len=self.max_len,
            lowercase=self.lowercase,
            tokenizer=self.tokenizer,
            ngram_range=self.ngram_range,
            ngram_buckets=self.ngram_buckets,
            linear_ngram_range=self.linear_ngram_range,
        )

    @contextlib.contextmanager
    def _random_generators(self, continuing):
        # Draw the seed without touching numpy's global state when random_state is None.
        if self.random_state is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        else:
            seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        # Mixing in the epochs run so far gives every warm-start or partial_fit call its own
        # shuffling and dropout, reproducibly; a fit from scratch always starts from epoch 0.
        rng = np.random.default_rng([seed, self.n_iter_ if continuing else 0])
        devices = list(range(torch.cuda.device_count()))
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(int(rng.integers(2**63 - 1)))
            # The validation split depends on the seed alone, so that warm-start fits on the
            # same texts hold out the same ones rather than train on the last fit's.
            yield rng, seed

    def _initialise(self, texts, classes, device, rng):
        """Set up the vocabulary, network and learned state; return the texts as ids."""
        self.classes_ = classes
        self._structure = {name: getattr(self, name) for name in STRUCTURE_PARAMS}
        if self.vocabulary is None:
            vectorizer = self._vectorizer()
            sequences = vectorizer.fit_transform(texts)
        else:
            vectorizer = self.vocabulary
            sequences = vectorizer.transform(texts)
        self.vectorizer_ = without_counts(vectorizer)
        self._network_kwargs = {
            "n_ids": self.vectorizer_.n_ids_,
            "n_ngram_ids": self.ngram_buckets if self.ngram_range[1] > 1 else 0,
            "embedding_dim": self.embedding_dim,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "pooling": tuple(self.pooling.split("+")),
            "dropout": self.dropout,
            "n_outputs": objective_for(len(classes)).n_outputs,
            "freeze_embedding": self.freeze_embeddings,
            "n_linear_ids": self.vectorizer_.n_linear_ids_,
            "linear_orders": 0 if self.linear_ngram_range is None else self.linear_ngram_range[1],
            "max_steps": self.max_len,
        }
        self.module_ = LSTMTextNetwork(**self._network_kwargs).to(device)
        self.embedding_coverage_ = None
        source = self.pretrained_embeddings
        if isinstance(source, str) and source == "auto":
            source = learned_vectors_method(n_tokens=len(sequences.ids))
        self.resolved_params_ = {
            "pretrained_embeddings": source,
            "precision": str(self._compute_dtype(device)).removeprefix("torch."),
        }
        if source is not None:
            rows, vectors = starting_vectors(
                source, sequences, self.vectorizer_, self.embedding_dim, rng
            )
            self.module_.set_word_vectors(rows, vectors)
            self.embedding_coverage_ = len(rows) / len(self.vectorizer_.vocabulary_)
        self.n_pseudo_labeled_ = 0
        self._reset_training_state()
        return sequences

    def _reset_training_state(self):
        self._optimizer = None
        self._averaging = Averaging()
        self.n_iter_ = 0
        self.loss_curve_ = []
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = None
        self.history_ = None

    def _fit_linear_scale(self, data):
        strength = start_linear_path(self.module_, data, self.linear_init, len(self.classes_))
        if strength is not None:
            self.resolved_params_["linear_init"] = strength

    def _dataset(self, sequences, y, sample_weight):
        class_index = np.searchsorted(self.classes_, y)
        weights = sample_weight * compute_sample_weight(self.class_weight, y)
        objective = objective_for(len(self.classes_))
        return Dataset(
            sequences,
            objective.targets(class_index),
            torch.as_tensor(weights, dtype=torch.float32),
        )

    def _split_validation(self, data, y, seed):
        train_index, valid_index = train_test_split(
            np.arange(len(y)),
            test_size=self.validation_fraction,
            stratify=y,
            random_state=seed,
        )
        return data.take(train_index), data.take(valid_index)

    def _train(self, data, valid, rule, rng, device):
        self.module_.to(device)
        # As in MLPClassifier, a continued fit trains with the current values of these.
        self._network_kwargs.update(dropout=self.dropout, freeze_embedding=self.freeze_embeddings)
        self.module_.dropout.p = self.dropout
        self.module_.embedding.weight.requires_grad_(not self.freeze_embeddings)
        if self._optimizer is None:
            self._optimizer = torch.optim.Adam(self.module_.parameters(), fused=True)
        for group in self._optimizer.param_groups:
            group.update(lr=self.learning_rate_init, weight_decay=self.alpha)
        rows, interrupted = train(
            self.module_,
            self._optimizer,
            objective_for(len(self.classes_)),
            data,
            valid,
            rule,
            batch_size=self.batch_size,
            rng=rng,
            device=device,
            verbose=self.verbose,
            adversarial_epsilon=self.adversarial_epsilon,
            compute_dtype=self._compute_dtype(device),
            first_epoch=self.n_iter_ + 1,
            averaging=self._averaging,
        )
        epochs = pd.DataFrame.from_records(rows, columns=_history_columns(valid)).set_index("epoch")
        self.history_ = epochs if self.history_ is None else pd.concat([self.history_, epochs])
        self.n_iter_ += len(rows)
        self.loss_curve_.extend(row["train_loss"] for row in rows)
        if valid is not None:
            self.validation_scores_ = (self.validation_scores_ or []) + [
                row["valid_accuracy"] for row in rows
            ]
            self.best_validation_score_ = max(self.validation_scores_, default=None)
        return interrupted

    # --------------------------------------------------------------- prediction


def _history_columns(valid):
    columns = ["epoch", "train_loss", "seconds", "tokens_per_second"]
    return columns + ["valid_loss", "valid_accuracy"] if valid is not None else columns
