"""Tests for h2model.emissions: factors by hand, the fleet's CO2, and abatement cost."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from h2model import emissions, fleet, tco
from tests.data import report_case
from tests.data.fleet_case import PRICES, STATIONS, make_case


def test_hydrogen_factor_by_source():
    # by-product: process CO2 only; grid electrolysis: 50 kWh/kg x 0.6 kg/kWh = 30
    assert emissions.h2_co2_kg_per_kg([5.0, 0.0], [0.0, 50.0], 0.6).tolist() == [5.0, 30.0]
    # a station using 2 kWh/kg adds 2 x 0.6 = 1.2
    assert float(emissions.h2_co2_kg_per_kg(5.0, 0.0, 0.6, 2.0)) == pytest.approx(6.2)


def test_per_km_factors_by_powertrain():
    assert float(emissions.fcev_co2_kg_per_km(8.0, 6.2)) == pytest.approx(0.496)
    # 100 kWh/100 km at the battery / 0.9 charging x 0.6 kg/kWh
    assert float(emissions.bev_co2_kg_per_km(100.0, 0.6)) == pytest.approx(1.0 / 0.9 * 0.6)
    # 30 L/100 km x 3.24 kg/L (EN 16258 well-to-wheel)
    assert float(emissions.diesel_co2_kg_per_km(30.0)) == pytest.approx(0.972)
    assert emissions.DIESEL_WTW_CO2_KG_PER_L == 3.24


def test_abatement_cost_levelised():
    # 1,952 CNY extra over 3 years (r = 25 %, A = 1.952) to avoid 1 t a year: 1,000 CNY/t
    assert float(emissions.abatement_cost_cny_per_t(1952.0, [1000.0], 0.25, 3)) == pytest.approx(1000.0)
    assert float(emissions.abatement_cost_cny_per_t(-976.0, [1000.0], 0.25, 3)) == pytest.approx(-500.0)


def test_fleet_co2_hand_checked():
    case = make_case()
    f = fleet.fleet_from_case(case)
    res = emissions.co2_from_case(case, f)
    c = res.co2.set_index(["year", "segment"])
    # 2023: only S1 (refinery by-product, 5 kg/kg, station 2 kWh/kg on a 0.6 grid) has load:
    # 5 + 2 x 0.6 = 6.2 kg CO2/kg H2
    assert c.loc[(2023, "bus_12m"), "h2_co2_kg_per_kg"] == pytest.approx(6.2)
    # 10 buses x 60,000 km = 600,000 km: FCEV 600,000 x 8/100 x 6.2 / 1000 = 297.6 t;
    # diesel 600,000 x 30/100 x 3.24 / 1000 = 583.2 t; avoided 285.6 t
    assert c.loc[(2023, "bus_12m"), "co2_fcev_t"] == pytest.approx(297.6)
    assert c.loc[(2023, "bus_12m"), "co2_diesel_t"] == pytest.approx(583.2)
    assert c.loc[(2023, "bus_12m"), "co2_avoided_t"] == pytest.approx(285.6)
    assert c.loc[(2023, "bus_12m"), "h2_kg_per_year"] == pytest.approx(48_000.0)
    # 2025: loads weight the stations' factors (S2 is grid electrolysis, 52 kWh/kg incl. station)
    load = f.station_load[f.station_load["year"] == 2025].set_index("station_id")["h2_kg_per_day"]
    g = 0.56
    by_station = {"S1": 5 + 2 * g, "S2": 52 * g, "S3": 5 + 2 * g}
    mix = sum(load[s] * by_station[s] for s in load.index) / load.sum()
    assert c.loc[(2025, "heavy_tractor"), "h2_co2_kg_per_kg"] == pytest.approx(mix)
    per_km = res.co2_per_km.set_index(["year", "segment", "powertrain", "energy_source"])["co2_kg_per_km"]
    assert per_km.loc[(2025, "heavy_tractor", "fcev", "fleet_mix")] == pytest.approx(0.1 * mix)
    assert per_km.loc[(2025, "heavy_tractor", "fcev", "el")] == pytest.approx(0.1 * 52 * g)
    assert per_km.loc[(2023, "bus_12m", "bev", "grid")] == pytest.approx(1.0 / 0.9 * 0.6)
    assert per_km.loc[(2023, "heavy_tractor", "diesel", "diesel")] == pytest.approx(0.35 * 3.24)


def test_mix_without_station_load_uses_available_sources():
    case = make_case(network={"max_detour_km": 1.0})  # nothing is served
    res = emissions.co2_from_case(case, fleet.fleet_from_case(case))
    mix = res.co2.groupby("year")["h2_co2_kg_per_kg"].first()
    # 2023: only the by-product source is available: 5 + 2 x 0.6
    assert mix.loc[2023] == pytest.approx(6.2)
    # 2024: capacity-weighted, 4 t/d by-product and 1 t/d grid electrolysis (grid 0.58):
    # (4 x (5 + 2 x 0.58) + 1 x 52 x 0.58) / 5 = 10.96
    assert mix.loc[2024] == pytest.approx(10.96)


def test_abatement_cost_equals_cost_gap_over_co2_gap_when_flat():
    prices = [{**p, "grid_co2_kg_per_kwh": 0.5, "h2_retail_cny_per_kg": 30.0} for p in PRICES]
    stations = [{**s, "supply_id": "bp"} for s in STATIONS]
    case = make_case({"Prices": prices, "Stations": stations})
    f = fleet.fleet_from_case(case)
    t = tco.tco_from_case(case)
    ab = emissions.co2_from_case(case, f, t).abatement.set_index(["segment", "purchase_year"])
    par = t.parity[t.parity["alternative"] == "diesel"].set_index(["segment", "purchase_year"])
    # tractor: FCEV 0.1 kg/km x (5 + 2 x 0.5) = 0.6 kg/km; diesel 0.35 x 3.24 = 1.134 kg/km
    avoided_per_km = 1.134 - 0.6
    row = ab.loc[("heavy_tractor", 2024)]
    gap = par.loc[("heavy_tractor", 2024)]
    expected = (gap["fcev_tco_cny_per_km"] - gap["alternative_tco_cny_per_km"]) / avoided_per_km * 1000
    # No Policy rows: the buyer's (private) and society's costs are the same.
    assert row["abatement_cost_private_cny_per_t"] == pytest.approx(expected, rel=1e-9)
    assert row["abatement_cost_social_cny_per_t"] == pytest.approx(expected, rel=1e-9)
    # 100,000 km x 5 years x 0.534 kg/km = 267 t
    assert row["co2_avoided_t_per_vehicle"] == pytest.approx(267.0)
    # the simple ratio divides the (discounted) TCO gap by undiscounted tonnes
    delta = row["tco_fcev_social_cny"] - row["tco_diesel_cny"]
    assert row["abatement_cost_social_simple_cny_per_t"] == pytest.approx(delta / 267.0)
    assert np.isfinite(ab["abatement_cost_private_cny_per_t"]).all()
    assert (ab["abatement_cost_social_cny_per_t"] == ab["abatement_cost_private_cny_per_t"]).all()


# --- CO2 at the sources station economics prices --------------------------------------------


def test_station_table_weights_each_sources_factor_by_kg_sold():
    case = make_case()
    f = fleet.fleet_from_case(case)
    # 2023: S1 (combined, 2 kWh/kg) sells 100 kg of by-product (5 kg/kg); S2 (standalone,
    # 2 kWh/kg) sells 300 kg of grid electrolysis (50 kWh/kg), although its sheet source is
    # irrelevant here; grid 0.6 kg/kWh: (100 x (5 + 2 x 0.6) + 300 x (50 + 2) x 0.6) / 400
    table = pd.DataFrame({"year": [2023, 2023, 2024], "station_id": ["S1", "S2", "S1"],
                          "supply_id": ["bp", "el", "bp"], "kg_sold_per_year": [100.0, 300.0, 0.0]})
    mix = emissions.co2_from_case(case, f, stations=table).co2.groupby("year")["h2_co2_kg_per_kg"].first()
    assert mix.loc[2023] == pytest.approx((100 * 6.2 + 300 * 52 * 0.6) / 400)
    # 2024 sells nothing: the capacity-weighted fallback, as without a table (10.96 by hand)
    assert mix.loc[2024] == pytest.approx(10.96)
    # the sheet would have counted S1 and S2 at their Stations sources instead
    sheet = emissions.co2_from_case(case, f).co2.groupby("year")["h2_co2_kg_per_kg"].first()
    assert sheet.loc[2023] == pytest.approx(6.2)


def test_bad_station_tables_are_named():
    case = make_case()
    f = fleet.fleet_from_case(case)
    ok = pd.DataFrame({"year": [2023], "station_id": ["S1"], "supply_id": ["bp"], "kg_sold_per_year": [1.0]})
    with pytest.raises(ValueError, match="stations: missing column\\(s\\) kg_sold_per_year"):
        emissions.co2_from_case(case, f, stations=ok.drop(columns="kg_sold_per_year"))
    with pytest.raises(ValueError, match="stations: supply_id\\(s\\) not in Supply: nowhere"):
        emissions.co2_from_case(case, f, stations=ok.assign(supply_id="nowhere"))


@pytest.fixture(scope="module")
def default_run():
    return report_case.default_case(), report_case.default_results()  # shared by the session


def test_co2_is_counted_at_the_sources_station_economics_prices(default_run):
    # For every year, the fleet's hydrogen CO2 is the kg-sold-weighted factor of the supply_id
    # each station-year is priced at (process CO2 + (source + station kWh/kg) x grid).
    case, res = default_run
    st = res["stations"]
    sup = case["Supply"].set_index("supply_id")
    kwh = case["StationCosts"].set_index(["station_type", "pressure_mpa"])["electricity_kwh_per_kg"]
    grid = case["Prices"].set_index("year")["grid_co2_kg_per_kwh"]
    e_station = kwh.reindex(pd.MultiIndex.from_arrays([st["station_type"], st["pressure_mpa"]])).to_numpy()
    factor = (sup["co2_kg_per_kg_h2"].reindex(st["supply_id"]).to_numpy()
              + (sup["electricity_kwh_per_kg"].reindex(st["supply_id"]).to_numpy() + e_station)
              * grid.reindex(st["year"]).to_numpy())
    kg = st["kg_sold_per_year"].to_numpy()
    w = pd.DataFrame({"year": st["year"], "co2": kg * factor, "kg": kg}).groupby("year").sum()
    want = (w["co2"] / w["kg"])[w["kg"] > 0]
    got = res["co2"].groupby("year")["h2_co2_kg_per_kg"].first().reindex(want.index)
    assert len(want) >= 15
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12)


def test_2025_hydrogen_co2_by_hand(default_run):
    # In 2025 the plan prices every station at by-product hydrogen (Guangzhou Petrochemical or
    # Nansha chemical park: 0 process CO2, no grid power), so the CO2 is the stations' own
    # electricity on the 2025 grid (0.36 kg/kWh): 0.7 kWh/kg at 35 MPa, 1.4 at 70 MPa and 2.5
    # at the on-site electrolysis station (StationCosts).
    case, res = default_run
    st = res["stations"]
    st = st[(st["year"] == 2025) & (st["kg_sold_per_year"] > 0)]
    assert set(st["supply_id"]) == {"gzpc_byproduct", "nansha_chem_byproduct"}
    kwh = np.where(st["station_type"] == "onsite_electrolysis", 2.5,
                   np.where(st["pressure_mpa"] == 70, 1.4, 0.7))
    kg = st["kg_sold_per_year"].to_numpy()
    hand = float((kg * (0.0 + kwh * 0.36)).sum() / kg.sum())
    got = res["co2"].groupby("year")["h2_co2_kg_per_kg"].first().loc[2025]
    assert got == pytest.approx(hand, rel=1e-12)
    assert 0.25 < got < 0.5  # not the 3.4 kg/kg of the Stations sheet's SMR-heavy sources


VEHICLE_POLICY = [
    {"programme_id": "kw", "name": "purchase", "level": "municipal", "kind": "vehicle_purchase_per_kw",
     "segment": "all", "station_type": "all", "amount_cny": 3000.0, "cap_cny_per_year": 330000.0,
     "start_year": 2023, "end_year": 2025},
    {"programme_id": "op", "name": "operation", "level": "municipal", "kind": "vehicle_operation_per_km",
     "segment": "heavy_tractor", "station_type": "all", "amount_cny": 0.5, "cap_cny_per_year": 100000.0,
     "start_year": 2023, "end_year": 2025},
]


def test_social_abatement_cost_counts_subsidies_as_transfers():
    # Social: the TCO without subsidies; private: net of them. With the same hydrogen price
    # the gap is exactly the present value of the subsidies over the discounted tonnes.
    prices = [{**p, "grid_co2_kg_per_kwh": 0.5, "h2_retail_cny_per_kg": 30.0} for p in PRICES]
    stations = [{**s, "supply_id": "bp"} for s in STATIONS]
    case = make_case({"Prices": prices, "Stations": stations, "Policy": VEHICLE_POLICY})
    f = fleet.fleet_from_case(case)
    private = tco.tco_from_case(case)
    social = tco.tco_from_case(case, subsidies=pd.DataFrame())
    ab = emissions.co2_from_case(case, f, private, tco_social=social).abatement
    ab = ab.set_index(["segment", "purchase_year"])
    keys = ["segment", "powertrain", "purchase_year", "component"]
    comp = private.tco.set_index(keys)["tco_cny_per_vehicle"]
    row = ab.loc[("heavy_tractor", 2024)]
    subsidy_pv = -(comp[("heavy_tractor", "fcev", 2024, "purchase_subsidy")]
                   + comp[("heavy_tractor", "fcev", 2024, "operation_subsidy")])
    assert subsidy_pv > 0
    # 0.534 kg/km x 100,000 km a year for 5 years, discounted at the case's rate
    r = case.finance["discount_rate"]
    tonnes = 53.4 * sum((1 + r) ** -t for t in range(1, 6))
    gap = row["abatement_cost_social_cny_per_t"] - row["abatement_cost_private_cny_per_t"]
    assert gap == pytest.approx(subsidy_pv / tonnes, rel=1e-9)
    assert row["tco_fcev_social_cny"] - row["tco_fcev_cny"] == pytest.approx(subsidy_pv, rel=1e-12)
    # Social >= private everywhere; equal where nothing is paid (after the programmes end).
    assert (ab["abatement_cost_social_cny_per_t"] >= ab["abatement_cost_private_cny_per_t"] - 1e-9).all()
    late = ab.loc[("heavy_tractor", 2027)]  # bought after both programmes end
    assert late["abatement_cost_social_cny_per_t"] == pytest.approx(late["abatement_cost_private_cny_per_t"])
