"""The estimator's pickled state: only numpy arrays, plain containers and scalars.

skops can then store a fitted model without the user having to trust torch or pandas types,
and the state is the same whatever device the model trained on.
"""

import dataclasses
import warnings

import numpy as np
import pandas as pd
import torch

from ._version import __version__
from .network import LSTMTextNetwork
from .text import without_counts
from .training import Averaging


class InconsistentVersionWarning(UserWarning):
    """A model is loaded with a different sklstm version from the one that saved it."""


def portable_state(state, warm_start):
    """A copy of an estimator's ``__dict__`` with its torch and pandas objects as numpy."""
    state = dict(state)  # object.__getstate__ returns the live __dict__, which must stay untouched
    state["_sklstm_version"] = __version__
    if state.get("vocabulary") is not None:
        # The counts of the stream it was learned from are not needed to transform; one
        # copy without them stands for the parameter wherever the state holds it.
        lean = without_counts(state["vocabulary"])
        state["vocabulary"] = lean
        if "_structure" in state:
            state["_structure"] = {**state["_structure"], "vocabulary": lean}
    if "module_" in state:
        state["module_"] = _to_numpy(state["module_"].state_dict())
        optimizer = state.pop("_optimizer")
        averaging = state.pop("_averaging")
        if warm_start and optimizer is not None:
            state["_optimizer"] = _to_numpy(optimizer.state_dict())
            state["_averaging"] = _to_numpy(dataclasses.asdict(averaging))
        if state.get("history_") is not None:
            history = state["history_"].reset_index()
            state["history_"] = {name: history[name].to_numpy() for name in history}
    return state


def restore_state(estimator, state, set_plain_state):
    """Rebuild ``estimator`` from :func:`portable_state`'s output.

    ``set_plain_state`` is the estimator's inherited ``__setstate__``, which takes the plain
    entries.
    """
    state = dict(state)
    saved_version = state.pop("_sklstm_version", None)
    if saved_version != __version__:
        warnings.warn(
            f"This {type(estimator).__name__} was saved with sklstm {saved_version} and is "
            f"loaded with sklstm {__version__}; it may not work or give other results. "
            f"Refit it with this version if you can.",
            InconsistentVersionWarning,
            stacklevel=3,
        )
    weights = state.get("module_")
    optimizer_state = state.pop("_optimizer", None)
    averaging = state.pop("_averaging", {})
    set_plain_state(state)
    if weights is None:
        return
    if isinstance(estimator.history_, dict):
        estimator.history_ = pd.DataFrame(estimator.history_).set_index("epoch")
    estimator.module_ = LSTMTextNetwork(**estimator._network_kwargs)
    estimator.module_.load_state_dict(_to_tensors(weights))
    estimator.module_.eval()
    estimator._optimizer = None
    estimator._averaging = Averaging(**_to_tensors(averaging))
    if optimizer_state is not None:
        estimator._optimizer = torch.optim.Adam(estimator.module_.parameters(), fused=True)
        estimator._optimizer.load_state_dict(_to_tensors(optimizer_state))


def _to_numpy(value):
    """``value`` with every tensor in it, at any depth of dicts and lists, as a numpy array."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return _map_nested(_to_numpy, value)


def _to_tensors(value):
    """The inverse of :func:`_to_numpy`: every numpy array in ``value`` as a CPU tensor."""
    if isinstance(value, np.ndarray):
        # A copy, so that the model never shares memory with the loaded arrays.
        return torch.tensor(value)
    return _map_nested(_to_tensors, value)


def _map_nested(function, value):
    if isinstance(value, dict):
        return {k: function(v) for k, v in value.items()}
    if isinstance(value, list):
        return [function(v) for v in value]
    return value
