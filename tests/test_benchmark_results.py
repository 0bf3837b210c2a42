"""The committed benchmark results stay readable, and the benchmarks' ``save`` keeps them so."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
# The benchmarks are scripts, not a package: their helpers are loaded from the file.
_spec = importlib.util.spec_from_file_location("benchmarks_common", BENCHMARKS / "common.py")
common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(common)


@pytest.mark.parametrize("path", sorted(BENCHMARKS.glob("results/*.csv")), ids=lambda p: p.name)
def test_every_results_file_reads_as_one_table(path):
    table = pd.read_csv(path)  # raises when a row has more fields than the header
    assert len(table) > 0


def test_save_with_a_new_column_keeps_earlier_rows(tmp_path, monkeypatch, capsys):
    results = tmp_path / "benchmarks" / "results"
    results.mkdir(parents=True)
    monkeypatch.setattr(common, "RESULTS", results)
    common.save([{"arm": "a", "speed": 1.25}], "speed", small=False, settings="x=1")
    common.save([{"arm": "b", "speed": 2.5, "speedup": 2.0}], "speed", small=False, settings="")
    table = pd.read_csv(results / "speed.csv")
    assert table["arm"].tolist() == ["a", "b"]
    assert table["speed"].tolist() == [1.25, 2.5]
    assert table["speedup"].isna().tolist() == [True, False]
    assert table["settings"].tolist()[0] == "x=1"
    assert "written to benchmarks/results/speed.csv" in capsys.readouterr().out
