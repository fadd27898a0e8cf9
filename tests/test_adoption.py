"""Tests for h2model.adoption: purchase choice by cost and the responsive fleet."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from h2model import adoption, fleet
from h2model.glossary import missing_columns
from h2model.inputs import load_case
from h2model.model import run

WORKBOOK = "inputs/guangzhou.xlsx"


@pytest.fixture(scope="module")
def case():
    return load_case(WORKBOOK, "responsive-fleet")


def _with_params(case, **adoption_params):
    params = {**case.params, "Adoption": {**case.params["Adoption"], **adoption_params}}
    return dataclasses.replace(case, params=params)


# --- the choice core ---------------------------------------------------------------------


@given(st.floats(0.5, 20.0), st.floats(0.0, 50.0),
       st.lists(st.floats(0.01, 1.0), min_size=3, max_size=3))
@settings(max_examples=40, deadline=None)
def test_equal_costs_give_the_neutral_shares(cost, beta, weights):
    n = np.asarray(weights) / np.sum(weights)
    s = adoption.logit_shares(np.full((2, 3), cost), np.full(2, cost * 1.3), n, beta)
    np.testing.assert_allclose(s, np.broadcast_to(n, (2, 3)), rtol=1e-12)


def test_logit_odds_by_hand():
    # FCEV 2.4, BEV 2.0, diesel 2.0 CNY/km, reference diesel 2.0, beta 5, neutral 0.2/0.4/0.4:
    # odds FCEV:diesel = 0.2/0.4 * exp(-5 * 0.4 / 2) = 0.5 e^-1; shares = (0.5e^-1, 1, 1) / sum
    s = adoption.logit_shares([2.4, 2.0, 2.0], 2.0, [0.2, 0.4, 0.4], 5.0)
    w = np.array([0.5 * np.exp(-1.0), 1.0, 1.0])
    np.testing.assert_allclose(s, w / w.sum(), rtol=1e-12)
    # an alternative not on offer (NaN cost) or with neutral share 0 gets nothing
    s = adoption.logit_shares([np.nan, 2.0, 3.0], 2.0, [0.2, 0.4, 0.4], 5.0)
    assert s[0] == 0.0 and s[1:].sum() == pytest.approx(1.0)


def test_mandated_share_is_bought_first_and_the_logit_splits_the_rest():
    out = adoption.split_purchases([200.0, 50.0], [0.25, 1.0], [[0.1, 0.3, 0.6], [0.1, 0.3, 0.6]])
    # 200: 50 mandated + 0.1 x 150 = 65 FCEV, 45 BEV, 90 diesel; 50 all mandated
    np.testing.assert_allclose(out, [[65.0, 45.0, 90.0], [50.0, 0.0, 0.0]])


@given(st.lists(st.integers(0, 30), min_size=1, max_size=15), st.integers(1, 12))
@settings(max_examples=60, deadline=None)
def test_stock_from_purchases_is_undone_by_stock_flows(purchases, life):
    stock = adoption.stock_from_purchases(np.asarray(purchases), life)
    np.testing.assert_array_equal(fleet.stock_flows(stock, life).purchased, purchases)


def test_whole_purchases_keep_the_running_total():
    p = np.array([[0.3, 0.3, 0.3, 2.6, 0.0]])
    w = adoption.whole_purchases(p)
    assert w.dtype.kind == "i" and (w >= 0).all()
    np.testing.assert_array_equal(np.cumsum(w), np.rint(np.cumsum(p)))


# --- on the Guangzhou case -----------------------------------------------------------------


def _fcev_purchases(c, price=None):
    t = adoption.adopt(c, price).purchases
    return t[t["modelled"]].sort_values(["year", "district", "segment"])["fcev"].to_numpy()


def test_raising_the_purchase_subsidy_never_lowers_fcev_purchases(case):
    pol = case.tables["Policy"]
    price = pd.Series(30.0, index=case.years)  # one fixed price path: the subsidy is the only change
    out = []
    for amount in (0.0, 1500.0, 3000.0, 6000.0):  # CNY per kW of fuel-cell power
        p = pol.copy()
        p.loc[p["programme_id"] == "gz_purchase_per_kw", "amount_cny"] = amount
        out.append(_fcev_purchases(dataclasses.replace(case, tables={**case.tables, "Policy": p}), price))
    for lo, hi in zip(out, out[1:], strict=False):
        assert (hi >= lo - 1e-9).all()
        assert hi.sum() > lo.sum()  # the subsidy runs 2022-2025: those purchases must rise


def test_zero_tco_differences_give_the_neutral_split(case, monkeypatch):
    names, cost = adoption.tco_by_powertrain(case)
    monkeypatch.setattr(adoption, "tco_by_powertrain",
                        lambda *a, **k: (names, np.full_like(cost, 3.0)))
    t = adoption.adopt(case).purchases
    n = adoption.AdoptionSettings.from_case(case).neutral_shares
    rest = t["new_vehicles"] - t["mandated_fcev"]
    np.testing.assert_allclose(t["fcev"], t["mandated_fcev"] + n[0] * rest, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(t["bev"], n[1] * rest, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(t["diesel"], n[2] * rest, rtol=1e-12, atol=1e-9)


def test_mandated_purchases_are_a_floor(case):
    t = adoption.adopt(case).purchases
    bus = t[(t["segment"] == "bus_12m") & (t["new_vehicles"] > 0)]
    assert (bus["fcev"] >= 0.05 * bus["new_vehicles"] - 1e-9).all()
    assert (t["fcev"] >= t["mandated_fcev"] - 1e-9).all()


def test_history_is_the_fleet_sheet_and_modelling_nothing_reproduces_it(case):
    fixed = fleet.fleet_from_case(load_case(WORKBOOK)).fleet
    # no modelled year: the adopted Fleet sheet is the rollout's stock, vehicle for vehicle
    ad = adoption.adopt(_with_params(case, first_model_year=2060))
    again = fleet.fleet_from_case(ad.case).fleet
    pd.testing.assert_frame_equal(again, fixed)
    # modelled from 2021: the 2020 stock is the Fleet sheet's 58 vehicles
    counts = adoption.fcev_in_service_by_year(adoption.adopt(case).fleet_sheet)
    assert counts[2020] == 58


def test_fixed_mode_reproduces_todays_fleet():
    c = load_case(WORKBOOK)
    assert not adoption.is_responsive(c)
    res = run(c, plan_network=False)
    assert "adoption" not in res.tables
    want = fleet.fleet_from_case(c).fleet
    pd.testing.assert_frame_equal(res["fleet"].drop(columns="scenario"), want)
    assert res["targets"].set_index("target").at["fcev", "kind"] == "input"


def test_responsive_fixed_point_converges_on_the_default_case(case):
    res = run(case, plan_network=False)
    it = res["adoption_iterations"]
    tol = adoption.AdoptionSettings.from_case(case).tolerance
    assert it["relative_change"].iloc[-1] <= tol
    assert len(it) <= adoption.AdoptionSettings.from_case(case).max_iterations
    assert any("fixed point reached" in n for n in res.notes)
    # the fleet of the run is what operators choose at the run's own price, within the tolerance
    price = res["price_path"].set_index("year")["h2_price_cny_per_kg"]
    ad = adoption.adopt(case, price)
    again = adoption.fcev_in_service_by_year(ad.fleet_sheet)
    got = res["fleet"].groupby("year")["fcev_in_service"].sum().astype(float)
    assert adoption.relative_change(again, got) <= tol
    t = res["targets"].set_index("target")
    assert t.at["fcev", "kind"] == "outcome"
    assert t.at["fcev", "achieved"] == got[2025]
    assert it["fcev_in_service_report_year"].iloc[-1] == got[2025]
    # the new tables have headers for reports
    assert missing_columns({c for df in res.tables.values() for c in df.columns}) == []
    print(f"responsive 2025 FCEVs (no network plan): {got[2025]:.0f} after {len(it)} passes")


def test_not_converging_is_said(case):
    res = run(_with_params(case, max_iterations=2, tolerance=1e-6), plan_network=False)
    assert any("NOT converged after 2 passes" in n for n in res.notes)


def test_bad_settings_are_refused(case):
    with pytest.raises(ValueError, match="neutral shares must sum to 1"):
        adoption.AdoptionSettings.from_case(_with_params(case, neutral_share_fcev=0.5))
    no_markets = dataclasses.replace(case, tables={k: v for k, v in case.tables.items() if k != "Markets"})
    with pytest.raises(ValueError, match="no Markets rows"):
        adoption.adopt(no_markets)
