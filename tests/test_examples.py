"""Every gallery example in ``examples/`` runs to the end (the docs build renders them unrun).

The examples read their datasets with :mod:`sklstm.datasets`; here the loaders never download,
and an example whose dataset is not on disk (see ``SKLSTM_DATA``) is skipped.
"""

import runpy
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

import sklstm.datasets

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_FILES = sorted(path.name for path in EXAMPLES.glob("plot_*.py"))


def _without_download(loader):
    """``loader`` with ``download_if_missing=False``, skipping the test when the data is absent."""

    def load(*args, **kwargs):
        try:
            return loader(*args, **{**kwargs, "download_if_missing": False})
        except OSError as error:
            pytest.skip(f"dataset not on disk: {error}")

    return load


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_runs(name, tmp_path, monkeypatch):
    for loader in ("load_imdb", "load_mr"):
        original = getattr(sklstm.datasets, loader)
        monkeypatch.setattr(sklstm.datasets, loader, _without_download(original))
    plt.switch_backend("Agg")  # plt.show() then returns at once
    monkeypatch.chdir(tmp_path)  # whatever an example writes lands here
    # As "__main__", like sphinx-gallery and `python example.py`: the code under
    # `if __name__ == "__main__"` runs.
    try:
        runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    finally:
        plt.close("all")
