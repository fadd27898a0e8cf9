"""Tests for h2model.policy: one hand-calculated case per programme kind."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from h2model import fleet, policy
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

STATIONS = pd.DataFrame({
    "station_id": ["A", "B", "C"],
    "commissioning_year": [2024, 2025, 2025],
    "station_type": ["combined", "standalone", "skid"],
    "capacity_kg_per_day": [1000.0, 400.0, 600.0],
    "capex_cny": [3_000_000.0, 10_000_000.0, 10_000_000.0],
})

STATION_YEARS = pd.DataFrame({
    "station_id": ["A", "A", "C", "B"],
    "year": [2024, 2025, 2025, 2025],
    "h2_sold_kg_per_year": [400_000.0, 100_000.0, 100_000.0, 50_000.0],
    "price_cny_per_kg": [30.0, 40.0, 34.0, np.nan],
})

NO_VEHICLES = VEHICLES.iloc[:0]
NO_STATIONS = STATIONS.iloc[:0]
NO_STATION_YEARS = STATION_YEARS.iloc[:0]


def run(rows, vehicles=NO_VEHICLES, stations=NO_STATIONS, station_years=NO_STATION_YEARS):
    b = policy.budget(typed("Policy", rows), SEGMENTS, vehicles, stations, station_years, YEARS,
                      CITY_PRICE)
    return b.set_index(["programme_id", "year"])


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


def test_vehicle_reward_per_vehicle_with_and_without_cap_and_segment_filter():
    b = run([
        prog(programme_id="capped", kind="vehicle_reward_per_vehicle", segment="heavy_tractor",
             amount_cny=100_000.0, cap_cny_per_year=80_000.0),
        prog(programme_id="free", kind="vehicle_reward_per_vehicle", amount_cny=50_000.0),
    ], VEHICLES)
    assert b.loc[("capped", 2024), "outlay_cny"] == 3 * 80_000.0  # tractors only, cap binds
    assert b.loc[("free", 2024), "outlay_cny"] == 5 * 50_000.0  # no cap, all segments


def test_vehicle_operation_per_km_cap_and_price_condition():
    b = run([
        prog(programme_id="op", kind="vehicle_operation_per_km", segment="heavy_tractor",
             amount_cny=2.5, cap_cny_per_year=100_000.0),
        prog(programme_id="op35", kind="vehicle_operation_per_km", segment="heavy_tractor",
             amount_cny=1.0, max_price_cny_per_kg=35.0),
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


def test_programme_years_are_respected():
    b = run([prog(programme_id="short", kind="vehicle_reward_per_vehicle", amount_cny=1.0,
                  start_year=2025, end_year=2025)], VEHICLES)
    assert b.index.tolist() == [("short", 2025)]


def test_station_capex_share_cap_amount_cap_and_min_capacity():
    b = run([
        prog(programme_id="capex", kind="station_capex", amount_cny=2_000_000.0, cap_share_of_capex=0.5,
             min_capacity_kg_per_day=500.0),
        prog(programme_id="combined", kind="station_capex", station_type="combined",
             amount_cny=1_000_000.0, cap_cny_per_year=800_000.0),
    ], stations=STATIONS, station_years=STATION_YEARS)
    # A (2024): min(2,000,000, 0.5 x 3,000,000) = 1,500,000 -- share cap binds
    assert b.loc[("capex", 2024), "outlay_cny"] == 1_500_000.0
    # 2025: B is too small (400 < 500 kg/day); C: min(2,000,000, 5,000,000) = 2,000,000
    assert b.loc[("capex", 2025), "outlay_cny"] == 2_000_000.0
    assert b.loc[("capex", 2025), "items"] == 1
    # combined stations only, amount capped at 800,000
    assert b.loc[("combined", 2024), "outlay_cny"] == 800_000.0
    assert ("combined", 2025) not in b.index


def test_station_capex_unknown_capex_leaves_share_cap_unbound():
    st = STATIONS.assign(capex_cny=np.nan)
    b = run([prog(programme_id="capex", kind="station_capex", amount_cny=2_000_000.0,
                  cap_share_of_capex=0.5)], stations=st, station_years=STATION_YEARS)
    assert b.loc[("capex", 2024), "outlay_cny"] == 2_000_000.0


def test_h2_sales_per_kg_cap_and_price_condition():
    b = run([prog(programme_id="sales", kind="h2_sales_per_kg", amount_cny=5.0,
                  cap_cny_per_year=1_500_000.0, max_price_cny_per_kg=35.0)],
            stations=STATIONS, station_years=STATION_YEARS)
    # A 2024: 400,000 kg x 5 = 2,000,000 -> capped at 1,500,000; price 30 <= 35 met
    assert b.loc[("sales", 2024), "outlay_cny"] == 1_500_000.0
    # 2025: A sells at 40 > 35 (not met); B's price is unknown (not met);
    #       C: 100,000 kg x 5 = 500,000 (cap does not bind), price 34 <= 35
    assert b.loc[("sales", 2025), "outlay_cny"] == 500_000.0
    assert b.loc[("sales", 2025), "items"] == 1


def test_h2_supply_reward_per_kg_without_cap_with_min_capacity():
    b = run([prog(programme_id="cluster", level="national", kind="h2_supply_reward_per_kg",
                  amount_cny=10.0, min_capacity_kg_per_day=500.0)],
            stations=STATIONS, station_years=STATION_YEARS)
    assert b.loc[("cluster", 2024), "outlay_cny"] == 4_000_000.0  # A: 400,000 kg x 10
    # 2025: A 1,000,000 + C 1,000,000; B is below 500 kg/day
    assert b.loc[("cluster", 2025), "outlay_cny"] == 2_000_000.0
    assert b.loc[("cluster", 2025), "level"] == "national"


def test_per_kg_min_capacity_tests_the_capacity_of_the_year_when_given():
    # B is 400 kg/day when commissioned (2025) but expanded to 800 kg/day that year:
    # the per-kg programme tests the year's capacity, the capital one the station's.
    rows = [prog(programme_id="cluster", kind="h2_supply_reward_per_kg", amount_cny=10.0,
                 min_capacity_kg_per_day=500.0),
            prog(programme_id="build", kind="station_capex", amount_cny=1e6,
                 min_capacity_kg_per_day=500.0)]
    grown = STATION_YEARS.assign(capacity_kg_per_day=[1000.0, 1000.0, 600.0, 800.0])
    b = run(rows, stations=STATIONS, station_years=grown)
    # 2025: A 1,000,000 + C 1,000,000 + B 500,000 (50,000 kg x 10)
    assert b.loc[("cluster", 2025), "outlay_cny"] == 2_500_000.0
    assert b.loc[("cluster", 2025), "items"] == 3
    # capital grants: A in 2024, C in 2025; B (400 kg/day when commissioned) gets none
    assert b.loc[("build", 2024), "items"] == 1 and b.loc[("build", 2025), "items"] == 1
    without = run(rows, stations=STATIONS, station_years=STATION_YEARS)
    assert without.loc[("cluster", 2025), "outlay_cny"] == 2_000_000.0


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
        prog(programme_id="sales", kind="h2_sales_per_kg", amount_cny=5.0, max_price_cny_per_kg=35.0),
    ]
    case = make_case({"Policy": rows})
    f = fleet.fleet_from_case(case)
    b = policy.budget_from_case(case, f)
    assert list(b.columns) == ["year", "programme_id", "level", "kind", "items", "outlay_cny"]
    by = b.set_index(["programme_id", "year"])["outlay_cny"]
    # 2023: 10 buses x 240,000 + 4 tractors x 330,000 = 3,720,000
    assert by.loc[("kw", 2023)] == 3_720_000.0
    # sales are paid from 2025 (city price 35 <= 35): all fleet hydrogen x 365 x 5 CNY/kg
    kg_2025 = f.demand_by_district.loc[f.demand_by_district["year"] == 2025, "h2_kg_per_day"].sum() * 365
    assert by.loc[("sales", 2025)] == pytest.approx(kg_2025 * 5.0)
    assert ("sales", 2024) not in by.index
    s = policy.budget_summary(b, f).set_index(["year", "group"])
    assert s.loc[(2025, "hydrogen"), "outlay_cny_per_kg_h2"] == pytest.approx(5.0)
    n_2023 = f.fleet.loc[f.fleet["year"] == 2023, "fcev_in_service"].sum()
    assert s.loc[(2023, "all"), "outlay_cny_per_fcev_in_service"] == pytest.approx(3_720_000.0 / n_2023)
    assert s.loc[(2023, "station"), "outlay_cny"] == 0.0


def test_empty_policy_gives_empty_budget():
    case = make_case()
    b = policy.budget_from_case(case, fleet.fleet_from_case(case))
    assert b.empty and list(b.columns) == list(policy.BUDGET_COLUMNS)


def test_district_programme_pays_only_its_district():
    st = STATIONS.assign(district=["huangpu", "nansha", "nansha"])
    b = run([prog(programme_id="hp", kind="station_capex", amount_cny=1_000_000.0, district="huangpu")],
            stations=st, station_years=STATION_YEARS)
    paid = st.set_index("station_id").loc[["A"], "commissioning_year"]
    assert b.index.get_level_values("programme_id").unique().tolist() == ["hp"]
    assert b["items"].sum() == 1  # only station A, the Huangpu one
    assert b.index.get_level_values("year").tolist() == [int(paid.iloc[0])]
