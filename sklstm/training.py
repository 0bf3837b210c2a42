"""The training loop: epochs of minibatch steps, evaluation, stopping, history, interrupt."""

import copy
import math
import sys
import time
import warnings
from dataclasses import dataclass

import torch
from torch.nn import functional as F
from torch.optim.swa_utils import AveragedModel
from tqdm.auto import tqdm

from .batching import bucketed_batches, pad_batch, sorted_batches

# tqdm.auto draws a widget in a Jupyter notebook, whose stderr is no terminal.
_IN_NOTEBOOK = any(base.__module__ == "tqdm.notebook" for base in tqdm.__mro__)

# Measured on a 2-core CPU: batches of 64 sorted texts predict faster than larger ones.
PREDICT_BATCH_SIZE = 64

# The decision threshold swings from step to step as Adam follows each batch (on IMDB the
# share of test reviews predicted positive went between 0.41 and 0.69 over an epoch's last
# 90 steps; benchmarks/weight_averaging.py), so a fit's last step is a draw from that swing.
# The fitted weights are an exponential moving average of the steps' weights over about
# 1 / (1 - decay) = 10 steps, which evens the swing out; 0 keeps the last step's weights.
AVERAGING_DECAY = 0.9

# With adversarial_epsilon, every this many steps trains on a perturbed copy of its batch
# too (the step that does costs about twice as much as one that does not).
ADVERSARIAL_EVERY = 1


@dataclass
class Averaging:
    """The moving average's progress, kept between fits that continue one another.

    A fit leaves the average in the network; ``last_weights`` are its last step's weights,
    where a continuing fit's steps go on from (as Adam's state does), and ``n_averaged``
    counts the steps in the average, so that a continuing fit blends into it rather than
    start it afresh. Empty, the next fit starts from the network's weights.
    """

    last_weights: dict | None = None
    n_averaged: int = 0


class BinaryObjective:
    """One logit per text, sigmoid cross-entropy; targets are 0/1."""

    n_outputs = 1

    def targets(self, y):
        return torch.as_tensor(y, dtype=torch.float32)

    def loss(self, logits, targets):
        # logits: (B, 1), targets: (B,) -> (B,)
        return F.binary_cross_entropy_with_logits(logits[:, 0], targets, reduction="none")

    def predict(self, logits):
        return (logits[:, 0] > 0).long()


class MulticlassObjective:
    """One logit per class, softmax cross-entropy; targets are class indices."""

    def __init__(self, n_classes):
        self.n_outputs = n_classes

    def targets(self, y):
        return torch.as_tensor(y, dtype=torch.long)

    def loss(self, logits, targets):
        # logits: (B, K), targets: (B,) -> (B,)
        return F.cross_entropy(logits, targets, reduction="none")

    def predict(self, logits):
        return logits.argmax(1)


def objective_for(n_classes):
    """The objective for a problem with ``n_classes`` classes."""
    return BinaryObjective() if n_classes == 2 else MulticlassObjective(n_classes)


@dataclass
class Dataset:
    """Token id sequences with their class indices and sample weights."""

    sequences: object  # RaggedSequences
    targets: torch.Tensor  # (n,)
    weights: torch.Tensor  # (n,)

    def take(self, index):
        return Dataset(self.sequences.take(index), self.targets[index], self.weights[index])

    def concatenate(self, other):
        return Dataset(
            self.sequences.concatenate(other.sequences),
            torch.cat([self.targets, other.targets]),
            torch.cat([self.weights, other.weights]),
        )


@dataclass
class StoppingRule:
    """When to stop, in the terms of scikit-learn's ``MLPClassifier``.

    Without a validation set, training stops once the training loss has failed to fall by
    at least ``tol`` for ``n_iter_no_change`` epochs in a row; with one, once validation
    accuracy has failed to rise by ``tol`` as often, and the best weights are restored.
    """

    max_epochs: int
    n_iter_no_change: int
    tol: float


def products_in(compute_dtype, device):
    """Autocast running the matrix products on ``device`` in ``compute_dtype``; off for float32."""
    enabled = compute_dtype != torch.float32
    return torch.autocast(device.type, dtype=compute_dtype, enabled=enabled)


def predict_logits(
    network, sequences, device, compute_dtype=torch.float32, batch_size=PREDICT_BATCH_SIZE
):
    """Logits for every sequence, in input order, as a float32 tensor on the CPU.

    With a ``compute_dtype`` of ``torch.bfloat16`` the matrix products run in it under
    autocast, as in training.
    """
    network.eval()
    logits = torch.empty(len(sequences), network.output.out_features)
    with torch.inference_mode(), products_in(compute_dtype, device):
        for index in sorted_batches(sequences.lengths, batch_size):
            # oneDNN caches one LSTM primitive, with its buffers, per input shape and keeps
            # it: padding each batch to its own longest text made one per distinct length, so
            # memory grew with the number of texts predicted (benchmarks/memory.py). A few
            # widths bound it; pooling ignores padding, so results do not change.
            ids, lengths = pad_batch(sequences, index, few_shapes=True)
            logits[index] = network(ids.to(device), lengths.to(device)).float().cpu()
    return logits


def train(
    network,
    optimizer,
    objective,
    train_data,
    valid_data,
    rule,
    *,
    batch_size,
    rng,
    device,
    verbose,
    adversarial_epsilon=0.0,
    compute_dtype=torch.float32,
    first_epoch=1,
    averaging=None,
):
    """Train ``network`` for up to ``rule.max_epochs`` epochs.

    The weights left in ``network`` (and evaluated on ``valid_data`` after each epoch) are
    the moving average of the steps' weights described at ``AVERAGING_DECAY``. An
    ``averaging`` of an earlier fit continues its steps and its average, and is updated to
    continue this one. Ctrl-C stops training with a warning and keeps what was learned. With
    ``valid_data``, the weights of the best validation epoch are restored at the end. With
    ``adversarial_epsilon``, every step also trains on the batch with its input vectors
    perturbed against the model (see :func:`adversarial_perturbation`). With a
    ``compute_dtype`` of ``torch.bfloat16``, the network's matrix products run in it under
    autocast, while the weights, their gradients, the optimizer and the loss stay float32.

    Returns
    -------
    history : list of dict
        One row per complete epoch.
    interrupted : bool
        Whether Ctrl-C stopped training.

    Raises
    ------
    FloatingPointError
        If the loss becomes NaN or infinite; the step that produced it is not applied.
    """
    history, stalled, best, best_state = [], 0, None, None
    interrupted = False
    averaging = Averaging() if averaging is None else averaging
    averaged = _continued_average(network, averaging)
    try:
        for epoch in range(first_epoch, first_epoch + rule.max_epochs):
            row = _train_epoch(
                network,
                averaged,
                optimizer,
                objective,
                train_data,
                epoch,
                batch_size=batch_size,
                rng=rng,
                device=device,
                verbose=verbose,
                adversarial_epsilon=adversarial_epsilon,
                compute_dtype=compute_dtype,
            )
            if valid_data is not None:
                row.update(_evaluate(averaged.module, objective, valid_data, device, compute_dtype))
            history.append(row)
            score = row["valid_accuracy"] if valid_data is not None else -row["train_loss"]
            stalled = 0 if best is None or score > best + rule.tol else stalled + 1
            if best is None or score > best:
                best = score
                if valid_data is not None:
                    best_state = copy.deepcopy(averaged.module.state_dict())
            if stalled >= rule.n_iter_no_change:
                break
    except KeyboardInterrupt:
        interrupted = True
        warnings.warn(
            f"Training interrupted after {len(history)} complete epoch(s); keeping the "
            f"{'best weights so far' if best_state else 'weights learned so far'}.",
            stacklevel=3,
        )
    if averaged.n_averaged:  # not when interrupted before the first step
        # Restored to its best epoch, the network is where a continuing fit starts afresh.
        averaging.last_weights = None if best_state else copy.deepcopy(network.state_dict())
        averaging.n_averaged = 0 if best_state else int(averaged.n_averaged)
        network.load_state_dict(best_state or averaged.module.state_dict())
    network.eval()
    return history, interrupted


def _continued_average(network, averaging):
    """The moving average to train ``network`` with, continuing ``averaging``'s."""
    if averaging.last_weights is None:
        return AveragedModel(network, multi_avg_fn=_moving_average)
    average = copy.deepcopy(network.state_dict())
    # A frozen weight stays as the network holds it: its average would otherwise move.
    frozen = {name for name, weights in network.named_parameters() if not weights.requires_grad}
    last = {name: w for name, w in averaging.last_weights.items() if name not in frozen}
    network.load_state_dict(last, strict=False)
    averaged = AveragedModel(network, multi_avg_fn=_moving_average)
    averaged.module.load_state_dict(average)
    averaged.n_averaged.fill_(averaging.n_averaged)
    return averaged


def _moving_average(averaged, current, n_averaged):
    # The decay grows with the steps taken, (1 + n) / (10 + n), up to AVERAGING_DECAY, so that
    # a fit of a few dozen steps is not averaged back towards its first, untrained steps.
    n = int(n_averaged)
    decay = min(AVERAGING_DECAY, (1 + n) / (10 + n))
    for average, weights in zip(averaged, current, strict=True):
        average.lerp_(weights, 1 - decay)


def _train_epoch(
    network,
    averaged,
    optimizer,
    objective,
    data,
    epoch,
    *,
    batch_size,
    rng,
    device,
    verbose,
    adversarial_epsilon,
    compute_dtype,
):
    network.train()
    batches = bucketed_batches(data.sequences.lengths, batch_size, rng)
    total_loss, n_texts, n_tokens = 0.0, 0, 0
    start = time.perf_counter()
    # A bar redraws itself with carriage returns, which a log file keeps as thousands of
    # lines: away from a terminal (and a notebook's widget), one line per epoch instead.
    live = verbose and (sys.stderr.isatty() or _IN_NOTEBOOK)
    with tqdm(
        batches, desc=f"epoch {epoch}", unit="batch", disable=not live, leave=True
    ) as progress:
        for step, index in enumerate(progress):
            # oneDNN builds an LSTM primitive for every new input shape, which costs more than
            # the padding saved: on IMDB a few widths make 26 shapes an epoch instead of 199,
            # for 3% more padded steps.
            ids, lengths = pad_batch(data.sequences, index, few_shapes=True)
            targets, weights = data.targets[index].to(device), data.weights[index].to(device)
            optimizer.zero_grad(set_to_none=True)
            losses = _backward(
                network,
                objective,
                ids.to(device),
                lengths.to(device),
                targets,
                weights,
                adversarial_epsilon if step % ADVERSARIAL_EVERY == 0 else 0.0,
                compute_dtype,
            )
            bad = [value for value in losses if not math.isfinite(value)]
            if bad:
                raise FloatingPointError(
                    f"The training loss became {bad[0]} in epoch {epoch}, batch "
                    f"{step + 1}; training diverged. Use a lower learning_rate_init."
                )
            optimizer.step()
            averaged.update_parameters(network)
            total_loss += losses[0] * len(index)
            n_texts += len(index)
            n_tokens += int(network.steps_read(lengths).sum())
            if step % 20 == 0:
                elapsed = time.perf_counter() - start
                progress.set_postfix(
                    loss=f"{total_loss / n_texts:.4f}",
                    tokens_per_s=f"{n_tokens / max(elapsed, 1e-9):,.0f}",
                )
    seconds = time.perf_counter() - start
    row = {
        "epoch": epoch,
        "train_loss": total_loss / n_texts,
        "seconds": seconds,
        "tokens_per_second": n_tokens / seconds,
    }
    if verbose and not live:
        _print_epoch(row)
    return row


def _print_epoch(row):
    # The bar's names, so that a log reads like the bar's last state.
    print(
        f"epoch {row['epoch']}: loss={row['train_loss']:.4f}, "
        f"tokens_per_s={row['tokens_per_second']:,.0f}, seconds={row['seconds']:.1f}",
        file=sys.stderr,
        flush=True,
    )


def _backward(
    network, objective, ids, lengths, targets, weights, adversarial_epsilon, compute_dtype
):
    """Accumulate the gradients of one batch's loss; return its loss values.

    The first value is the loss on the batch as it is; with ``adversarial_epsilon`` the
    gradient of a second loss, on the input vectors perturbed against the model, is added
    and its value follows.
    """

    def weighted_loss(inputs):
        # inputs: (B, T, E) -> scalar
        linear = network.linear_terms(ids)  # (B, T, n_outputs) or None
        with products_in(compute_dtype, ids.device):
            logits = network.classify(inputs, lengths, linear)  # (B, n_outputs)
        return (objective.loss(logits.float(), targets) * weights).mean()

    inputs = network.embed(ids)  # (B, T, E)
    if adversarial_epsilon:
        # Frozen word embeddings (without n-grams) give inputs outside the graph.
        inputs.requires_grad_(True)
        inputs.retain_grad()
    loss = weighted_loss(inputs)
    loss.backward()
    if not adversarial_epsilon:
        return [loss.item()]
    word_norm = network.embedding.weight.detach().norm(dim=1).mean()
    # A text's perturbation grows with the square root of its length, so that each step
    # moves by about the same amount in a short sentence as in a long review.
    text_norms = adversarial_epsilon * word_norm * lengths.float().sqrt()  # (B,)
    perturbation = adversarial_perturbation(inputs.grad, text_norms)
    # The embedding is looked up again: the first graph, and its buffers, are gone.
    adversarial = weighted_loss(network.embed(ids) + perturbation)
    adversarial.backward()
    return [loss.item(), adversarial.item()]


def adversarial_perturbation(gradient, norm):
    """The step of length ``norm`` per text along the loss gradient of its input vectors.

    The adversarial training of Miyato et al. (2017), "Adversarial training methods for
    semi-supervised text classification", ICLR: to first order, the perturbation of a
    text's input vectors of that length that raises its loss most. Padding steps get no
    gradient (pooling is masked), so they are never perturbed.

    Parameters
    ----------
    gradient : Tensor of shape (batch_size, n_steps, embedding_dim)
        Gradient of the loss with respect to the input vectors.
    norm : float or Tensor
        Euclidean norm of each text's perturbation, over all its steps.

    Returns
    -------
    perturbation : Tensor of shape (batch_size, n_steps, embedding_dim)
        Detached from the graph.
    """
    gradient = gradient.detach()
    gradient_norms = gradient.flatten(1).norm(dim=1).clamp_min(1e-12)  # (B,)
    return gradient * (norm / gradient_norms)[:, None, None]


def _evaluate(network, objective, data, device, compute_dtype):
    logits = predict_logits(network, data.sequences, device, compute_dtype)
    loss = (objective.loss(logits, data.targets) * data.weights).mean().item()
    # Weighted as the training loss is, by sample_weight and class_weight.
    right = (objective.predict(logits) == data.targets.long()).double()
    weights = data.weights.double()
    accuracy = ((right * weights).sum() / weights.sum().clamp_min(1e-12)).item()
    return {"valid_loss": loss, "valid_accuracy": accuracy}
