"""Sphinx configuration of the sklstm documentation.

Build with ``./run.sh docs`` (or ``sphinx-build -W --keep-going -b html docs docs/_build/html``).

The gallery runs every example of ``examples/`` and shows its printed output and figures, when
the datasets the examples read are on disk: in ``SKLSTM_DATA``, or else in ``../shared/data``
beside the repository, where ``run.sh`` finds them (this file looks there too, for a plain
``sphinx-build``), or else in ``~/sklstm_data``, the loaders' default. Without them the gallery
shows the examples' code and text without running them, says so on stderr, and the build still
passes. ``-D plot_gallery=0`` skips running them anyway, for a quick build; ``-D
plot_gallery=1`` runs them in any case, and the loaders then download the missing datasets.
"""

import os
import sys
from pathlib import Path

import torch

# sphinx-gallery looks up the names that an example imports in the modules already imported,
# expecting an AttributeError for a name that is not there; scikit-learn raises ImportError for
# its experimental HalvingGridSearchCV (plot_successive_halving.py) until this import.
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sphinx_gallery.sorting import ExplicitOrder

import sklstm
from sklstm.datasets import get_data_home

project = "sklstm"
author = "the sklstm developers"
copyright = "2026, the sklstm developers"
release = sklstm.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build"]
templates_path = ["_templates"]

autosummary_generate = True
autodoc_typehints = "none"
# Classes list their methods through the autosummary template in _templates/, so numpydoc
# must not add a second, unresolvable member table.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False


def skip_metadata_request_methods(app, what, name, obj, skip, options):
    """Leave scikit-learn's generated ``set_*_request`` methods out of the class pages.

    scikit-learn adds them to every estimator for metadata routing; their docstrings refer to
    pages of scikit-learn's own documentation.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", skip_metadata_request_methods)


# The datasets are looked for where run.sh looks, then where the loaders look by default; the
# examples, which run in this process, then find them there too.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
if not os.environ.get("SKLSTM_DATA") and SHARED_DATA.is_dir():
    os.environ["SKLSTM_DATA"] = str(SHARED_DATA)
# The files of the data home that the examples read (see sklstm.datasets) and that are absent.
MISSING_DATA = [
    name
    for name in ("imdb/train.csv.gz", "imdb/test.csv.gz", "imdb/unsup.csv.gz", "mr/all.csv.gz")
    if not (Path(get_data_home()) / name).is_file()
]
if MISSING_DATA:
    print(
        f"sklstm docs: {', '.join(MISSING_DATA)} not found in {get_data_home()}, so the gallery "
        "shows the examples without running them (-D plot_gallery=1 runs them and downloads "
        "the data; see docs/conf.py).",
        file=sys.stderr,
    )

# The examples' networks are small, so a second torch thread gains them little, while on a
# 2-core machine busy with other work its spin-waiting made the seven examples take 735 s
# instead of 82 s; the test suite runs on one thread for the same reason.
torch.set_num_threads(1)

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # A string, like sphinx-gallery's own default, so that -D plot_gallery=0 or =1 (a string)
    # has the type Sphinx expects and raises no warning.
    "plot_gallery": str(not MISSING_DATA),
    "download_all_examples": False,
    # Getting started first, then the order a new user needs the others in.
    "within_subsection_order": ExplicitOrder(
        [
            "plot_getting_started.py",
            "plot_imdb_vs_bag_of_words.py",
            "plot_unlabeled_texts.py",
            "plot_explain.py",
            "plot_grid_search.py",
            "plot_successive_halving.py",
            "plot_stacking.py",
            "plot_persistence.py",
            "plot_dask_grid_search.py",
            "*",
        ]
    ),
}

html_theme = "pydata_sphinx_theme"
html_title = f"sklstm {release}"
html_theme_options = {"navigation_with_keys": False}
