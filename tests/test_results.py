"""Results are written atomically and reproducibly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from h2model import __version__
from h2model.results import Results


def _results(x=0.1):
    r = Results("plan-2025", "The plan", "guangzhou", "abc123")
    r.tables["stations"] = pd.DataFrame({"station_id": ["s1", "s2"], "price_cny_per_kg": [x, 1 / 3]})
    r.tables["targets"] = pd.DataFrame({"target": ["price"], "year": [2025], "comparator": ["<"],
                                        "required": [35.0], "achieved": [x], "unit": ["CNY/kg"],
                                        "kind": ["outcome"], "met": [True]})
    return r


def test_write_is_reproducible_byte_for_byte(tmp_path):
    a = _results().write(tmp_path / "a")
    b = _results().write(tmp_path / "b")
    for name in ("stations.csv", "targets.csv", "provenance.json", "results.xlsx"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_csv_floats_round_trip_exactly(tmp_path):
    out = _results().write(tmp_path / "r")
    back = pd.read_csv(out / "stations.csv")
    assert back["price_cny_per_kg"].tolist() == [0.1, 1 / 3]


def test_provenance_states_hash_scenario_version(tmp_path):
    out = _results().write(tmp_path / "r")
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["input_sha256"] == "abc123"
    assert prov["scenario"] == "plan-2025"
    assert prov["h2model_version"] == __version__


def test_failed_write_leaves_previous_output_intact(tmp_path):
    _results(0.5).write(tmp_path / "r")
    bad = _results()

    class Boom(pd.DataFrame):
        def to_csv(self, *a, **k):
            raise RuntimeError("disk full")
    bad.tables["broken"] = Boom({"x": [1]})
    with pytest.raises(RuntimeError, match="disk full"):
        bad.write(tmp_path / "r")
    kept = pd.read_csv(tmp_path / "r" / "stations.csv")
    assert np.isclose(kept["price_cny_per_kg"].iloc[0], 0.5)
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # no temporary folder left behind
