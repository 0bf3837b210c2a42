"""Every measured figure in README.md comes from a committed results file.

A results table in the README is preceded by ``<!-- figures: <csv> [<csv> ...] -->``, naming
the files under ``benchmarks/results/`` it was copied from. Every number with a decimal point
in such a table must be one of those files' values as shown (rounded to the digits shown, or
as a percentage or points, times 100), and no such number may appear in the README outside
these tables, so a figure cannot drift from the measurement behind it.
"""

import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MARKER = re.compile(r"<!-- figures: (.+?) -->\n((?:\|.*\|\n)+)")
DECIMAL = re.compile(r"(?<![\w.])[+-]?\d[\d,]*\.\d+")
CODE = re.compile(r"```.*?```", flags=re.DOTALL)


def _tables():
    return [(paths.split(), table) for paths, table in MARKER.findall(README)]


def _values(paths):
    values = []
    for path in paths:
        frame = pd.read_csv(ROOT / path)
        values.extend(frame.select_dtypes("number").to_numpy().ravel().tolist())
    return [v for v in values if v == v]  # without NaN


def _shown_as(value, figure):
    digits = len(figure.split(".")[1])
    number = float(figure.replace(",", ""))
    return any(round(scale * value, digits) == number for scale in (1, 100))


def test_the_readme_has_marked_results_tables():
    assert len(_tables()) >= 2


@pytest.mark.parametrize(("paths", "table"), _tables(), ids=lambda x: str(x)[:40])
def test_every_figure_of_a_results_table_is_in_its_results_files(paths, table):
    values = _values(paths)
    missing = [f for f in DECIMAL.findall(table) if not any(_shown_as(v, f) for v in values)]
    assert not missing, f"figures not in {paths}: {missing}"


def test_no_measured_figure_outside_the_results_tables():
    text = MARKER.sub("", CODE.sub("", README))
    assert DECIMAL.findall(text) == []
