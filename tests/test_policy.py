"""Tests for h2model.policy: one hand-calculated case per programme kind."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from h2model import fleet, policy
from h2model.inputs import DEFAULT_CASE, load_case
from tests.data.fleet_case import make_case, typed

YEARS = np.arange(2023, 2028)
CITY_PRICE = pd.Series([40.0, 38.0, 35.0, 32.0, 30.0], index=YEARS)  # CNY/kg
SEGMENTS = make_case().tables["Segments"]  # fcev: bus_12m 80 kW, heavy_tractor 120 kW


def prog(**kw) -> dict:
    base = {"name": "test", "level": "municipal", "segment": "all", "station_type": "all",
            "start_year": 2023, "end_year": 2027}
    return {**base, **kw}


# Vehicles: 2 buses and 3 tractors bought in 2024, one low-mileage tractor in 2025.
VEHICLES = pd.DataFrame({
    "segment": ["bus_12m"] * 2 + ["heavy_tractor"] * 4,
    "purchase_year": [2024, 2024, 2024, 2024, 2024, 2025],
    "retire_year": [2032, 2032, 2029, 2029, 2029, 2030],
    "annual_km": [60_000.0, 60_000.0, 100_000.0, 100_000.0, 100_000.0, 30_000.0],
})

# Stations A (combined, 1,000 kg/day, 2024), B (standalone, 400, 2025), C (skid, 600, 2025).
ST_TYPE = np.array(["combined", "standalone", "skid"], dtype=object)
ST_CAP = np.array([1000.0, 400.0, 600.0])
ST_YEAR = np.array([2024, 2025, 2025])
ST_CAPEX = np.array([3_000_000.0, 10_000_000.0, 10_000_000.0])

NO_VEHICLES = VEHICLES.iloc[:0]
NO_SUBSIDIES = pd.DataFrame({c: [] for c in policy.STATION_SUBSIDY_COLUMNS})


def run(rows, vehicles=NO_VEHICLES, station_subsidies=NO_SUBSIDIES):
    b = policy.budget(typed("Policy", rows), SEGMENTS, vehicles, station_subsidies, YEARS, CITY_PRICE)
    return b.set_index(["programme_id", "year"])


def progs(rows, kinds=policy.STATION_KINDS + policy.H2_KINDS, caps=None):
    return policy.station_programmes(typed("Policy", rows), kinds, caps)


@functools.cache
def default_case():
    return load_case(DEFAULT_CASE)


def test_vehicle_purchase_per_kw_cap_binding_and_not():
    b = run([prog(programme_id="kw", kind="vehicle_purchase_per_kw", amount_cny=3000.0,
                  cap_cny_per_year=330_000.0)], VEHICLES)
    # 2024: buses 80 kW x 3,000 = 240,000 each (cap not binding);
    #       tractors 120 kW x 3,000 = 360,000 -> capped at 330,000 each
    #       2 x 240,000 + 3 x 330,000 = 1,470,000
    assert b.loc[("kw", 2024), "outlay_cny"] == 1_470_000.0
    assert b.loc[("kw", 2024), "items"] == 5
    assert b.loc[("kw", 2025), "outlay_cny"] == 330_000.0
    assert ("kw", 2026) not in b.index  # nothing bought


def test_vehicle_reward_per_vehicle_is_a_transfer_not_in_the_budget():
    rows = [
        prog(programme_id="capped", kind="vehicle_reward_per_vehicle", segment="heavy_tractor",
             amount_cny=100_000.0, cap_cny_per_year=80_000.0),
        prog(programme_id="free", kind="vehicle_reward_per_vehicle", amount_cny=50_000.0),
        prog(programme_id="kw", kind="vehicle_purchase_per_kw", amount_cny=1000.0),
    ]
    rates = policy.vehicle_subsidy_rates(typed("Policy", rows), SEGMENTS, YEARS, CITY_PRICE)
    r = rates.set_index(["programme_id", "year", "segment"])["cny_per_vehicle"]
    assert r.loc[("capped", 2024, "heavy_tractor")] == 80_000.0  # cap binds
    assert ("capped", 2024, "bus_12m") not in r.index  # tractors only
    assert r.loc[("free", 2024, "bus_12m")] == 50_000.0
    # The rewards fund the local subsidies: only the local one is cash to the buyer.
    b = run(rows, VEHICLES)
    assert set(b.index.get_level_values("programme_id")) == {"kw"}
    assert b.loc[("kw", 2024), "outlay_cny"] == 2 * 80_000.0 + 3 * 120_000.0
    assert "vehicle_reward_per_vehicle" not in policy.TCO_PURCHASE_KINDS


def test_vehicle_operation_per_km_cap_and_price_condition():
    b = run([
        prog(programme_id="op", kind="vehicle_operation_per_km", segment="heavy_tractor",
             amount_cny=2.5, cap_cny_per_year=100_000.0),
        prog(programme_id="op35", kind="vehicle_operation_per_km", segment="heavy_tractor",
             amount_cny=1.0, max_price_cny_per_kg=35.0, price_comparator="<="),
        prog(programme_id="below35", kind="vehicle_operation_per_km", segment="heavy_tractor",
             amount_cny=1.0, max_price_cny_per_kg=35.0, price_comparator="<"),
    ], VEHICLES)
    # 2024: 3 tractors x min(100,000 km x 2.5, 100,000) = 300,000 (cap binds)
    assert b.loc[("op", 2024), "outlay_cny"] == 300_000.0
    # 2025: + the 30,000 km tractor: min(75,000, 100,000) = 75,000 (cap does not bind)
    assert b.loc[("op", 2025), "outlay_cny"] == 375_000.0
    assert b.loc[("op", 2025), "items"] == 4
    # 2027: all four still run (the 2024 tractors, life 5, retire at the start of 2029)
    assert b.loc[("op", 2027), "outlay_cny"] == 375_000.0
    # price condition: city price 38 CNY/kg in 2024 > 35 -> not paid; 35 in 2025 -> paid
    assert ("op35", 2024) not in b.index
    assert b.loc[("op35", 2025), "outlay_cny"] == 3 * 100_000.0 + 30_000.0
    # "below 35": 35 CNY/kg in 2025 does not qualify, 32 in 2026 does
    assert ("below35", 2025) not in b.index
    assert b.loc[("below35", 2026), "outlay_cny"] == 3 * 100_000.0 + 30_000.0


def test_programme_years_are_respected():
    b = run([prog(programme_id="short", kind="vehicle_purchase_per_kw", amount_cny=1.0,
                  start_year=2025, end_year=2025)], VEHICLES)
    assert b.index.tolist() == [("short", 2025)]


def test_station_capex_share_cap_amount_cap_and_min_capacity():
    p = progs([
        prog(programme_id="capex", kind="station_capex", amount_cny=2_000_000.0, cap_share_of_capex=0.5,
             min_capacity_kg_per_day=500.0),
        prog(programme_id="combined", kind="station_capex", station_type="combined",
             amount_cny=1_000_000.0, cap_cny_per_year=800_000.0),
    ])
    g = policy.station_grants_cny(p, ST_TYPE, ST_CAP, ST_YEAR, ST_CAPEX)
    # A: min(2,000,000, 0.5 x 3,000,000) = 1,500,000 (share cap binds); combined: 800,000
    # B is too small (400 < 500 kg/day) and not combined; C: min(2,000,000, 5,000,000)
    assert g.tolist() == [[1_500_000.0, 800_000.0], [0.0, 0.0], [2_000_000.0, 0.0]]
    # no group: programmes add up without an all-level cap
    assert policy.capital_subsidy_cny(typed("Policy", [
        prog(programme_id="x", kind="station_capex", amount_cny=4e6),
        prog(programme_id="y", kind="station_capex", amount_cny=4e6)]), "skid", 500.0, 2024, 1e7) == 8e6


def test_station_capex_unknown_capex_leaves_share_cap_unbound():
    p = progs([prog(programme_id="capex", kind="station_capex", amount_cny=2_000_000.0,
                    cap_share_of_capex=0.5)])
    assert policy.station_grants_cny(p, "combined", 1000.0, 2024, np.nan).tolist() == [2_000_000.0]


def test_h2_sales_per_kg_cap_and_price_condition():
    p = progs([prog(programme_id="sales", kind="h2_sales_per_kg", amount_cny=5.0,
                    cap_cny_per_year=1_500_000.0, max_price_cny_per_kg=35.0, price_comparator="<=")])
    # A 2024 at 30 CNY/kg, A 2025 at 40, C 2025 at 34, B 2025 price unknown
    kg = np.array([400_000.0, 100_000.0, 100_000.0, 50_000.0])
    rate = policy.per_kg_subsidies_cny_per_kg(p, ST_TYPE[[0, 0, 2, 1]], ST_CAP[[0, 0, 2, 1]],
                                              [2024, 2025, 2025, 2025], kg, [30.0, 40.0, 34.0, np.nan])
    _, paid = policy.station_outlays_cny(np.zeros((4, 0)), rate, kg, np.zeros(4, bool))
    # A 2024: 400,000 kg x 5 = 2,000,000 -> capped at 1,500,000 (3.75 CNY/kg); 40 > 35 not
    # met; C: 100,000 x 5 = 500,000; B's unknown price is not met
    assert paid[:, 0].tolist() == [1_500_000.0, 0.0, 500_000.0, 0.0]
    assert rate[0, 0] == 3.75


def test_h2_supply_reward_per_kg_without_cap_with_min_capacity():
    p = progs([prog(programme_id="cluster", level="national", kind="h2_supply_reward_per_kg",
                    amount_cny=10.0, min_capacity_kg_per_day=500.0)])
    rate = policy.per_kg_subsidies_cny_per_kg(p, ST_TYPE, ST_CAP, 2025, [1e5, 1e5, 1e5])
    assert rate[:, 0].tolist() == [10.0, 0.0, 10.0]  # B is below 500 kg/day


def test_district_programme_pays_only_its_district():
    p = progs([prog(programme_id="hp", kind="station_capex", amount_cny=1_000_000.0, district="huangpu")])
    g = policy.station_grants_cny(p, ST_TYPE, ST_CAP, ST_YEAR, ST_CAPEX,
                                  district=["huangpu", "nansha", "nansha"])
    assert g[:, 0].tolist() == [1_000_000.0, 0.0, 0.0]


# --- the published rules, on the default case's programmes ------------------------------


def default_grants(capex_cny, district="huangpu", year=2024, station_type="combined"):
    case = default_case()
    p = policy.station_programmes(case["Policy"], policy.STATION_KINDS, case.params["PolicyCaps"])
    g = policy.station_grants_cny(p, station_type, 1000.0, year, capex_cny, district=district)
    return {pid: v for pid, v in zip(p.programme_id, g.tolist(), strict=True) if v}


def test_all_level_cap_on_a_combined_huangpu_station():
    # Guangdong FCV action plan 2022-2025 and Sui Fu Ban Gui [2024] 16: grants of all
    # levels together <= 5 M CNY and <= 50 % of fixed-asset investment.
    # 8 M CNY: provincial 2.5 + municipal 1.0 + district 2.5 = 6.0 -> min(5, 4) = 4.0 M,
    # filled provincial, municipal, district: the district grant is cut to 0.5 M.
    assert default_grants(8e6) == {"gd_station_combined": 2.5e6, "gz_station_combined": 1e6,
                                   "hp_station": 0.5e6}
    # 12 M CNY: 6.0 -> min(5, 6) = 5.0 M
    assert default_grants(12e6) == {"gd_station_combined": 2.5e6, "gz_station_combined": 1e6,
                                    "hp_station": 1.5e6}
    # outside Huangpu 2.5 + 1.0 = 3.5 M is below both caps at 8 M; at 6 M the share
    # cap 3.0 M binds on the sum (each programme's own 50 % cap would not) and cuts the city
    assert default_grants(8e6, "nansha") == {"gd_station_combined": 2.5e6, "gz_station_combined": 1e6}
    assert default_grants(6e6, "nansha") == {"gd_station_combined": 2.5e6, "gz_station_combined": 0.5e6}
    # 2021: only the district grant, below both caps
    assert default_grants(4e6, year=2021) == {"hp_station": 2e6}


def test_below_28_cny_per_kg_is_strict():
    # A 400 kg/day station selling at exactly 28 CNY/kg in 2025 gets no Guangzhou sales
    # subsidy ("below 28"); the city-cluster reward ("not exceeding 35") is paid.
    case = default_case()
    p = policy.station_programmes(case["Policy"], policy.H2_KINDS)
    kg = 400.0 * 365
    rate = policy.per_kg_subsidies_cny_per_kg(p, "combined", 400.0, 2025, kg, [28.0, 27.99, 35.0])
    by = pd.DataFrame(rate, columns=p.programme_id)
    assert by["gz_h2_sales_2025"].tolist() == [0.0, 5.0, 0.0]
    assert by["nat_cluster_h2"].tolist() == [3.0, 3.0, 3.0]
    assert policy.operating_subsidy_cny_per_kg(case["Policy"], "combined", 400.0, 2025, kg, 28.0) == 3.0


def test_price_comparator_must_be_known():
    with pytest.raises(ValueError, match="price_comparator must be one of <, <=; found \\['=<'\\]"):
        progs([prog(programme_id="x", kind="h2_sales_per_kg", amount_cny=1.0, max_price_cny_per_kg=30.0,
                    price_comparator="=<")])


def test_station_budget_sums_what_stations_were_paid():
    paid = pd.DataFrame({
        "year": [2024, 2024, 2025, 2025, 2030],
        "station_id": ["A", "A", "A", "C", "A"],
        "programme_id": ["build", "sales", "sales", "sales", "sales"],
        "level": ["provincial", "municipal", "municipal", "municipal", "municipal"],
        "kind": ["station_capex", "h2_sales_per_kg", "h2_sales_per_kg", "h2_sales_per_kg", "h2_sales_per_kg"],
        "outlay_cny": [2.5e6, 1e5, 2e5, 3e5, 9e9],
    })
    table = policy.station_budget(paid, YEARS)
    assert list(table.columns) == list(policy.BUDGET_COLUMNS)
    b = table.set_index(["programme_id", "year"])
    assert b.loc[("sales", 2025), "outlay_cny"] == 5e5 and b.loc[("sales", 2025), "items"] == 2
    assert b.loc[("build", 2024), "outlay_cny"] == 2.5e6
    assert len(b) == 3  # 2030 is outside the years reported


def test_vehicle_subsidy_rates_for_tco():
    rates = policy.vehicle_subsidy_rates(typed("Policy", [
        prog(programme_id="kw", kind="vehicle_purchase_per_kw", amount_cny=3000.0,
             cap_cny_per_year=330_000.0, max_price_cny_per_kg=35.0),
        prog(programme_id="op", kind="vehicle_operation_per_km", segment="heavy_tractor",
             amount_cny=2.5, cap_cny_per_year=100_000.0),
    ]), SEGMENTS, YEARS, CITY_PRICE)
    kw = rates[rates["programme_id"] == "kw"].set_index(["year", "segment"])["cny_per_vehicle"]
    assert kw.index.get_level_values("year").min() == 2025  # 40 and 38 CNY/kg fail the condition
    assert kw.loc[(2025, "bus_12m")] == 240_000.0 and kw.loc[(2025, "heavy_tractor")] == 330_000.0
    op = rates[rates["programme_id"] == "op"]
    assert set(op["segment"]) == {"heavy_tractor"} and len(op) == 5
    assert (op["cny_per_km"] == 2.5).all() and (op["cap_cny_per_vehicle_year"] == 100_000.0).all()
    assert op["cny_per_vehicle"].isna().all()


def test_budget_from_case_and_summary():
    rows = [
        prog(programme_id="kw", kind="vehicle_purchase_per_kw", amount_cny=3000.0,
             cap_cny_per_year=330_000.0),
        prog(programme_id="sales", kind="h2_sales_per_kg", amount_cny=5.0),
    ]
    case = make_case({"Policy": rows})
    f = fleet.fleet_from_case(case)
    kg_2025 = f.demand_by_district.loc[f.demand_by_district["year"] == 2025, "h2_kg_per_day"].sum() * 365
    # what station economics paid: all 2025 hydrogen at 5 CNY/kg, at two stations
    paid = pd.DataFrame({"year": [2025, 2025], "station_id": ["S1", "S2"], "programme_id": ["sales"] * 2,
                         "level": ["municipal"] * 2, "kind": ["h2_sales_per_kg"] * 2,
                         "outlay_cny": [kg_2025 * 5.0 * 0.25, kg_2025 * 5.0 * 0.75]})
    b = policy.budget_from_case(case, f, station_subsidies=paid)
    assert list(b.columns) == ["year", "programme_id", "level", "kind", "items", "outlay_cny"]
    by = b.set_index(["programme_id", "year"])
    # 2023: 10 buses x 240,000 + 4 tractors x 330,000 = 3,720,000
    assert by.loc[("kw", 2023), "outlay_cny"] == 3_720_000.0
    assert by.loc[("sales", 2025), "outlay_cny"] == pytest.approx(kg_2025 * 5.0)
    assert by.loc[("sales", 2025), "items"] == 2
    assert ("sales", 2024) not in by.index
    s = policy.budget_summary(b, f).set_index(["year", "group"])
    assert s.loc[(2025, "hydrogen"), "outlay_cny_per_kg_h2"] == pytest.approx(5.0)
    n_2023 = f.fleet.loc[f.fleet["year"] == 2023, "fcev_in_service"].sum()
    assert s.loc[(2023, "all"), "outlay_cny_per_fcev_in_service"] == pytest.approx(3_720_000.0 / n_2023)
    assert s.loc[(2023, "station"), "outlay_cny"] == 0.0


def test_empty_policy_gives_empty_budget():
    case = make_case()
    none_paid = pd.DataFrame(columns=list(policy.STATION_SUBSIDY_COLUMNS))
    b = policy.budget_from_case(case, fleet.fleet_from_case(case), station_subsidies=none_paid)
    assert b.empty and list(b.columns) == list(policy.BUDGET_COLUMNS)
