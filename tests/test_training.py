import sys

import numpy as np
import pytest
import torch

import sklstm.classifier
import sklstm.training
from sklstm import LSTMSentimentClassifier
from sklstm.network import LSTMTextNetwork
from sklstm.ragged import RaggedSequences
from sklstm.training import (
    Averaging,
    BinaryObjective,
    Dataset,
    StoppingRule,
    _backward,
    adversarial_perturbation,
    train,
)


def _batch():
    torch.manual_seed(0)
    network = LSTMTextNetwork(30, 0, 6, 5, 1, True, ("mean", "max", "bag"), 0.0, 1)
    ids = torch.tensor([[3, 4, 5, 6, 7], [8, 9, 0, 0, 0]])
    lengths = torch.tensor([5, 2])
    return network, ids, lengths, torch.tensor([1.0, 0.0]), torch.ones(2)


def test_adversarial_perturbation_has_the_norm_and_direction_of_the_gradient():
    gradient = torch.randn(3, 4, 5)
    gradient[1, 2:] = 0.0  # padding steps, which get no gradient
    gradient[2] = 0.0  # a text the loss does not depend on
    perturbation = adversarial_perturbation(gradient, 0.7)
    norms = perturbation.flatten(1).norm(dim=1)
    torch.testing.assert_close(norms[:2], torch.tensor([0.7, 0.7]))
    assert norms[2] == 0.0 and (perturbation[1, 2:] == 0).all()
    cosine = torch.nn.functional.cosine_similarity(
        perturbation[0].flatten(), gradient[0].flatten(), 0
    )
    torch.testing.assert_close(cosine, torch.tensor(1.0))


def test_adversarial_step_adds_the_gradient_of_the_loss_at_the_perturbed_inputs():
    network, ids, lengths, targets, weights = _batch()
    objective = BinaryObjective()
    clean, adversarial = _backward(
        network, objective, ids, lengths, targets, weights, 0.5, torch.float32
    )
    got = {name: p.grad.clone() for name, p in network.named_parameters()}

    # The same by hand: the clean loss, its gradient at the input vectors, a step of
    # 0.5 * (mean word-vector norm) * sqrt(length) per text along it, and the loss there.
    network.zero_grad()
    inputs = network.embed(ids).detach().requires_grad_()
    loss = objective.loss(network.classify(inputs, lengths), targets).mean()
    (gradient,) = torch.autograd.grad(loss, inputs)
    step = 0.5 * network.embedding.weight.detach().norm(dim=1).mean() * lengths.sqrt()
    step = step[:, None, None] * gradient / gradient.flatten(1).norm(dim=1)[:, None, None]
    perturbed = network.embed(ids) + step
    expected = objective.loss(network.classify(network.embed(ids), lengths), targets).mean()
    expected = expected + objective.loss(network.classify(perturbed, lengths), targets).mean()
    expected.backward()

    assert clean == pytest.approx(loss.item())
    assert adversarial > clean  # the step goes uphill
    for name, p in network.named_parameters():
        torch.testing.assert_close(got[name], p.grad, msg=name)


def test_without_epsilon_a_step_backpropagates_the_clean_loss_only():
    network, ids, lengths, targets, weights = _batch()
    losses = _backward(
        network, BinaryObjective(), ids, lengths, targets, weights, 0.0, torch.float32
    )
    got = {name: p.grad.clone() for name, p in network.named_parameters()}
    network.zero_grad()
    BinaryObjective().loss(network(ids, lengths), targets).mean().backward()
    assert len(losses) == 1
    for name, p in network.named_parameters():
        torch.testing.assert_close(got[name], p.grad, msg=name)


def test_adversarial_training_learns_and_changes_the_model(monkeypatch):
    positive, negative = ["great", "superb", "moving"], ["awful", "dull", "boring"]
    rng = np.random.default_rng(0)
    texts = [f"the film was {rng.choice(positive if i % 2 else negative)}" for i in range(96)]
    labels = np.arange(96) % 2
    recorded = []
    original = sklstm.training._backward

    def recording(*args):
        recorded.append(original(*args))
        return recorded[-1]

    monkeypatch.setattr(sklstm.training, "_backward", recording)
    params = dict(
        embedding_dim=8,
        hidden_size=8,
        min_df=1,
        batch_size=16,
        # Adversarial training learns this corpus more slowly: after 6 epochs its loss has
        # only begun to fall (0.67), and the averaged weights lag the last step's.
        max_iter=10,
        learning_rate_init=0.02,
        dropout=0.0,
        random_state=0,
    )
    plain = LSTMSentimentClassifier(adversarial_epsilon=0.0, **params).fit(texts, labels)
    assert {len(losses) for losses in recorded} == {1}
    recorded.clear()
    # 0.25 per word: a 4-word text moves by half a word-vector norm in all.
    adversarial = LSTMSentimentClassifier(adversarial_epsilon=0.25, **params).fit(texts, labels)
    assert {len(losses) for losses in recorded} == {2}
    assert all(adv >= clean for clean, adv in recorded)
    assert adversarial.score(texts, labels) == 1.0
    assert not np.allclose(adversarial.predict_proba(texts), plain.predict_proba(texts))


def test_adversarial_training_with_frozen_embeddings_keeps_them_frozen():
    texts = ["good film", "bad film", "good plot", "bad plot"] * 8
    vectors = {word: np.full(8, i, dtype=np.float32) for i, word in enumerate(["good", "bad"])}
    clf = LSTMSentimentClassifier(
        embedding_dim=8,
        hidden_size=8,
        min_df=1,
        max_iter=2,
        pretrained_embeddings=vectors,
        freeze_embeddings=True,
        adversarial_epsilon=1.0,
        random_state=0,
    )
    start = clf.fit(texts, [1, 0] * 16).module_.embedding.weight.detach().clone()
    clf.set_params(warm_start=True).fit(texts, [1, 0] * 16)
    torch.testing.assert_close(clf.module_.embedding.weight.detach(), start)


def _perturbation_of_one_step(monkeypatch, network, batch, adversarial_epsilon):
    # The perturbation _backward adds to the batch's input vectors, recorded as it is made.
    perturbations = []
    original = sklstm.training.adversarial_perturbation

    def recording(gradient, norm):
        perturbations.append(original(gradient, norm))
        return perturbations[-1]

    monkeypatch.setattr(sklstm.training, "adversarial_perturbation", recording)
    _backward(network, BinaryObjective(), *batch, adversarial_epsilon, torch.float32)
    (perturbation,) = perturbations
    return perturbation


def test_padding_steps_are_never_perturbed(monkeypatch):
    network, *batch = _batch()
    perturbation = _perturbation_of_one_step(monkeypatch, network, batch, 1.0)
    assert (perturbation[1, 2:] == 0).all()  # the second text is 2 steps long
    assert (perturbation[1, :2] != 0).any() and (perturbation[0] != 0).any()


def test_each_text_is_perturbed_by_epsilon_word_norms_times_the_root_of_its_length(
    monkeypatch,
):
    network, ids, lengths, targets, weights = _batch()
    batch = (ids, lengths, targets, weights)
    perturbation = _perturbation_of_one_step(monkeypatch, network, batch, 0.1)
    word_norm = network.embedding.weight.detach().norm(dim=1).mean()
    expected = 0.1 * word_norm * lengths.float().sqrt()
    assert lengths.unique().numel() > 1  # texts of different lengths get different norms
    torch.testing.assert_close(perturbation.flatten(1).norm(dim=1), expected)


def _gradients(network):
    return torch.cat([p.grad.flatten() for p in network.parameters()])


def test_a_bfloat16_step_runs_the_lstm_in_bfloat16_and_keeps_float32_gradients():
    network, ids, lengths, targets, weights = _batch()
    dtypes = []
    for lstm in [*network.forward_layers, *network.backward_layers]:
        lstm.register_forward_hook(lambda module, inputs, output: dtypes.append(output[0].dtype))
    batch = (ids, lengths, targets, weights, 0.5)
    _backward(network, BinaryObjective(), *batch, torch.bfloat16)
    assert dtypes and set(dtypes) == {torch.bfloat16}
    mixed = _gradients(network)
    assert mixed.dtype == torch.float32
    network.zero_grad()
    dtypes.clear()
    _backward(network, BinaryObjective(), *batch, torch.float32)
    assert set(dtypes) == {torch.float32}
    # The same gradient to within bfloat16's rounding (8 bits of mantissa).
    exact = _gradients(network)
    assert torch.nn.functional.cosine_similarity(mixed, exact, 0) > 0.99
    assert not torch.equal(mixed, exact)


@pytest.mark.parametrize(
    "precision, native, expected",
    [
        ("auto", True, torch.bfloat16),
        ("auto", False, torch.float32),
        ("float32", True, torch.float32),
        ("bfloat16", False, torch.bfloat16),
    ],
)
def test_precision_sets_the_arithmetic_of_training_and_prediction(
    monkeypatch, precision, native, expected
):
    monkeypatch.setattr(sklstm.device, "cpu_has_bfloat16", lambda: native)
    dtypes = []
    original = torch.nn.LSTM.forward

    def recording(self, *args, **kwargs):
        output = original(self, *args, **kwargs)
        dtypes.append(output[0].dtype)
        return output

    monkeypatch.setattr(torch.nn.LSTM, "forward", recording)
    texts, labels = ["good film", "bad film", "good plot", "bad plot"] * 8, [1, 0] * 16
    clf = LSTMSentimentClassifier(
        embedding_dim=8, hidden_size=8, min_df=1, max_iter=1, precision=precision, device="cpu"
    ).fit(texts, labels)
    assert dtypes and set(dtypes) == {expected}
    assert {p.dtype for p in clf.module_.parameters()} == {torch.float32}
    dtypes.clear()
    assert clf.predict_proba(texts).dtype == np.float64
    assert dtypes and set(dtypes) == {expected}


def test_cpu_has_bfloat16_is_false_when_torch_cannot_tell(monkeypatch):
    for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
        monkeypatch.delattr(torch.cpu, name, raising=False)
    assert sklstm.device.cpu_has_bfloat16() is False
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True, raising=False)
    assert sklstm.device.cpu_has_bfloat16() is True


@pytest.mark.parametrize("every", [1, 2, 3])
def test_only_the_first_of_every_adversarial_every_steps_is_perturbed(monkeypatch, every):
    steps, perturbed_steps = [], []  # steps taken; the step each perturbation was made in
    original = sklstm.training.adversarial_perturbation
    original_pad = sklstm.training.pad_batch

    def recording(gradient, norm):
        perturbed_steps.append(len(steps))
        return original(gradient, norm)

    def counting(sequences, index, **options):
        steps.append(index)
        return original_pad(sequences, index, **options)

    monkeypatch.setattr(sklstm.training, "adversarial_perturbation", recording)
    monkeypatch.setattr(sklstm.training, "pad_batch", counting)
    monkeypatch.setattr(sklstm.training, "ADVERSARIAL_EVERY", every)
    texts = ["a good film", "a bad film"] * 20
    LSTMSentimentClassifier(
        embedding_dim=4,
        hidden_size=4,
        min_df=1,
        batch_size=4,
        max_iter=1,
        pretrained_embeddings=None,
        random_state=0,
    ).fit(texts, [1, 0] * 20)
    assert len(steps) == 10
    # Steps counted from 1: the first of every `every` steps is perturbed.
    assert perturbed_steps == list(range(1, 11, every))


def test_training_batches_are_padded_to_a_few_widths(monkeypatch):
    widths = []
    original = sklstm.training.pad_batch

    def recording(sequences, index, **options):
        ids, lengths = original(sequences, index, **options)
        widths.append((ids.shape[1], int(lengths.max())))
        return ids, lengths

    monkeypatch.setattr(sklstm.training, "pad_batch", recording)
    rng = np.random.default_rng(0)
    texts = [" ".join(["good"] * n) for n in rng.integers(20, 120, 256)]
    LSTMSentimentClassifier(
        embedding_dim=4, hidden_size=4, min_df=1, batch_size=4, max_iter=1, max_len=None
    ).fit(texts, np.arange(256) % 2)
    assert len(widths) == 64  # every training batch
    assert len({width for width, _ in widths}) < len({longest for _, longest in widths})
    assert all(longest <= width <= longest * 9 / 8 for width, longest in widths)


@pytest.mark.parametrize("decay", [0.9, 0.0])
def test_the_fitted_weights_are_the_moving_average_of_the_steps_weights(monkeypatch, decay):
    monkeypatch.setattr(sklstm.training, "AVERAGING_DECAY", decay)
    network, steps, _ = _fit_in_calls([3])
    assert len(steps) == 36
    # By hand: the first step's weights, then each step's blended in with the decay
    # (1 + n) / (10 + n) after n steps, capped at AVERAGING_DECAY.
    expected = steps[0]
    for n, weights in enumerate(steps[1:], start=1):
        d = min(decay, (1 + n) / (10 + n))
        expected = {name: d * expected[name] + (1 - d) * weights[name] for name in weights}
    for name, p in network.named_parameters():
        torch.testing.assert_close(p.detach(), expected[name], msg=name)
        assert torch.equal(p.detach(), steps[-1][name]) == (decay == 0.0), name


def _fit_in_calls(epochs_per_call):
    """A small network trained by one ``train`` call per entry, each continuing the one
    before: the network, its weights after every step, and the calls' Averaging."""
    torch.manual_seed(0)
    network = LSTMTextNetwork(30, 0, 6, 5, 1, True, ("mean", "max"), 0.2, 1)
    rng = np.random.default_rng(0)
    texts = [rng.integers(2, 30, rng.integers(1, 9)).tolist() for _ in range(48)]
    data = Dataset(RaggedSequences.from_lists(texts), torch.arange(48.0) % 2, torch.ones(48))
    optimizer, steps = _recording_adam(network)
    settings = dict(batch_size=4, rng=np.random.default_rng(0), device="cpu", verbose=0)
    averaging = Averaging()
    for epochs in epochs_per_call:
        rule = StoppingRule(epochs, epochs, 0.0)
        objective = BinaryObjective()
        train(network, optimizer, objective, data, None, rule, **settings, averaging=averaging)
    return network, steps, averaging


def test_a_fit_continued_in_calls_ends_where_one_fit_of_all_their_epochs_ends():
    whole, whole_steps, _ = _fit_in_calls([3])
    parts, part_steps, averaging = _fit_in_calls([1, 2])
    # Each call goes on from the last step's weights, not the average it left, and blends
    # its steps into that average: the same steps, the same average, as one fit.
    assert averaging.n_averaged == len(part_steps) == 36
    for name, p in parts.named_parameters():
        torch.testing.assert_close(part_steps[-1][name], whole_steps[-1][name], msg=name)
        torch.testing.assert_close(p.detach(), dict(whole.named_parameters())[name].detach())
        assert not torch.equal(p.detach(), part_steps[-1][name]), name
        torch.testing.assert_close(averaging.last_weights[name], part_steps[-1][name])


def _recording_adam(network):
    """Adam for ``network``, and the list of the weights after each of its steps."""
    optimizer = torch.optim.Adam(network.parameters(), lr=0.05)
    steps, adam_step = [], optimizer.step

    def recording_step():
        adam_step()
        steps.append({name: p.detach().clone() for name, p in network.named_parameters()})

    optimizer.step = recording_step
    return optimizer, steps


def test_validation_scores_the_averaged_weights_and_the_best_epoch_keeps_them(monkeypatch):
    torch.manual_seed(0)
    network = LSTMTextNetwork(30, 0, 6, 5, 1, False, ("mean",), 0.0, 1)
    data = Dataset(
        RaggedSequences.from_lists([[3, 4], [5], [6, 7, 8]] * 4), torch.ones(12) % 2, torch.ones(12)
    )
    scored = []

    def scripted_evaluate(evaluated, objective, valid, device, compute_dtype):
        scored.append({name: p.detach().clone() for name, p in evaluated.named_parameters()})
        return {"valid_loss": 0.0, "valid_accuracy": [0.5, 0.9, 0.6][len(scored) - 1]}

    monkeypatch.setattr(sklstm.training, "_evaluate", scripted_evaluate)
    optimizer, steps = _recording_adam(network)
    settings = dict(batch_size=4, rng=np.random.default_rng(0), device="cpu", verbose=0)
    averaging = Averaging()
    rule = StoppingRule(3, 5, 0.0)
    train(network, optimizer, BinaryObjective(), data, data, rule, **settings, averaging=averaging)
    assert len(steps) == 9 and len(scored) == 3
    # Restored to the best epoch's average, the network is where a continuing fit starts.
    assert averaging.last_weights is None and averaging.n_averaged == 0
    for name, p in network.named_parameters():
        torch.testing.assert_close(p.detach(), scored[1][name], msg=name)  # the best epoch's
        # What was scored after epoch 2 is the average, not the weights of its last step.
        assert not torch.equal(scored[1][name], steps[5][name]), name


def test_an_interrupted_fit_keeps_the_average_of_the_steps_it_took(monkeypatch):
    torch.manual_seed(0)
    network = LSTMTextNetwork(30, 0, 6, 5, 1, False, ("mean",), 0.0, 1)
    start = {name: p.detach().clone() for name, p in network.named_parameters()}
    data = Dataset(
        RaggedSequences.from_lists([[3, 4], [5], [6, 7, 8]] * 4), torch.ones(12) % 2, torch.ones(12)
    )
    optimizer = torch.optim.Adam(network.parameters(), lr=0.05)
    steps, adam_step = [], optimizer.step

    def interrupted_at_the_third_step():
        if len(steps) == 2:
            raise KeyboardInterrupt
        adam_step()
        steps.append({name: p.detach().clone() for name, p in network.named_parameters()})

    optimizer.step = interrupted_at_the_third_step
    settings = dict(batch_size=4, rng=np.random.default_rng(0), device="cpu", verbose=0)
    with pytest.warns(UserWarning, match="interrupted after 0 complete epoch"):
        _, interrupted = train(
            network, optimizer, BinaryObjective(), data, None, StoppingRule(2, 2, 0.0), **settings
        )
    assert interrupted
    d = 2 / 11  # the decay after one step
    for name, p in network.named_parameters():
        expected = d * steps[0][name] + (1 - d) * steps[1][name]
        torch.testing.assert_close(p.detach(), expected, msg=name)
        assert not torch.equal(p.detach(), start[name])


def _train_three_epochs(verbose):
    torch.manual_seed(0)
    network = LSTMTextNetwork(30, 0, 6, 5, 1, False, ("mean",), 0.0, 1)
    data = Dataset(
        RaggedSequences.from_lists([[3, 4], [5], [6, 7, 8]] * 8), torch.ones(24) % 2, torch.ones(24)
    )
    optimizer = torch.optim.Adam(network.parameters(), lr=0.05)
    settings = dict(batch_size=4, rng=np.random.default_rng(0), device="cpu", verbose=verbose)
    history, _ = train(
        network, optimizer, BinaryObjective(), data, None, StoppingRule(3, 3, 0.0), **settings
    )
    return history


def test_verbose_away_from_a_terminal_writes_one_line_per_epoch(capsys):
    # capsys's stderr is not a terminal, as a log file is not.
    history = _train_three_epochs(verbose=1)
    err = capsys.readouterr().err
    assert "\r" not in err
    lines = err.splitlines()
    assert len(lines) == 3
    for line, row in zip(lines, history, strict=True):
        assert line == (
            f"epoch {row['epoch']}: loss={row['train_loss']:.4f}, "
            f"tokens_per_s={row['tokens_per_second']:,.0f}, seconds={row['seconds']:.1f}"
        )


def test_verbose_on_a_terminal_draws_a_bar_per_epoch(capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    _train_three_epochs(verbose=1)
    err = capsys.readouterr().err
    # tqdm redraws its bar in place, with carriage returns, and leaves each epoch's bar.
    assert "\r" in err and err.count("\n") == 3
    assert all(f"\repoch {epoch}: 100%" in err for epoch in (1, 2, 3))


def test_verbose_0_writes_nothing(capsys):
    _train_three_epochs(verbose=0)
    assert capsys.readouterr().err == ""


def test_validation_accuracy_is_weighted_like_the_training_loss(monkeypatch):
    # Three texts right, one wrong; the wrong one weighs as much as the three others.
    logits = torch.tensor([[2.0], [3.0], [-1.0], [1.0]])
    monkeypatch.setattr(sklstm.training, "predict_logits", lambda *args: logits)
    data = Dataset(
        RaggedSequences.from_lists([[2], [3], [4], [5]]),
        torch.tensor([1.0, 1.0, 0.0, 0.0]),
        torch.tensor([1.0, 1.0, 1.0, 3.0]),
    )
    scores = sklstm.training._evaluate(None, BinaryObjective(), data, "cpu", torch.float32)
    assert scores["valid_accuracy"] == pytest.approx(3 / 6)
