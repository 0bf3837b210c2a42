import itertools

import pytest
import torch

from sklstm.network import LSTMTextNetwork


def _network(bidirectional, num_layers, pooling, n_outputs=1):
    torch.manual_seed(0)
    return LSTMTextNetwork(60, 0, 8, 6, num_layers, bidirectional, pooling, 0.0, n_outputs).eval()


@pytest.mark.parametrize(
    ("bidirectional", "num_layers", "pooling"),
    list(
        itertools.product(
            [False, True],
            [1, 2],
            [("last",), ("mean",), ("max",), ("bag",), ("last", "mean", "max", "bag")],
        )
    ),
)
def test_padding_never_changes_a_result(bidirectional, num_layers, pooling):
    net = _network(bidirectional, num_layers, pooling)
    torch.manual_seed(1)
    text = torch.randint(2, 60, (1, 5))
    longer = torch.randint(2, 60, (1, 40))
    batch = torch.cat([torch.cat([text, torch.zeros(1, 35, dtype=torch.long)], 1), longer])
    with torch.no_grad():
        alone = net(text, torch.tensor([5]))
        batched = net(batch, torch.tensor([5, 40]))
    torch.testing.assert_close(alone[0], batched[0], atol=1e-6, rtol=0)


def test_backward_direction_reads_the_text_in_reverse():
    # A bidirectional network must tell a text from its reverse, and its output must change
    # when the first token changes even with "last" pooling (the backward direction ends there).
    net = _network(True, 1, ("last",))
    text = torch.tensor([[5, 6, 7, 8]])
    changed_first = torch.tensor([[9, 6, 7, 8]])
    with torch.no_grad():
        out = net(text, torch.tensor([4]))
        assert not torch.allclose(out, net(changed_first, torch.tensor([4])))
        assert not torch.allclose(out, net(text.flip(1), torch.tensor([4])))


@pytest.mark.parametrize("kind", ["last", "mean", "max"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_pooling_reads_each_direction_as_a_plain_lstm_over_the_text(kind, num_layers):
    net = _network(True, num_layers, (kind,))
    ids, lengths = torch.tensor([[5, 6, 7, 8, 0, 0]]), torch.tensor([4])
    pool = {"last": lambda s: s[-1], "mean": lambda s: s.mean(0), "max": lambda s: s.amax(0)}
    with torch.no_grad():
        # The text alone, no padding, time-major as the layers take it: (4, 1, E)
        states = net.embedding(ids[:, :4]).transpose(0, 1)
        for forward, backward in zip(net.forward_layers, net.backward_layers, strict=True):
            reverse = backward(states.flip(0))[0]  # the text read backwards, in reading order
            forward_states = forward(states)[0]
            states = torch.cat([forward_states, reverse.flip(0)], 2)  # both in text order
        # The backward direction's last state is the one after reading the first token.
        pooled = torch.cat([pool[kind](forward_states[:, 0]), pool[kind](reverse[:, 0])])
        torch.testing.assert_close(net(ids, lengths)[0], net.output(pooled))


def test_dropout_drops_a_share_p_and_rescales_the_rest():
    dropout = LSTMTextNetwork(60, 0, 8, 6, 1, True, ("mean",), 0.3, 1).dropout.train()
    torch.manual_seed(0)
    x = torch.ones(200, 500)
    dropped = dropout(x)
    assert abs((dropped == 0).float().mean().item() - 0.3) < 0.005
    assert dropped.unique().tolist() == [0.0, pytest.approx(1 / 0.7)]
    assert torch.equal(dropout.eval()(x), x)


def test_output_shapes():
    net = _network(True, 2, ("mean", "max"), n_outputs=3)
    assert net.output.in_features == 2 * 2 * 6
    # "bag" adds the mean input vector (embedding_dim 8) beside the LSTM's poolings.
    assert _network(True, 1, ("mean", "bag")).output.in_features == 2 * 6 + 8
    logits = net(torch.randint(0, 60, (4, 9)), torch.tensor([9, 3, 1, 5]))
    assert logits.shape == (4, 3)


def test_gradients_reach_every_parameter():
    net = _network(True, 2, ("last", "mean", "max")).train()
    net(torch.randint(2, 60, (3, 7)), torch.tensor([7, 4, 2])).sum().backward()
    for name, param in net.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name


def test_ngram_inputs_add_to_the_word_embedding_and_padding_still_never_counts():
    torch.manual_seed(0)
    net = LSTMTextNetwork(60, 30, 8, 6, 1, True, ("mean", "max"), 0.0, 1).eval()
    torch.manual_seed(1)
    text = torch.stack([torch.randint(2, 60, (1, 5)), torch.randint(0, 30, (1, 5))], 2)
    longer = torch.stack([torch.randint(2, 60, (1, 40)), torch.randint(0, 30, (1, 40))], 2)
    padded = torch.cat([text, torch.zeros(1, 35, 2, dtype=torch.long)], 1)
    with torch.no_grad():
        alone = net(text, torch.tensor([5]))
        batched = net(torch.cat([padded, longer]), torch.tensor([5, 40]))
        other_ngrams = text.clone()
        other_ngrams[0, 2, 1] = (text[0, 2, 1] + 1) % 30
        assert not torch.allclose(alone, net(other_ngrams, torch.tensor([5])))
    torch.testing.assert_close(alone[0], batched[0], atol=1e-6, rtol=0)
    expected = net.embedding(text[:, :, 0]) + net.ngram_embedding(text[:, :, 1])
    torch.testing.assert_close(net.embed(text), expected)


def test_bag_pooling_is_the_output_layer_on_the_mean_input_vector():
    net = _network(True, 1, ("bag",))
    ids = torch.tensor([[5, 6, 7, 0], [8, 9, 10, 11]])
    lengths = torch.tensor([3, 4])
    with torch.no_grad():
        expected = torch.stack(
            [net.output(net.embedding(ids[i, :n]).mean(0)) for i, n in enumerate(lengths)]
        )
        torch.testing.assert_close(net(ids, lengths), expected)


@pytest.mark.parametrize("n_ngram_ids", [0, 30])
def test_linear_path_adds_the_scaled_weights_of_the_text_features(n_ngram_ids):
    torch.manual_seed(0)
    net = LSTMTextNetwork(
        60, n_ngram_ids, 8, 6, 1, True, ("mean",), 0.0, 3, n_linear_ids=20, linear_orders=2
    ).eval()
    with torch.no_grad():
        net.linear_weight.normal_()
        net.linear_scale.uniform_(-2, 2)
        net.linear_scale[0] = 0.0  # as the estimator sets it: id 0 is no feature
    words = torch.randint(2, 60, (1, 4, 1))
    ngrams = torch.randint(0, 30, (1, 4, 1 if n_ngram_ids else 0))
    features = torch.tensor([[[3, 0], [4, 7], [0, 0], [19, 1]]])
    text = torch.cat([words, ngrams, features], 2)
    padded = torch.cat([text, torch.zeros(1, 3, text.size(2), dtype=torch.long)], 1)
    without = text.clone()
    without[:, :, -2:] = 0
    with torch.no_grad():
        weight = net.linear_weight * net.linear_scale
        expected = net(without, torch.tensor([4])) + weight[[3, 4, 7, 19, 1]].sum(0)
        torch.testing.assert_close(net(text, torch.tensor([4])), expected)
        torch.testing.assert_close(net(padded, torch.tensor([4])), expected)
        # The LSTM reads only the word (and hashed n-gram) columns.
        torch.testing.assert_close(net.embed(text), net.embed(without))


def test_the_lstm_reads_max_steps_and_the_linear_path_every_step():
    torch.manual_seed(0)
    kwargs = dict(n_linear_ids=20, linear_orders=1)
    net = LSTMTextNetwork(60, 0, 8, 6, 1, True, ("mean", "max"), 0.0, 1, **kwargs).eval()
    capped = LSTMTextNetwork(60, 0, 8, 6, 1, True, ("mean", "max"), 0.0, 1, max_steps=3, **kwargs)
    capped.eval()
    with torch.no_grad():
        net.linear_weight.normal_()
        net.linear_scale.uniform_(-2, 2)
        net.linear_scale[0] = 0.0
        capped.load_state_dict(net.state_dict())
    words = torch.randint(2, 60, (1, 5, 1))
    features = torch.tensor([[[3], [0], [5], [8], [19]]])
    text = torch.cat([words, features], 2)
    with torch.no_grad():
        weight = net.linear_weight * net.linear_scale
        # The uncapped network on the first 3 steps, plus the features of the other two.
        expected = net(text[:, :3], torch.tensor([3])) + weight[[8, 19]].sum(0)
        torch.testing.assert_close(capped(text, torch.tensor([5])), expected)
        assert capped.embed(text).shape == (1, 3, 8)
