"""Tests for h2model.station: hand calculations, the default case, subsidy rules, properties.

Hand calculations are written out with an equity-only, tax-free, inflation-free
:class:`~h2model.finance.FinanceAssumptions`, for which the break-even price is the
textbook capital recovery formula; the default-case tests check concrete figures
and invariants of the tables; hypothesis checks monotonicity and order invariance.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from h2model import fleet, station, supply
from h2model import policy as rules
from h2model.finance import FinanceAssumptions
from h2model.inputs import DEFAULT_CASE, load_case
from h2model.params import Params

PLAIN = FinanceAssumptions(discount_rate=0.08, station_life_years=20)  # no tax, VAT, inflation or debt
PROPERTY = settings(max_examples=15, deadline=None)


@functools.cache
def default_case():
    return load_case(DEFAULT_CASE)


def variant(case, **tables):
    """The case with some tables replaced (no re-validation)."""
    return dataclasses.replace(case, tables={**case.tables, **tables})


def policy(*rows: dict) -> pd.DataFrame:
    base = {"programme_id": "p", "name": "test", "level": "municipal", "segment": "all",
            "station_type": "all", "amount_cny": 0.0, "cap_cny_per_year": np.nan,
            "cap_share_of_capex": np.nan, "start_year": 2000, "end_year": 2060,
            "max_price_cny_per_kg": np.nan, "min_capacity_kg_per_day": np.nan, "source_key": "x"}
    return pd.DataFrame([{**base, "programme_id": f"p{i}", **r} for i, r in enumerate(rows)])


NO_POLICY = policy().iloc[:0]


def one_load(station_id: str, year: int, kg_per_day: float) -> pd.DataFrame:
    return pd.DataFrame({"year": [year], "station_id": [station_id], "h2_kg_per_day": [kg_per_day]})


def row(econ: station.StationEconomics, station_id: str, year: int) -> pd.Series:
    s = econ.stations
    r = s[(s["station_id"] == station_id) & (s["year"] == year)]
    assert len(r) == 1
    return r.iloc[0]


def crf(r: float, n: int) -> float:
    return r / (1.0 - (1.0 + r) ** -n)


# --- hand calculations ----------------------------------------------------------------


def test_capex_scaling_and_component_split_by_hand():
    # Standalone 35 MPa: 10 M CNY at 1,000 kg/day, exponent 0.65, land 4 M CNY,
    # shares 0.42 / 0.22 / 0.08 / 0.01 / 0.27, fixed O&M 5 %/yr, 6 staff x 150,000 CNY.
    case = default_case()
    k = 10e6 * (2000.0 / 1000.0) ** 0.65
    assert station.station_capex_cny(2000.0, 1000.0, 10e6, 0.65) == pytest.approx(k, rel=1e-14)
    assert k == pytest.approx(15.692e6, rel=1e-4)
    st_ = pd.DataFrame({"station_id": ["a"], "station_type": ["standalone"], "pressure_mpa": [35],
                        "capacity_kg_per_day": [2000.0]})
    c = station.station_costs_from_case(case, st_).iloc[0]
    expected = {"compressor": 0.42, "storage": 0.22, "dispenser": 0.08, "precooling": 0.01, "civil": 0.27}
    for comp, share in expected.items():
        assert c[f"capex_{comp}_cny"] == pytest.approx(share * k, rel=1e-12)
    assert c["capex_excl_land_cny"] == pytest.approx(k, rel=1e-12)
    assert c["land_cny"] == 4e6
    assert c["capex_cny"] == pytest.approx(k + 4e6, rel=1e-12)
    assert c["fixed_om_cny_per_year"] == pytest.approx(0.05 * k, rel=1e-12)
    assert c["staff_cny_per_year"] == 900_000.0
    # Of the equipment capex: the finance engine takes land apart (land_cny).
    assert c["compressor_replacement_share"] == pytest.approx(0.42, rel=1e-12)
    assert c["compressor_life_years"] == 10


def test_module_capex_broadcasts_and_matches_station_costs():
    case = default_case()
    caps = np.array([500.0, 1000.0, 2000.0])
    got = station.module_capex_cny(case, [["combined"], ["skid"]], [[35], [70]], caps)
    assert got.shape == (2, 3)
    assert got[0] == pytest.approx(9e6 * (caps / 1000.0) ** 0.65, rel=1e-12)
    assert got[1] == pytest.approx(6.75e6 * (caps / 1000.0) ** 0.8, rel=1e-12)
    with_land = station.module_capex_cny(case, "standalone", 35, 1000.0, include_land=True)
    assert float(with_land) == 14e6


def test_replacement_every_compressor_life_before_the_last_year():
    r = station.replacement_shares([0.3, 0.3], [10, 7], 20)
    assert np.flatnonzero(r[0]).tolist() == [9]  # end of operating year 10; none in year 20
    assert np.flatnonzero(r[1]).tolist() == [6, 13]
    assert r[1, 6] == 0.3


def test_station_year_breakeven_equals_closed_form():
    # Equity only, no tax, no inflation, flat sales q:
    # P = (K CRF + X v^10 CRF + F + r L)/q + c, land L bought at t = 0 and sold for L at the
    # end (not depreciated: it costs the interest r L a year), electricity ex VAT.
    case = variant(default_case(), Policy=NO_POLICY)
    econ = station.station_economics(case, loads=one_load("HP-P07", 2025, 1000.0), year=2025, finance=PLAIN)
    r = row(econ, "HP-P07", 2025)  # standalone, 35 MPa, 2,000 kg/day, Guangzhou Petrochemical
    k_excl = 10e6 * 2.0**0.65
    land = 4e6
    compressor = 0.42 * k_excl  # replaced at the end of operating year 10
    fixed = 0.05 * k_excl + 6 * 150_000.0
    pair = supply.delivered_cost_from_case(case, 2025).set_index(["supply_id", "station_id"])
    delivery = pair.loc[("gzpc_byproduct", "HP-P07"), "delivery_cny_per_kg"]
    # production, purification, delivery, electricity at 0.746 CNY/kWh incl. 13 % VAT
    variable = 12.0 + 3.0 + delivery + 0.7 * 0.746 / 1.13
    q = 1000.0 * 365.0
    hand = ((k_excl + compressor * 1.08**-10) * crf(0.08, 20) + fixed + 0.08 * land) / q + variable
    assert r["breakeven_price_cny_per_kg"] == pytest.approx(hand, rel=1e-12)
    assert r["breakeven_price_with_subsidy_cny_per_kg"] == pytest.approx(hand, rel=1e-12)
    assert r["land_cny_per_kg"] == pytest.approx(0.08 * land / q, rel=1e-12)
    assert r["electricity_cny_per_kg"] == pytest.approx(0.7 * 0.746 / 1.13, rel=1e-12)
    assert r["capital_cny_per_kg"] == pytest.approx(
        (k_excl + compressor * 1.08**-10) * crf(0.08, 20) / q, rel=1e-12)
    assert r["fixed_om_cny_per_kg"] == pytest.approx(fixed / q, rel=1e-12)
    assert r["financing_and_tax_cny_per_kg"] == pytest.approx(0.0, abs=1e-12)
    assert r["delivery_cny_per_kg"] == pytest.approx(delivery, rel=1e-14)
    # Every other station operating in 2025 sold nothing: no finite price.
    others = econ.stations[econ.stations["station_id"] != "HP-P07"]
    assert len(others) > 40 and others["breakeven_price_cny_per_kg"].isna().all()


def test_station_costs_credit_the_input_vat_of_electricity_and_diesel():
    # A station paying 0.8 CNY/kWh incl. 13 % VAT reclaims the VAT: its cost is 0.8/1.13 per
    # kWh. The same station with the rates set to 0 pays the tariff as it stands.
    base = default_case()
    prices = base["Prices"].assign(electricity_cny_per_kwh=0.8)
    case = variant(base, Prices=prices, Policy=NO_POLICY)
    no_vat = dataclasses.replace(case, params={
        **case.params, "Finance": {**case.finance, "electricity_vat_rate": 0.0, "diesel_vat_rate": 0.0}})
    kwh = float(cost_row(case, "HP-P07")["electricity_kwh_per_kg"])
    load = one_load("HP-P07", 2025, 1000.0)
    r = row(station.station_economics(case, loads=load, year=2025, finance=PLAIN), "HP-P07", 2025)
    r0 = row(station.station_economics(no_vat, loads=load, year=2025, finance=PLAIN), "HP-P07", 2025)
    assert r["electricity_cny_per_kg"] == pytest.approx(kwh * 0.8 / 1.13, rel=1e-14)
    assert r0["electricity_cny_per_kg"] == pytest.approx(kwh * 0.8, rel=1e-14)
    # Tube-trailer delivery burns diesel: its ex-VAT delivery cost is lower.
    assert r["delivery_mode"] == "tube_trailer"
    assert r["delivery_cny_per_kg"] < r0["delivery_cny_per_kg"]
    gap = r0["breakeven_price_cny_per_kg"] - r["breakeven_price_cny_per_kg"]
    assert gap == pytest.approx(r0["electricity_cny_per_kg"] - r["electricity_cny_per_kg"]
                                + r0["delivery_cny_per_kg"] - r["delivery_cny_per_kg"], rel=1e-9)


def test_subsidies_by_hand():
    # A 3 M CNY grant at commissioning (year 0) and 4 CNY/kg in operating years 1-5
    # capped at 1 M CNY a year: P_sub = P - [G + sum_k o q 1.08^-k] / (q a(20)).
    pol = policy({"kind": "station_capex", "amount_cny": 3e6, "start_year": 2020, "end_year": 2030},
                 {"kind": "h2_sales_per_kg", "amount_cny": 4.0, "cap_cny_per_year": 1e6,
                  "start_year": 2023, "end_year": 2027})
    case = variant(default_case(), Policy=pol)
    econ = station.station_economics(case, loads=one_load("HP-P07", 2025, 1000.0), year=2025, finance=PLAIN)
    r = row(econ, "HP-P07", 2025)  # commissioned 2023: operating years 1-5 are 2023-2027
    q = 365_000.0
    o = 1e6 / q  # the cap binds: 4 x 365,000 > 1 M CNY
    annuity = sum(1.08**-k for k in range(1, 21))
    pv_ops = sum(o * q * 1.08**-k for k in range(1, 6))
    drop = (3e6 + pv_ops) / (q * annuity)
    assert r["capital_subsidy_cny"] == 3e6
    assert r["operating_subsidy_cny_per_kg"] == pytest.approx(o, rel=1e-14)
    assert r["breakeven_price_with_subsidy_cny_per_kg"] == pytest.approx(
        r["breakeven_price_cny_per_kg"] - drop, rel=1e-12)
    assert r["subsidy_cny_per_kg"] == pytest.approx(-drop, rel=1e-12)


def test_capital_subsidy_rules():
    pol = policy(
        {"kind": "station_capex", "station_type": "combined", "amount_cny": 2.5e6,
         "cap_share_of_capex": 0.5, "start_year": 2022, "end_year": 2025, "min_capacity_kg_per_day": 1000.0},
        {"kind": "station_capex", "amount_cny": 1e6, "cap_cny_per_year": 0.8e6, "start_year": 2024,
         "end_year": 2027},
        {"kind": "h2_sales_per_kg", "amount_cny": 99.0},  # not a capital programme
    )
    got = rules.capital_subsidy_cny(
        pol, ["combined", "combined", "combined", "skid", "combined"],
        [1000.0, 999.0, 1000.0, 1000.0, 2000.0], [2023, 2023, 2025, 2025, 2028],
        [4e6, 9e6, 9e6, 9e6, 9e6])
    # share cap 2 M; too small; 2.5 M + 0.8 M; other type: 0.8 M; out of both windows.
    assert got.tolist() == [2e6, 0.0, 3.3e6, 0.8e6, 0.0]


def test_operating_subsidy_rules():
    pol = policy({"kind": "h2_sales_per_kg", "amount_cny": 5.0, "cap_cny_per_year": 1.5e6,
                  "start_year": 2024, "end_year": 2025, "max_price_cny_per_kg": 30.0},
                 {"kind": "h2_supply_reward_per_kg", "amount_cny": 3.0, "start_year": 2022,
                  "end_year": 2025, "max_price_cny_per_kg": 35.0})
    years = np.array([2023, 2024, 2025, 2025, 2025, 2026])
    kg = np.array([1e5, 1e5, 6e5, 1e5, 1e5, 1e5])
    price = np.array([29.0, 29.0, 29.0, 33.0, np.nan, 20.0])
    got = rules.operating_subsidy_cny_per_kg(pol, "combined", 1000.0, years, kg, price)
    assert got.tolist() == [3.0, 8.0, 5.5, 3.0, 0.0, 0.0]
    untested = rules.operating_subsidy_cny_per_kg(pol, "combined", 1000.0, 2025, 1e5)
    assert float(untested) == 8.0


def test_price_conditional_subsidy_is_self_consistent():
    # A 5 CNY/kg subsidy paid only at a retail price <= M: a station gets it when its
    # subsidised break-even price is at most M, and otherwise charges its unsubsidised price.
    fin = FinanceAssumptions(0.08, 20, income_tax_rate=0.25, vat_rate=0.13)
    loads = one_load("HP-P07", 2025, 1000.0)
    base = default_case()
    free = policy({"kind": "h2_sales_per_kg", "amount_cny": 5.0})
    econ = station.station_economics(variant(base, Policy=free), loads, year=2025, finance=fin)
    r = row(econ, "HP-P07", 2025)
    p_none, p_all = r["breakeven_price_cny_per_kg"], r["breakeven_price_with_subsidy_cny_per_kg"]
    assert p_all < p_none - 5.0
    for m, expected in ((p_all + 0.01, p_all), (p_all - 0.01, p_none)):
        pol = policy({"kind": "h2_sales_per_kg", "amount_cny": 5.0, "max_price_cny_per_kg": m})
        got = row(station.station_economics(variant(base, Policy=pol), loads, year=2025, finance=fin),
                  "HP-P07", 2025)
        assert got["breakeven_price_with_subsidy_cny_per_kg"] == pytest.approx(expected, rel=1e-12)


def test_subsidy_to_target_closes_the_gap():
    # Paying the reported real per-kg subsidy (as nominal amounts that grow with inflation)
    # over the station's life brings its break-even price to the 35 CNY/kg target exactly,
    # with the case's full finance (tax, debt, inflation, working capital, salvage).
    case = variant(default_case(), Policy=NO_POLICY)
    r = row(station.station_economics(case, year=2025), "HP-P07", 2025)
    assert r["gap_to_target_cny_per_kg"] > 0 and not r["meets_price_target"]
    s = r["subsidy_to_target_cny_per_kg"]
    assert s > 0
    infl = case.finance["inflation_rate"]
    years = range(2023, 2043)  # commissioned 2023, 20-year life
    pol = policy(*({"kind": "h2_sales_per_kg", "amount_cny": s * (1 + infl) ** (y - 2024),
                    "start_year": y, "end_year": y} for y in years))
    after = row(station.station_economics(variant(case, Policy=pol), year=2025), "HP-P07", 2025)
    assert after["breakeven_price_with_subsidy_cny_per_kg"] == pytest.approx(35.0, rel=1e-10)
    assert after["extra_subsidy_to_target_cny_per_kg"] == pytest.approx(0.0, abs=1e-8)


# --- the default case -----------------------------------------------------------------


@functools.cache
def default_economics(loads: str = "fallback"):
    case = default_case()
    ld = fleet.fleet_from_case(case).station_load if loads == "fleet" else None
    return station.station_economics(case, loads=ld)


def test_default_case_one_row_per_operating_station_year():
    case = default_case()
    s = default_economics().stations
    assert not s.duplicated(["year", "station_id"]).any()
    st_ = case["Stations"]
    open_ = st_[st_["status"] != "candidate"]
    cy = dict(zip(open_["station_id"], open_["commissioning_year"].astype(int), strict=True))
    assert (s["year"] >= s["station_id"].map(cy)).all()
    expected = sum(sum(1 for c in cy.values() if c <= y) for y in case.years)
    assert len(s) == expected
    in_2025 = set(s.loc[s["year"] == 2025, "station_id"])
    assert in_2025 == {i for i, c in cy.items() if c <= 2025}
    assert len(in_2025) >= 50


def test_default_case_fallback_prices_are_plausible():
    s = default_economics().stations
    assert (s["kg_sold_per_year"] > 0).all()  # the fallback path sells from the first year
    for col in ("breakeven_price_cny_per_kg", "breakeven_price_with_subsidy_cny_per_kg"):
        assert np.isfinite(s[col]).all()
        assert s[col].between(20.0, 120.0).all()
    assert (s["breakeven_price_with_subsidy_cny_per_kg"] <= s["breakeven_price_cny_per_kg"] + 1e-9).all()
    parts = ["capital", "fixed_om", "land", "electricity", "hydrogen_purchase", "delivery",
             "financing_and_tax", "subsidy", "vat"]
    total = s[[f"{p}_cny_per_kg" for p in parts]].sum(axis=1)
    np.testing.assert_allclose(total, s["breakeven_price_with_subsidy_cny_per_kg"], rtol=1e-12)
    assert (s["subsidy_cny_per_kg"] <= 0).all()
    # Fallback utilisation: 0.2, 0.3, 0.4 of capacity, then 0.5.
    age = s["year"] - s["commissioning_year"]
    np.testing.assert_allclose(s["utilisation"], np.minimum(0.2 + 0.1 * age, 0.5), rtol=1e-12)
    # Gaps and the subsidy that closes them.
    assert ((s["gap_to_target_with_subsidy_cny_per_kg"] < 0) == s["meets_price_target"]).all()
    assert (s.loc[s["meets_price_target"], "extra_subsidy_to_target_cny_per_kg"] == 0).all()
    assert (s.loc[~s["meets_price_target"], "extra_subsidy_to_target_cny_per_kg"] > 0).all()


def test_default_case_2025_figures():
    net = default_economics().network.set_index("year")
    n = net.loc[2025]
    assert n["stations_operating"] == 52
    assert n["stations_selling"] == 52
    assert 40.0 < n["network_price_with_subsidy_cny_per_kg"] < n["network_price_cny_per_kg"] < 60.0
    assert n["price_target_cny_per_kg"] == 35.0
    assert net.index.tolist() == list(range(2020, 2036))
    assert net["stations_operating"].is_monotonic_increasing


def test_network_table_is_the_volume_weighted_view_of_the_station_table():
    econ = default_economics("fleet")  # the fleet leaves some stations without sales
    s, net = econ.stations, econ.network.set_index("year")
    idle = s[s["kg_sold_per_year"] == 0]
    assert len(idle) > 0 and idle["breakeven_price_cny_per_kg"].isna().all()
    assert idle["subsidy_to_target_cny_per_kg"].isna().all() and not idle["meets_price_target"].any()
    for y, g in s.groupby("year"):
        sold = g[g["kg_sold_per_year"] > 0]
        q = sold["kg_sold_per_year"]
        for col in ("breakeven_price_cny_per_kg", "breakeven_price_with_subsidy_cny_per_kg"):
            want = (q * sold[col]).sum() / q.sum()
            assert net.loc[y, f"sellers_vw_{col}"] == pytest.approx(want, rel=1e-12)
        for sfx in ("", "_with_subsidy"):  # every operating station's cost, idle ones too
            cost = g[f"annualised_cost{sfx}_cny_per_year"]
            assert cost.notna().all() and (cost > 0).all()
            assert net.loc[y, f"network_price{sfx}_cny_per_kg"] == pytest.approx(
                cost.sum() / g["kg_sold_per_year"].sum(), rel=1e-12)
        assert net.loc[y, "stations_idle"] == len(g) - len(sold)
        idle_capex = g.loc[g["kg_sold_per_year"] == 0, "capex_cny"].sum()
        assert net.loc[y, "idle_capex_cny"] == pytest.approx(idle_capex)
        assert net.loc[y, "stations_operating"] == len(g)
        assert net.loc[y, "stations_selling"] == len(sold)
        below = sold["breakeven_price_with_subsidy_cny_per_kg"] < 35.0
        assert net.loc[y, "stations_meeting_price_target"] == int(below.sum())
        assert net.loc[y, "h2_kg_per_year"] == pytest.approx(g["kg_sold_per_year"].sum(), rel=1e-12)
        assert net.loc[y, "utilisation_mean"] == pytest.approx(g["utilisation"].mean(), rel=1e-12)


def test_delivery_matches_the_supply_module():
    case = default_case()
    s = default_economics().stations
    s = s[s["year"] == 2025]
    pairs = supply.delivered_cost_from_case(case, 2025)
    m = s.merge(pairs, on=["supply_id", "station_id"], suffixes=("", "_supply"), validate="one_to_one")
    assert len(m) == len(s)
    np.testing.assert_allclose(m["delivery_cny_per_kg"], m["delivery_cny_per_kg_supply"], rtol=1e-12)
    np.testing.assert_allclose(m["distance_km"], m["distance_km_supply"], rtol=1e-12)
    np.testing.assert_allclose(m["hydrogen_purchase_cny_per_kg"],
                               m["production_cny_per_kg"] + m["purification_cny_per_kg"], rtol=1e-12)
    assert (m["delivery_mode"] == m["delivery_mode_supply"]).all()


def test_combined_station_has_lower_land_cost_than_standalone():
    # Sanity on inputs: a combined station leases a corner of a fuel station
    # (150,000 CNY/yr); a standalone one buys 4 M CNY of land.
    s = default_economics().stations
    y = s[s["year"] == 2030].set_index("station_id")
    standalone, combined = y.loc["HP-P08"], y.loc["HP-P09"]  # both 1,000 kg/day, 35 MPa, 2024, same load
    assert standalone["station_type"] == "standalone" and combined["station_type"] == "combined"
    assert standalone["kg_sold_per_year"] == combined["kg_sold_per_year"]
    assert combined["land_cny_per_kg"] < 0.5 * standalone["land_cny_per_kg"]


def test_built_station_at_a_candidate_site():
    case = default_case()
    built = pd.DataFrame({"station_id": ["HP-C01"], "commissioning_year": [2030],
                          "capacity_kg_per_day": [1000.0], "station_type": ["combined"],
                          "pressure_mpa": [35], "supply_id": ["gzpc_byproduct"]})
    econ = station.station_economics(case, built=built)
    b = econ.stations[econ.stations["station_id"] == "HP-C01"]
    assert b["year"].tolist() == list(range(2030, 2036))
    assert (b["status"] == "built").all() and (b["name"] == "Huangpu candidate site 1").all()
    assert b["capex_cny"].iloc[0] == pytest.approx(
        float(station.module_capex_cny(case, "combined", 35, 1000.0, include_land=True)), rel=1e-12)
    cap = econ.capex[econ.capex["station_id"] == "HP-C01"]
    assert cap["component"].tolist() == ["compressor", "storage", "dispenser", "precooling", "civil", "land"]
    assert cap["capex_cny"].sum() == pytest.approx(b["capex_cny"].iloc[0], rel=1e-12)
    assert econ.network.set_index("year").loc[2030, "stations_operating"] == 58


def test_bad_inputs_are_named():
    case = default_case()
    with pytest.raises(ValueError, match="loads: station\\(s\\) not analysed.*HP-C01"):
        station.station_economics(case, loads=one_load("HP-C01", 2025, 100.0))
    with pytest.raises(ValueError, match="'CH-P02' sells hydrogen in 2025, before its commissioning"):
        station.station_economics(case, loads=one_load("CH-P02", 2025, 100.0))
    dup = pd.concat([one_load("HP-E1", 2025, 1.0)] * 2)
    with pytest.raises(ValueError, match="appears more than once"):
        station.station_economics(case, loads=dup)
    costs = case["StationCosts"]
    with pytest.raises(ValueError, match="no row for station_type='skid', pressure_mpa=35"):
        station.station_economics(variant(case, StationCosts=costs[costs["station_type"] != "skid"]))
    bad = costs.assign(share_civil=costs["share_civil"] + 0.1)
    with pytest.raises(ValueError, match="StationCosts row 2 \\(standalone, 35 MPa\\).*must sum to 1"):
        station.station_economics(variant(case, StationCosts=bad))


# --- properties -----------------------------------------------------------------------

OPEN = default_case()["Stations"].query("status != 'candidate'")
STATION_IDS = OPEN["station_id"].tolist()
COMMISSIONED = dict(zip(STATION_IDS, OPEN["commissioning_year"].astype(int), strict=True))
CAPACITY = dict(zip(STATION_IDS, OPEN["capacity_kg_per_day"], strict=True))


@st.composite
def station_year_load(draw):
    sid = draw(st.sampled_from(STATION_IDS))
    year = draw(st.integers(max(2020, COMMISSIONED[sid]), 2035))
    kg = draw(st.floats(0.02, 0.4)) * CAPACITY[sid]  # doubled, within the capacity-factor limit
    return sid, year, kg


@PROPERTY
@given(station_year_load())
def test_doubling_the_load_lowers_the_breakeven_price(case_):
    sid, year, kg = case_
    case = default_case()
    p = [row(station.station_economics(case, loads=one_load(sid, year, x), year=year), sid, year)
         for x in (kg, 2 * kg)]
    assert p[1]["breakeven_price_cny_per_kg"] < p[0]["breakeven_price_cny_per_kg"]
    assert p[1]["utilisation"] == pytest.approx(2 * p[0]["utilisation"])


@PROPERTY
@given(station_year_load(), st.floats(1e4, 5e6))
def test_a_capital_subsidy_lowers_the_breakeven_price(case_, grant_cny):
    sid, year, kg = case_
    base = default_case()
    pol = policy({"kind": "station_capex", "amount_cny": grant_cny})
    loads = one_load(sid, year, kg)
    without = row(station.station_economics(variant(base, Policy=NO_POLICY), loads, year=year), sid, year)
    with_ = row(station.station_economics(variant(base, Policy=pol), loads, year=year), sid, year)
    assert with_["capital_subsidy_cny"] == grant_cny
    price = "breakeven_price_with_subsidy_cny_per_kg"
    assert with_[price] < without[price]
    unsubsidised = "breakeven_price_cny_per_kg"
    assert with_[unsubsidised] == pytest.approx(without[unsubsidised], rel=1e-13)


@PROPERTY
@given(st.permutations(range(len(default_case()["Stations"]))), st.randoms(use_true_random=False))
def test_station_order_does_not_change_results(order, rnd):
    case = default_case()
    loads = default_economics("fleet").stations[["year", "station_id", "h2_kg_per_day"]]
    shuffled_loads = loads.iloc[rnd.sample(range(len(loads)), len(loads))]
    shuffled = variant(case, Stations=case["Stations"].iloc[list(order)].reset_index(drop=True))
    keys = ["year", "station_id"]
    a = station.station_economics(case, loads=loads).stations
    b = station.station_economics(shuffled, loads=shuffled_loads).stations
    a, b = (x.sort_values(keys).reset_index(drop=True) for x in (a, b))
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


def test_district_programme_limits_capital_subsidy():
    from h2model.policy import capital_subsidy_cny
    pol = pd.DataFrame({"kind": ["station_capex"], "station_type": ["all"], "district": ["huangpu"],
                        "amount_cny": [2.5e6], "cap_share_of_capex": [np.nan], "start_year": [2021],
                        "end_year": [2025], "min_capacity_kg_per_day": [np.nan]})
    got = capital_subsidy_cny(pol, ["combined", "combined"], [1000.0, 1000.0], [2023, 2023],
                              [9e6, 9e6], district=["huangpu", "nansha"])
    assert got.tolist() == [2.5e6, 0.0]
    # without district information the programme is not restricted (backward compatible)
    assert capital_subsidy_cny(pol, ["combined"], [1000.0], [2023], [9e6]).tolist() == [2.5e6]


def test_engine_applies_the_all_level_cap_and_reports_what_it_paid():
    # HP-P09: combined, Huangpu, 1,000 kg/day, commissioned 2024 with 9 M CNY capex.
    # Provincial 2.5 + municipal 1.0 + district 2.5 = 6.0 M, capped at min(5, 0.5 x 9) =
    # 4.5 M; filled provincial, municipal, then district: the district pays 1.0 M.
    econ = default_economics()
    r = row(econ, "HP-P09", 2024)
    assert r["capex_cny"] == 9e6 and r["commissioning_year"] == 2024
    assert r["capital_subsidy_cny"] == 4.5e6
    paid = econ.station_subsidies
    got = paid[(paid["station_id"] == "HP-P09") & (paid["kind"] == "station_capex")]
    assert got["year"].tolist() == [2024] * 3
    assert dict(zip(got["programme_id"], got["outlay_cny"], strict=True)) == {
        "gd_station_combined": 2.5e6, "gz_station_combined": 1e6, "hp_station": 1e6}
    # no station is paid more than the all-level cap
    s = econ.stations
    first = s[s["year"] == s["commissioning_year"]]
    assert (first["capital_subsidy_cny"] <= np.minimum(5e6, 0.5 * first["capex_cny"]) + 1e-6).all()


def test_station_subsidies_table_is_what_the_rows_were_paid():
    # Capital grants once, in the commissioning year; per-kg subsidies x kg sold each year.
    econ = default_economics("fleet")
    s, paid = econ.stations, econ.station_subsidies
    grants = paid[paid["kind"] == "station_capex"].groupby(["station_id", "year"])["outlay_cny"].sum()
    first = s[s["year"] == s["commissioning_year"]].set_index(["station_id", "year"])["capital_subsidy_cny"]
    pd.testing.assert_series_equal(grants, first[first > 0].sort_index(), check_names=False)
    per_kg = paid[paid["kind"] != "station_capex"].groupby(["station_id", "year"])["outlay_cny"].sum()
    want = (s["operating_subsidy_cny_per_kg"] * s["kg_sold_per_year"]).set_axis(
        pd.MultiIndex.from_frame(s[["station_id", "year"]]))
    pd.testing.assert_series_equal(per_kg, want[want > 0].sort_index(), check_names=False, rtol=1e-12)
    assert set(paid["programme_id"]) <= set(default_case()["Policy"]["programme_id"])
    assert (paid["outlay_cny"] > 0).all()


# --- capacity by year (network plan expansions) ---------------------------------------


def capacity_from(station_id: str, year: int, capacity: float, last: int = 2035) -> pd.DataFrame:
    """A station_capacity table: ``station_id`` at ``capacity`` kg/day from ``year`` on."""
    years = np.arange(year, last + 1)
    return pd.DataFrame({"station_id": [station_id] * len(years), "year": years,
                         "capacity_kg_per_day": np.full(len(years), float(capacity))})


def cost_row(case, station_id: str) -> pd.Series:
    """The StationCosts row of a station's type and pressure (read directly from the sheets)."""
    s = case["Stations"].set_index("station_id").loc[station_id]
    sc = case["StationCosts"]
    r = sc[(sc["station_type"] == s["station_type"]) & (sc["pressure_mpa"] == int(s["pressure_mpa"]))]
    assert len(r) == 1
    return r.iloc[0]


def test_doubling_capacity_changes_only_the_rows_from_that_year():
    case = default_case()
    loads = default_economics("fleet").stations[["year", "station_id", "h2_kg_per_day"]]
    sid, y0, cap0 = "HP-P07", 2030, CAPACITY["HP-P07"]
    before = station.station_economics(case, loads=loads)
    after = station.station_economics(case, loads=loads, station_capacity=capacity_from(sid, y0, 2 * cap0))
    a, b = after.stations, before.stations
    assert a[["year", "station_id"]].equals(b[["year", "station_id"]])
    same = (a["station_id"] != sid) | (a["year"] < y0)
    pd.testing.assert_frame_equal(a[same], b[same], check_exact=True)  # today's numbers, exactly

    late = a[~same]
    assert late["year"].tolist() == list(range(y0, 2036))
    r = cost_row(case, sid)
    k = r["capex_excl_land_cny"] * (2 * cap0 / r["reference_capacity_kg_per_day"]) ** r["scale_exponent"]
    np.testing.assert_allclose(late["capex_cny"], k + r["land_cost_cny"], rtol=1e-12)
    assert (late["land_cny"] == r["land_cost_cny"]).all()  # land is bought once, not per module
    assert (late["capacity_kg_per_day"] == 2 * cap0).all()
    np.testing.assert_allclose(late["utilisation"], late["h2_kg_per_day"] / (2 * cap0), rtol=1e-15)
    old = b[~same]
    assert (late["h2_kg_per_day"].to_numpy() == old["h2_kg_per_day"].to_numpy()).all()
    selling = late["kg_sold_per_year"].to_numpy() > 0
    assert selling.any()
    # More capex and O&M at the same sales: a higher unsubsidised break-even price.
    assert (late["breakeven_price_cny_per_kg"].to_numpy()[selling]
            > old["breakeven_price_cny_per_kg"].to_numpy()[selling]).all()
    # The network's installed capacity grows by the expansion from its year.
    grown = (after.network.set_index("year")["capacity_kg_per_day"]
             - before.network.set_index("year")["capacity_kg_per_day"])
    assert grown.to_dict() == {y: (cap0 if y >= y0 else 0.0) for y in range(2020, 2036)}
    # The capex table lists both sizes of the expanded station.
    cx = after.capex[after.capex["station_id"] == sid]
    assert sorted(set(cx["capacity_kg_per_day"])) == [cap0, 2 * cap0]
    big = cx[cx["capacity_kg_per_day"] == 2 * cap0]
    assert big["capex_cny"].sum() == pytest.approx(k + r["land_cost_cny"], rel=1e-12)


def test_station_year_breakeven_at_the_expanded_capacity_equals_closed_form():
    # As test_station_year_breakeven_equals_closed_form, with HP-P07 grown from 2,000
    # to 4,000 kg/day in 2025: capex, O&M and the compressor follow the new size.
    case = variant(default_case(), Policy=NO_POLICY)
    econ = station.station_economics(case, loads=one_load("HP-P07", 2025, 1000.0), year=2025, finance=PLAIN,
                                     station_capacity=capacity_from("HP-P07", 2025, 4000.0))
    r = row(econ, "HP-P07", 2025)
    c = cost_row(case, "HP-P07")
    k_excl = c["capex_excl_land_cny"] * (4000.0 / c["reference_capacity_kg_per_day"]) ** c["scale_exponent"]
    capex = k_excl + c["land_cost_cny"]
    compressor = c["share_compressor"] * k_excl
    fixed = c["fixed_om_share_per_year"] * k_excl + c["staff_count"] * c["staff_cost_cny_per_person_year"]
    pair = supply.delivered_cost_from_case(case, 2025).set_index(["supply_id", "station_id"])
    delivery = pair.loc[("gzpc_byproduct", "HP-P07"), "delivery_cny_per_kg"]
    variable = 12.0 + 3.0 + delivery + c["electricity_kwh_per_kg"] * 0.746 / 1.13  # ex VAT
    q = 1000.0 * 365.0
    n = int(c["compressor_life_years"])
    land_interest = 0.08 * c["land_cost_cny"]  # land is recovered at the end: it costs its interest
    hand = ((k_excl + compressor * 1.08**-n) * crf(0.08, 20) + fixed + land_interest) / q + variable
    assert r["capacity_kg_per_day"] == 4000.0
    assert r["utilisation"] == 0.25
    assert r["capex_cny"] == pytest.approx(capex, rel=1e-12)
    assert r["breakeven_price_cny_per_kg"] == pytest.approx(hand, rel=1e-12)
    assert r["fixed_om_cny_per_kg"] == pytest.approx(fixed / q, rel=1e-12)


def test_without_a_capacity_table_results_are_unchanged():
    # A table that restates every station's own capacity (plus years outside the
    # analysis) costs every row as a run with ``built`` only does.
    case = default_case()
    built = pd.DataFrame({"station_id": ["HP-C01"], "commissioning_year": [2027],
                          "capacity_kg_per_day": [1000.0], "station_type": ["combined"],
                          "pressure_mpa": [35], "supply_id": ["gzpc_byproduct"]})
    plain = station.station_economics(case, built=built)
    st_ = station.analysed_stations(case, built)
    years = np.arange(2015, 2041)
    own_cap = st_["capacity_kg_per_day"].to_numpy(float)
    own = pd.DataFrame({"station_id": np.repeat(st_["station_id"].to_numpy(object), len(years)),
                        "year": np.tile(years, len(st_)),
                        "capacity_kg_per_day": np.repeat(own_cap, len(years))})
    for table in (own, own.iloc[:0]):
        got = station.station_economics(case, built=built, station_capacity=table)
        for name, df in plain.tables().items():
            pd.testing.assert_frame_equal(got.tables()[name], df, check_exact=True, obj=name)
    assert len(plain.capex) == 6 * len(st_)  # one capacity per station


def test_fallback_load_path_and_subsidy_eligibility_follow_the_years_capacity():
    # HP-E1 (500 kg/day, commissioned 2019) doubles in 2026. A per-kg programme for
    # stations of at least 1,000 kg/day pays its rows from 2026 only; a capital grant with
    # the same condition never pays (it tests the capacity at commissioning, as the budget
    # does); the fallback path sells half the capacity installed that year.
    pol = policy({"kind": "station_capex", "amount_cny": 1e6, "min_capacity_kg_per_day": 1000.0},
                 {"kind": "h2_sales_per_kg", "amount_cny": 2.0, "min_capacity_kg_per_day": 1000.0})
    case = variant(default_case(), Policy=pol)
    econ = station.station_economics(case, year=[2025, 2026, 2027],
                                     station_capacity=capacity_from("HP-E1", 2026, 1000.0))
    s = econ.stations[econ.stations["station_id"] == "HP-E1"].set_index("year")
    assert s["capacity_kg_per_day"].tolist() == [500.0, 1000.0, 1000.0]
    assert s["h2_kg_per_day"].tolist() == [250.0, 500.0, 500.0]
    assert (s["utilisation"] == 0.5).all()
    assert s["capital_subsidy_cny"].tolist() == [0.0, 0.0, 0.0]
    assert s["operating_subsidy_cny_per_kg"].tolist() == [0.0, 2.0, 2.0]
    # a station commissioned at 1,000 kg/day does get the grant
    big = station.station_economics(variant(case, Stations=case["Stations"].assign(
        capacity_kg_per_day=np.where(case["Stations"]["station_id"] == "HP-E1", 1000.0,
                                     case["Stations"]["capacity_kg_per_day"]))), year=[2025])
    assert big.stations.set_index("station_id").loc["HP-E1", "capital_subsidy_cny"] == 1e6


def test_bad_capacity_tables_are_named():
    case = default_case()
    ok = capacity_from("HP-E1", 2026, 1000.0)
    with pytest.raises(ValueError, match="station_capacity: missing column 'year'"):
        station.station_years(case, station_capacity=ok.drop(columns="year"))
    with pytest.raises(ValueError, match="station 'HP-E1', year 2026\\) appears more than once"):
        station.station_years(case, station_capacity=pd.concat([ok, ok.iloc[:1]]))
    with pytest.raises(ValueError, match="not analysed.*HP-C01"):
        station.station_years(case, station_capacity=capacity_from("HP-C01", 2026, 1000.0))
    for bad in (0.0, -5.0, np.nan):
        with pytest.raises(ValueError, match="must be finite and > 0"):
            station.station_years(case, station_capacity=ok.assign(capacity_kg_per_day=bad))


def test_a_station_year_reads_the_source_the_supply_table_gives():
    # HP-E1 (prd_smr: 21 + 2 CNY/kg, Foshan) switches to gzpc_byproduct (12 + 3 CNY/kg,
    # Huangpu) from 2025; 2024 is unchanged.
    case = default_case()
    table = pd.DataFrame({"station_id": ["HP-E1"] * 2, "year": [2025, 2026],
                          "supply_id": ["gzpc_byproduct"] * 2})
    base = station.station_economics(case, year=[2024, 2025]).stations.set_index(["station_id", "year"])
    econ = station.station_economics(case, year=[2024, 2025], station_supply=table)
    got = econ.stations.set_index(["station_id", "year"])
    assert got.loc[("HP-E1", 2024), "supply_id"] == "prd_smr"
    assert got.loc[("HP-E1", 2025), "supply_id"] == "gzpc_byproduct"
    pd.testing.assert_series_equal(got.loc[("HP-E1", 2024)], base.loc[("HP-E1", 2024)])
    sup = case["Supply"].set_index("supply_id")
    stn = case["Stations"].set_index("station_id").loc["HP-E1"]
    circuity = case.params["Delivery"]["road_circuity_factor"]
    src = sup.loc["gzpc_byproduct"]
    km = circuity * supply.haversine_km(src["longitude"], src["latitude"], stn["longitude"], stn["latitude"])
    assert got.loc[("HP-E1", 2025), "distance_km"] == pytest.approx(float(km), rel=1e-12)
    costs = station.station_year_costs(case, station.station_years(case, year=[2025], station_supply=table))
    sy = station.station_years(case, year=[2025], station_supply=table)
    row = int(np.flatnonzero(sy.stations["station_id"].to_numpy()[sy.station_index] == "HP-E1")[0])
    assert costs["hydrogen_purchase_cny_per_kg"][row] == pytest.approx(12.0 + 3.0)
    # a cheaper source lowers the break-even price
    assert got.loc[("HP-E1", 2025), "breakeven_price_cny_per_kg"] < base.loc[("HP-E1", 2025),
                                                                              "breakeven_price_cny_per_kg"]


def test_bad_supply_tables_are_named():
    case = default_case()
    ok = pd.DataFrame({"station_id": ["HP-E1"], "year": [2025], "supply_id": ["gzpc_byproduct"]})
    with pytest.raises(ValueError, match="station_supply: supply_id\\(s\\) not in Supply: nowhere"):
        station.station_years(case, station_supply=ok.assign(supply_id="nowhere"))
    with pytest.raises(ValueError, match="station_supply: missing column 'year'"):
        station.station_years(case, station_supply=ok.drop(columns="year"))
    dup = "station_supply: \\(station 'HP-E1', year 2025\\) appears more than once"
    with pytest.raises(ValueError, match=dup):
        station.station_years(case, station_supply=pd.concat([ok, ok]))


# --- delivery: one rule for station economics and the network plan -----------------------


def _hand_delivery_cny_per_kg(case, supply_id: str, station_id: str, diesel_cny_per_l: float,
                              r: float | None = None):
    """Road km and the cheaper of tube trailer and liquid, written out from the Delivery sheet
    (trailer capital at ``r``, default the case's discount rate)."""
    d = case.params["Delivery"]
    r = case.params["Finance"]["discount_rate"] if r is None else r
    src = case["Supply"].set_index("supply_id").loc[supply_id]
    stn = case["Stations"].set_index("station_id").loc[station_id]
    p1, p2 = np.radians(src["latitude"]), np.radians(stn["latitude"])
    dl = np.radians(stn["longitude"] - src["longitude"])
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    km = d["road_circuity_factor"] * 2 * 6371.0088 * np.arcsin(np.sqrt(a))
    trip_h = 2 * km / d["truck_speed_km_per_h"] + d["load_unload_h_per_trip"]
    trips_per_year = d["operating_hours_per_day"] / trip_h * d["operating_days_per_year"]
    kg_per_year = trips_per_year * d["trailer_payload_kg"]
    capital = (d["trailer_capex_cny"] * crf(r, int(d["trailer_life_years"]))
               + d["tractor_capex_cny"] * crf(r, int(d["tractor_life_years"])))
    om = d["trailer_om_share_per_year"] * (d["trailer_capex_cny"] + d["tractor_capex_cny"])
    fuel_cny = 2 * km * d["truck_diesel_l_per_100km"] / 100 * diesel_cny_per_l
    trip_cny = d["driver_cny_per_h"] * trip_h + fuel_cny
    tube = (capital + om) / kg_per_year + trip_cny / d["trailer_payload_kg"] + d["filling_cny_per_kg"]
    liquid = d["liquid_fixed_cny_per_kg"] + d["liquid_cny_per_kg_per_100km"] * km / 100
    return float(km), float(tube), float(liquid)


def test_an_onsite_station_bought_elsewhere_pays_the_delivery_from_its_actual_source():
    # NS-P05 (on-site electrolysis, own source nansha_onsite_grid) re-sourced in 2025 to the
    # Nansha chemical by-product 8.5 road-km away: a tube trailer at 2025 diesel, 7.2 CNY/L
    # incl. 13 % VAT, which the haulier credits.
    case = default_case()
    km, tube, liquid = _hand_delivery_cny_per_kg(case, "nansha_chem_byproduct", "NS-P05", 7.2 / 1.13)
    assert 8 < km < 9 and tube < liquid  # the trailer is the cheaper mode at this distance
    table = pd.DataFrame({"station_id": ["NS-P05"], "year": [2025], "supply_id": ["nansha_chem_byproduct"]})
    bought = row(station.station_economics(case, year=2025, station_supply=table), "NS-P05", 2025)
    assert bought["delivery_cny_per_kg"] == pytest.approx(tube, rel=1e-12)
    assert bought["distance_km"] == pytest.approx(km, rel=1e-12)
    assert bought["delivery_mode"] == "tube_trailer"
    assert bought["hydrogen_purchase_cny_per_kg"] == pytest.approx(13.0 + 3.0)
    # supplied by its own source (the sheet's, or named in the table) it pays nothing
    own = table.assign(supply_id="nansha_onsite_grid")
    for econ in (station.station_economics(case, year=2025),
                 station.station_economics(case, year=2025, station_supply=own)):
        r = row(econ, "NS-P05", 2025)
        assert r["delivery_cny_per_kg"] == 0.0 and r["delivery_mode"] == "onsite"
    # a delivered station bought from an on-site source pays the trailer: on site is the
    # station's own production, not a kind of source
    d = supply.delivery_cost(case, case["Supply"]["supply_id"].tolist().index("nansha_onsite_grid"),
                             case["Stations"]["station_id"].tolist().index("HP-E1"), 2025)
    _, tube, liquid = _hand_delivery_cny_per_kg(case, "nansha_onsite_grid", "HP-E1", 7.2 / 1.13)
    assert float(d.cny_per_kg) == pytest.approx(min(tube, liquid), rel=1e-12) and not bool(d.own)


def test_station_finance_discount_rate_prices_the_delivery_too():
    # station_economics(finance=F) charges the tube trailer's capital at F.discount_rate (12 %
    # here, the case's is 8 %), as the station's own capital: HP-E1 (prd_smr, about 45 road-km,
    # trailer) pays the hand-calculated trailer cost at 12 %, which is the supply engine's
    # tube_trailer_cny_per_kg at that rate; NS-P05's own on-site production stays free.
    case = default_case()
    dear = FinanceAssumptions.from_mapping(dict(case.finance, discount_rate=0.12))
    base = row(station.station_economics(case, year=2025), "HP-E1", 2025)
    got = row(station.station_economics(case, year=2025, finance=dear), "HP-E1", 2025)
    diesel = case["Prices"].set_index("year").loc[2025, "diesel_cny_per_l"] / (
        1.0 + case.finance["diesel_vat_rate"])
    km, tube_8, _ = _hand_delivery_cny_per_kg(case, "prd_smr", "HP-E1", diesel)
    _, tube_12, liquid_12 = _hand_delivery_cny_per_kg(case, "prd_smr", "HP-E1", diesel, r=0.12)
    assert tube_12 < liquid_12 and got["delivery_mode"] == "tube_trailer"
    assert base["delivery_cny_per_kg"] == pytest.approx(tube_8, rel=1e-12)
    assert got["delivery_cny_per_kg"] == pytest.approx(tube_12, rel=1e-12)
    assert got["delivery_cny_per_kg"] > base["delivery_cny_per_kg"] + 0.05  # not a rounding effect
    trailer = supply.TubeTrailer.from_mapping(case.params["Delivery"])
    assert got["delivery_cny_per_kg"] == pytest.approx(
        float(supply.tube_trailer_cny_per_kg(km, trailer, 0.12, diesel)), rel=1e-12)
    onsite = row(station.station_economics(case, year=2025, finance=dear), "NS-P05", 2025)
    assert onsite["delivery_cny_per_kg"] == 0.0 and onsite["delivery_mode"] == "onsite"


def test_delivery_draws_lead_the_station_year_axis():
    # Monte Carlo draws of diesel (two draws) and circuity: outputs (draws, rows); an own-source
    # row stays at 0; a trailer row moves by 2 d f dp / 100 / P with the diesel price.
    case = default_case()
    sy = station.station_years(case, year=[2025])
    n_prices = len(case["Prices"])
    diesel = np.stack([case["Prices"]["diesel_cny_per_l"].to_numpy(float),
                       case["Prices"]["diesel_cny_per_l"].to_numpy(float) + 1.0])
    values = {("Prices", "diesel_cny_per_l"): diesel,
              ("Delivery", "road_circuity_factor"): np.array([1.3, 1.3])}
    base = station.station_year_costs(case, sy)
    drawn = station.station_year_costs(Params.from_case(case).with_draws(values), sy)
    n = len(sy.station_index)
    assert diesel.shape == (2, n_prices) and drawn["delivery_cny_per_kg"].shape == (2, n)
    np.testing.assert_allclose(drawn["delivery_cny_per_kg"][0], base["delivery_cny_per_kg"], rtol=1e-12)
    ids = sy.stations["station_id"].to_numpy(object)[sy.station_index]
    ns = int(np.flatnonzero(ids == "NS-P05")[0])
    assert drawn["delivery_cny_per_kg"][:, ns].tolist() == [0.0, 0.0]
    d = case.params["Delivery"]
    trailer = ~base["liquid_cheaper"] & ~base["delivery_own"]
    km = base["distance_km"][trailer]
    # +1 CNY/L incl. VAT is 1/1.13 ex VAT
    step = 2 * km * d["truck_diesel_l_per_100km"] / 100 * (1.0 / 1.13) / d["trailer_payload_kg"]
    np.testing.assert_allclose(np.diff(drawn["delivery_cny_per_kg"], axis=0)[0][trailer], step, rtol=1e-9)
