"""Run every gallery example in ``examples/`` (the docs build renders them without running them).

The examples read their datasets with :mod:`sklstm.datasets`; here the loaders never download,
and an example whose dataset is not on disk (see ``SKLSTM_DATA``) is skipped.
"""

import runpy
from pathlib import Path

import matplotlib
import pytest

import sklstm.datasets

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the non-interactive backend)

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = [
    "plot_getting_started.py",
    "plot_imdb_vs_bag_of_words.py",
    "plot_grid_search.py",
    "plot_stacking.py",
]


def _without_download(loader):
    """``loader`` with ``download_if_missing=False``, skipping the test when the data is absent."""

    def load(*args, **kwargs):
        try:
            return loader(*args, **{**kwargs, "download_if_missing": False})
        except OSError as error:
            pytest.skip(f"dataset not on disk: {error}")

    return load


def test_every_example_is_run():
    assert sorted(path.name for path in EXAMPLES_DIR.glob("plot_*.py")) == sorted(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs(name, monkeypatch):
    for loader in ("load_imdb", "load_mr"):
        original = getattr(sklstm.datasets, loader)
        monkeypatch.setattr(sklstm.datasets, loader, _without_download(original))
    try:
        runpy.run_path(str(EXAMPLES_DIR / name), run_name="__main__")
    finally:
        plt.close("all")
