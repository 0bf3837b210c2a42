"""Sphinx configuration of the sklstm documentation.

Build with ``./run.sh docs`` (or ``sphinx-build -W --keep-going -b html docs docs/_build/html``).
The gallery is rendered from ``examples/`` without running the examples: the test suite runs
them (``tests/test_examples.py``). To run them during the build, pass ``-D plot_gallery=1``
and leave out ``-W``: Sphinx warns that this value is a string.
"""

from sphinx_gallery.sorting import ExplicitOrder

import sklstm

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


sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "plot_gallery": False,
    "download_all_examples": False,
    # Getting started first, then the order a new user needs the others in.
    "within_subsection_order": ExplicitOrder(
        [
            "plot_getting_started.py",
            "plot_imdb_vs_bag_of_words.py",
            "plot_explain.py",
            "plot_grid_search.py",
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
