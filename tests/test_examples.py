"""Every gallery example in ``examples/`` runs to the end.

The docs build runs them too when it finds the datasets, but ``pytest`` alone should catch a
broken example. The examples read their datasets with :mod:`sklstm.datasets`. Here the data
home is ``SKLSTM_DATA``, else ``../shared/data`` beside the repository when it exists, as in
``run.sh``, else the loaders' default; the loaders never download, and an example whose dataset
is not on disk is skipped.
"""

import os
import runpy
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

import sklstm.datasets

REPOSITORY = Path(__file__).resolve().parent.parent
EXAMPLES = REPOSITORY / "examples"
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
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
    if not os.environ.get("SKLSTM_DATA") and SHARED_DATA.is_dir():
        monkeypatch.setenv("SKLSTM_DATA", str(SHARED_DATA))
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
