"""Where and in which arithmetic the network runs: the ``device`` and ``precision`` settings."""

import warnings

import torch


def resolve_device(device):
    """The torch device that ``device`` ("auto", "cpu", "cuda", "cuda:N" or a device) names.

    Raises
    ------
    ValueError
        If ``device`` names no device, or CUDA where there is none.
    """
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError as error:
        raise ValueError(
            f"The 'device' parameter must be 'auto', 'cpu', 'cuda' or 'cuda:N'; got {device!r}."
        ) from error
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but CUDA is not available here; use device='auto' or 'cpu'."
        )
    return resolved


def prediction_device(device):
    """The device to predict on: as ``device`` names, or the CPU where CUDA is missing.

    A model trained on a GPU and loaded on a machine without one still predicts, with a
    warning, rather than failing.
    """
    if str(device) != "auto" and torch.device(device).type == "cuda":
        if not torch.cuda.is_available():
            warnings.warn(
                f"device={device!r} but CUDA is not available here; predicting on the CPU. "
                f"Set device='cpu' (or 'auto') to silence this warning.",
                UserWarning,
                stacklevel=4,
            )
            return torch.device("cpu")
    return resolve_device(device)


def compute_dtype(precision, device):
    """The dtype of the training steps' matrix products that ``precision`` asks for."""
    if precision == "auto":
        native = device.type == "cpu" and cpu_has_bfloat16()
        return torch.bfloat16 if native else torch.float32
    return getattr(torch, precision)


def cpu_has_bfloat16():
    """Whether this CPU computes bfloat16 products natively (AVX512-BF16 or AMX)."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    # Private torch functions (since torch 2.1), hence the fallback when one is missing.
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def move_if_elsewhere(module, device):
    """Move ``module`` to ``device`` unless it is there already."""
    # Moving even to the same device rebuilds the LSTMs' weight lists, which would race with
    # predictions running in other threads.
    current = next(module.parameters()).device
    if current.type != device.type or device.index not in (None, current.index):
        module.to(device)
