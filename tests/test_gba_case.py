"""The Greater Bay Area city-cluster case (inputs/greater_bay_area.xlsx) and its generator
(scripts/build_gba_case.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from h2model.inputs import load_case

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "inputs" / "greater_bay_area.xlsx"
MIRROR = ROOT / "inputs" / "greater_bay_area"

#: 2020 census resident population, 10,000 persons (census_gba_2020), typed in independently
#: of the script's table.
CENSUS = {"guangzhou": 1867.66, "shenzhen": 1756.01, "zhuhai": 243.96, "foshan": 949.89,
          "huizhou": 604.29, "dongguan": 1046.66, "zhongshan": 441.81, "jiangmen": 479.81,
          "zhaoqing": 411.36}


def _script():
    spec = importlib.util.spec_from_file_location("build_gba_case", ROOT / "scripts" / "build_gba_case.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def gba():
    return _script()


@pytest.fixture(scope="module")
def case():
    return load_case(WORKBOOK)


def test_committed_case_validates_and_its_mirror_is_the_same_case(case):
    mirror = load_case(MIRROR)
    assert case.tables.keys() == mirror.tables.keys()
    for k in case.tables:
        pd.testing.assert_frame_equal(case.tables[k], mirror.tables[k], check_exact=True, obj=k)
    assert case.params == mirror.params
    assert sorted(case["Districts"]["district"]) == sorted(CENSUS)


def test_committed_case_has_2000_candidates_spread_by_population(case):
    st = case["Stations"]
    cand = st[st["status"] == "candidate"]
    assert len(cand) == 2000
    # proportional to the census: Guangzhou 1867.66 / 7801.45 of 2,000 = 478.8
    total = sum(CENSUS.values())
    by_city = cand.groupby("district").size()
    for city, pop in CENSUS.items():
        assert abs(by_city[city] - 2000 * pop / total) < 1.0, city
    # 20 % logistics parks (standalone), the rest fuel stations (combined)
    assert (cand["station_type"] == "standalone").sum() == pytest.approx(400, abs=9)
    # Foshan's 15 stations of 2020 and Guangzhou's existing ones are fixed
    existing = st[st["status"] == "existing"].groupby("district").size()
    assert existing["foshan"] == 15 and existing["guangzhou"] == 7


def test_per_city_fleet_matches_the_cluster_target(case):
    fl = case["Fleet"]
    by = fl[fl["year"] == 2025].groupby("district")["fcev_in_service"].sum()
    assert by.sum() == 10_000  # Guangdong action plan: 10,000 FCEVs by 2025
    assert by["guangzhou"] == 2600 and by["guangzhou"] > 2500  # Guangzhou's own plan: > 2,500
    # the other 7,400 by population x readiness (Foshan 2.5; non-members 0.5; others 1)
    ready = {"foshan": 2.5, "huizhou": 0.5, "jiangmen": 0.5, "zhaoqing": 0.5}
    w = {c: p * ready.get(c, 1.0) for c, p in CENSUS.items() if c != "guangzhou"}
    for city, wc in w.items():
        assert abs(by[city] - 7400 * wc / sum(w.values())) < 1.0, city
    # Foshan: by hand 7400 x 2374.7 / 6612.3 = 2657.6
    assert by["foshan"] in (2657, 2658)
    # Foshan starts from its sourced 2020 stock (about 1,400 FCEVs)
    assert fl[(fl["year"] == 2020) & (fl["district"] == "foshan")]["fcev_in_service"].sum() == 1400
    t = case["Targets"].set_index("target_id")
    assert (t.loc["stations", "value"], t.loc["fcev", "value"], t.loc["price", "value"]) == (200, 10000, 30)


def test_every_generated_row_is_marked_an_assumption(case):
    kinds = case["Sources"].set_index("source_key")["kind"]
    for sheet in ("Stations", "Depots", "DemandPoints"):
        df = case[sheet]
        generated = df[df["name"].str.contains("(generated)", regex=False)]
        assert len(generated) > 0
        keys = generated["source_key"].str.split(";")
        assert keys.map(lambda ks: any(kinds[k] == "assumption" for k in ks)).all(), sheet
    assert kinds["asm_gba_candidates"] == "assumption" and kinds["gd_action_targets_2022"] == "sourced"


def test_cluster_rewards_are_cluster_wide_and_guangzhou_money_stays_in_guangzhou(case):
    pol = case["Policy"].set_index("programme_id")
    assert (pol.loc[pol["level"] == "national", "district"] == "all").all()
    assert (pol.loc[pol["level"] == "municipal", "district"] == "guangzhou").all()
    # the vehicle engine pays vehicle programmes everywhere: Guangzhou's are left out
    municipal = pol[pol["level"] == "municipal"]
    assert not municipal["kind"].isin(["vehicle_purchase_per_kw", "vehicle_operation_per_km"]).any()


def test_script_is_deterministic_and_sized_by_its_parameter(gba, tmp_path):
    a = gba.build(n_sites=150, seed=3)
    b = gba.build(n_sites=150, seed=3)
    c = gba.build(n_sites=150, seed=4)
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k], check_exact=True, obj=k)
    assert not a["Stations"][["longitude", "latitude"]].equals(c["Stations"][["longitude", "latitude"]])
    assert (a["Stations"]["status"] == "candidate").sum() == 150
    gba.write(a, tmp_path / "one", None)
    gba.write(b, tmp_path / "two", None)
    for f in sorted((tmp_path / "one").glob("*.csv")):
        assert f.read_bytes() == (tmp_path / "two" / f.name).read_bytes(), f.name


def test_committed_csvs_are_what_the_script_writes(gba, tmp_path):
    gba.write(gba.build(), tmp_path / "gba", None)  # the defaults: 2,000 sites, seed 17
    written = sorted(p.name for p in (tmp_path / "gba").glob("*.csv"))
    assert written == sorted(p.name for p in MIRROR.glob("*.csv"))
    for name in written:
        assert (tmp_path / "gba" / name).read_bytes() == (MIRROR / name).read_bytes(), name


def test_largest_remainder_keeps_the_total():
    gba = _script()
    assert gba.largest_remainder(7, [1, 1, 1]).tolist() == [3, 2, 2]
    out = gba.largest_remainder(1000, [3.3, 2.2, 1.1])
    assert out.sum() == 1000 and np.abs(out - 1000 * np.array([3, 2, 1]) / 6).max() < 1


def test_small_variant_runs_end_to_end(gba, tmp_path):
    from h2model import model

    # 60 candidates: 136 sites in all, fewer than the > 200 target (kept as a penalised slack)
    sheets = gba.build(n_sites=60, seed=5, time_limit_s=20.0, mip_gap=0.02)
    gba.write(sheets, tmp_path / "small", None)
    res = model.run(load_case(tmp_path / "small"))
    by_year = res["network_by_year"].set_index("year")
    solve = res["network_solve"].iloc[0]
    assert solve["status"] in ("optimal", "feasible") and np.isfinite(solve["objective_cny"])
    targets = res["targets"].set_index("target")
    assert targets.loc["fcev", "achieved"] == 10_000
    # more stations than the 23 fixed ones of 2025 (Guangzhou's 7, Foshan's 15, Dongguan's 1)
    assert 23 < by_year.loc[2025, "stations_operating"] <= 136
    assert by_year.loc[2025, "h2_kg_per_year"] > 0
