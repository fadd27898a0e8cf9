"""Peak-aware stations (h2model.peak): queue formulas against hand calculations, sizing,
the peak-feasible capacity and the default switch leaving station economics unchanged."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from h2model import peak, station
from h2model.inputs import DEFAULT_CASE, load_case
from h2model.inputs.case import Case


def _erlang_c_textbook(c: int, a: float) -> float:
    """Erlang C from its closed form: (a^c/c! * c/(c-a)) / (sum_{k<c} a^k/k! + a^c/c! * c/(c-a))."""
    top = a ** c / math.factorial(c) * c / (c - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)


def test_erlang_c_matches_closed_form_and_textbook_value():
    # c = 2, a = 1: C = 1/3 by hand (B(2,1) = 0.2; 2*0.2/(2 - 0.8))
    assert float(peak.erlang_c(2, 1.0)) == pytest.approx(1 / 3, rel=1e-12)
    # M/M/1: C(1, a) = a (the utilisation)
    assert float(peak.erlang_c(1, 0.7)) == pytest.approx(0.7, rel=1e-12)
    # tabulated value: c = 10 servers, a = 8 erlang -> C = 0.409 (Erlang C tables)
    assert float(peak.erlang_c(10, 8.0)) == pytest.approx(0.4092, abs=5e-4)
    cs, a = np.array([3, 5, 8]), np.array([2.5, 3.0, 6.5])
    expected = [_erlang_c_textbook(c, x) for c, x in zip(cs, a, strict=True)]
    assert peak.erlang_c(cs, a) == pytest.approx(expected)
    assert float(peak.erlang_c(2, 2.0)) == 1.0  # overloaded queue: every fill waits
    with pytest.raises(ValueError, match="hoses: must be >= 1"):
        peak.erlang_c(0, 1.0)


def test_wait_probability_and_hoses_needed_by_hand():
    # c = 2, lambda = 6/h, tau = 10 min (mu = 6/h): a = 1, C = 1/3; P(W > 10 min) = C e^{-(12-6)/6}
    assert float(peak.wait_exceeds_probability(2, 6.0, 10.0, 10.0)) == pytest.approx(math.exp(-1) / 3)
    # c = 3: C(3,1) = 1/11 (B(3,1) = 1/16), decay e^{-(18-6)/6} = e^-2 -> 0.0123 < 0.05
    assert float(peak.wait_exceeds_probability(3, 6.0, 10.0, 10.0)) == pytest.approx(math.exp(-2) / 11)
    assert peak.hoses_needed([6.0, 0.0], 10.0, 10.0, 0.95).tolist() == [3, 0]
    # M/M/1 with no allowed wait: P(wait) = rho <= 0.05 -> lambda = 0.05 * 60/6 = 0.5 fills/h
    assert float(peak.max_fills_per_hour(1, 6.0, 0.0, 0.95)) == pytest.approx(0.5, rel=1e-9)
    # the rate found is the boundary: P(W > t) = 5 % there
    lam = float(peak.max_fills_per_hour(3, 10.0, 10.0, 0.95))
    assert float(peak.wait_exceeds_probability(3, lam, 10.0, 10.0)) == pytest.approx(0.05, abs=1e-9)
    with pytest.raises(ValueError, match="more than 4 hoses"):
        peak.hoses_needed(100.0, 10.0, 10.0, 0.95, max_hoses=4)


def test_hourly_fills_and_storage_buffer_by_hand():
    # one segment, 240 kg/day at 10 kg/fill = 24 fills; half of them in hour 20; design day x1.1
    prof = np.full((1, 24), 0.5 / 23)
    prof[0, 20] = 0.5
    fills, kg, tau = peak.hourly_fills([[240.0]], prof, [10.0], [12.0], 1.1)
    assert fills[0, 20] == pytest.approx(24 * 0.5 * 1.1)
    assert kg[0].sum() == pytest.approx(264.0)
    assert tau[0, 20] == 12.0
    # compressor 11 kg/h (264/24): hour 20 dispenses 132 kg -> buffer 132 - 11 = 121 kg
    assert float(peak.storage_buffer_kg(kg, [11.0])[0]) == pytest.approx(121.0)
    # a compressor that covers every hour needs no buffer
    assert float(peak.storage_buffer_kg(kg, [200.0])[0]) == 0.0


def _inputs(**kw) -> peak.PeakInputs:
    prof = np.full((1, 24), 0.5 / 23)
    prof[0, 20] = 0.5
    base = dict(segments=("bus_12m",), profile=prof, kg_per_fill=np.array([10.0]),
                minutes_per_fill=np.array([12.0]), service_share=0.95, wait_minutes=10.0,
                peak_day_factor=1.0, hoses_per_kg_per_day=2 / 1000, storage_kg_per_kg_per_day=0.25,
                usable_share=0.5)
    base.update(kw)
    return peak.PeakInputs(**base)


def test_peak_feasible_capacity_is_lower_when_peak_exceeds_hoses():
    inp = _inputs()
    # 1000 kg/day station: 2 hoses. Hour 20 carries half the fills; at 12 min/fill the two hoses
    # serve lambda_max fills/h there, i.e. lambda_max / (0.5 / 10) kg/day.
    lam_max = float(peak.max_fills_per_hour(2, 12.0, 10.0, 0.95))
    feasible = peak.peak_feasible_kg_per_day(inp, np.array([[1.0]]), np.array([2]))
    assert float(feasible[0]) == pytest.approx(lam_max / 0.05)
    assert float(feasible[0]) < 1000.0 * 0.8  # below what the capacity-factor limit lets it sell
    # pooling: twice the hoses serve more than twice the load
    four = peak.peak_feasible_kg_per_day(inp, np.array([[1.0]]), np.array([4]))
    assert float(four[0]) > 2 * float(feasible[0])
    # at the peak-feasible load the station needs exactly its 2 hoses, above it 3
    sizes = peak.size_components(inp, np.array([[float(feasible[0]) * 0.999], [float(feasible[0]) * 1.05]]),
                                 np.array([1000.0, 1000.0]))
    assert sizes["hoses_needed"].tolist() == [2, 3]
    assert sizes["base_hoses"].tolist() == [2, 2]


def test_extra_component_capex_by_hand():
    sizes = {"compressor_kg_per_hour": np.array([50.0]), "base_compressor_kg_per_hour": np.array([40.0]),
             "storage_kg": np.array([300.0]), "base_storage_kg": np.array([250.0]),
             "hoses_needed": np.array([3]), "base_hoses": np.array([4])}
    capex = {"compressor": np.array([4.0e6]), "storage": np.array([2.5e6]), "dispenser": np.array([0.8e6])}
    # 10 kg/h x 100,000 CNY per kg/h + 50 kg x 10,000 CNY/kg + no hoses
    assert float(peak.extra_component_capex_cny(sizes, capex)[0]) == pytest.approx(1.0e6 + 0.5e6)


def test_station_segment_loads_split_node_flow_by_its_segments():
    vehicles = pd.DataFrame({"segment": ["bus_12m", "bus_12m", "passenger_car"], "depot_id": ["D1"] * 3,
                             "purchase_year": [2024, 2025, 2024], "retire_year": [2030, 2030, 2025],
                             "h2_kg_per_day": [10.0, 10.0, 5.0]})
    assignment = pd.DataFrame({"year": [2024, 2025], "depot_id": ["D1", "D1"], "station_id": ["S1", "S1"],
                               "h2_kg_per_day": [15.0, 12.0]})
    out = peak.station_segment_loads(vehicles, assignment).set_index(["year", "segment"])["h2_kg_per_day"]
    # 2024: node 10 kg bus + 5 kg car; 2025: 20 kg bus only (the car retired)
    assert out.to_dict() == pytest.approx({(2024, "bus_12m"): 10.0, (2024, "passenger_car"): 5.0,
                                           (2025, "bus_12m"): 12.0})


@pytest.fixture(scope="module")
def case():
    return load_case(DEFAULT_CASE)


def _with_network(case: Case, **values) -> Case:
    return dataclasses.replace(case, params={**case.params, "Network": {**case.params["Network"], **values}})


def test_default_switch_reproduces_station_economics(case):
    assert not peak.peak_sizing_on(case)
    loads = pd.DataFrame({"year": [2025, 2025], "station_id": ["HP-E1", "HP-P01"],
                          "h2_kg_per_day": [380.0, 700.0]})
    seg = pd.DataFrame({"year": [2025], "station_id": ["HP-E1"], "segment": ["bus_12m"],
                        "h2_kg_per_day": [380.0]})
    a = station.station_economics(case, loads=loads, year=2025)
    b = station.station_economics(case, loads=loads, year=2025, segment_loads=seg)  # ignored when off
    pd.testing.assert_frame_equal(a.stations, b.stations)
    pd.testing.assert_frame_equal(a.network, b.network)
    assert station.station_years(case, loads=loads, year=2025).peak is None


def test_switch_on_caps_sales_and_adds_capex(case):
    on = _with_network(case, peak_sizing=1)
    loads = pd.DataFrame({"year": [2025], "station_id": ["HP-E1"], "h2_kg_per_day": [400.0]})
    seg = pd.DataFrame({"year": [2025], "station_id": ["HP-E1"], "segment": ["bus_12m"],
                        "h2_kg_per_day": [400.0]})
    sy = station.station_years(on, loads=loads, year=2025, segment_loads=seg)
    i = int(np.flatnonzero(sy.stations["station_id"].to_numpy()[sy.station_index] == "HP-E1")[0])
    # HP-E1: 500 kg/day -> 2 hoses; bus fills of 12 kg, 12 min, 16 % of them in hour 21, design day x1.1
    inp = peak.PeakInputs.from_case(on)
    assert inp.base_hoses(500.0) == 2
    share = float(on.tables["RefuellingProfile"].query("segment == 'bus_12m'")["share_of_daily_fills"].max())
    lam_max = float(peak.max_fills_per_hour(2, 12.0, 10.0, 0.95))
    expected = lam_max / (1.1 * share / 12.0)
    assert sy.peak["peak_feasible_kg_per_day"][i] == pytest.approx(expected, rel=1e-6)
    assert expected < 400.0
    assert sy.peak["hoses_needed"][i] == 2  # capped at what its hoses serve: no hose beyond the base design
    assert sy.kg_per_day[i] == pytest.approx(expected, rel=1e-6)  # sales capped below the 400 kg/day load
    off = station.station_years(case, loads=loads, year=2025)
    assert off.kg_per_day[i] == pytest.approx(400.0)
    c_on, c_off = station.station_year_costs(on, sy), station.station_year_costs(case, off)
    assert np.all(c_on["capex_cny"] >= c_off["capex_cny"])
    # the bus peak needs more cascade than the base design (0.25 kg per kg/day): extra capex at HP-E1
    assert sy.peak["storage_kg"][i] > sy.peak["base_storage_kg"][i]
    assert c_on["capex_cny"][i] > c_off["capex_cny"][i]


# --- the network plan at the peak-feasible capacity ----------------------------------------


def _demand_by_district(rows):
    return pd.DataFrame(rows, columns=["year", "district", "segment", "h2_kg_per_day"])


def test_plan_usable_shares_follow_the_district_mix_by_hand():
    # two segments: "bus_12m" fills half its fills in hour 20, "passenger_car" evenly over 24 h
    prof = np.vstack([np.full(24, 0.5 / 23), np.full(24, 1 / 24)])
    prof[0, 20] = 0.5
    inp = _inputs(segments=("bus_12m", "passenger_car"), profile=prof, kg_per_fill=np.array([10.0, 4.0]),
                  minutes_per_fill=np.array([12.0, 5.0]))
    dem = _demand_by_district([(2025, "a", "bus_12m", 300.0), (2025, "b", "passenger_car", 300.0),
                               (2025, "x", "bus_12m", 300.0)])  # x: a district without sites
    module, existing = peak.plan_usable_shares(inp, dem, ["a", "b", "c"], [1000.0], [500.0, 0.0, 0.0],
                                               [2025], 0.8)
    assert module.shape == (3, 1, 1) and existing.shape == (3, 1)
    # district a, all buses: 2 hoses at 12 min, hour 20 has 5 % of kg/day in fills of 10 kg
    lam_max = float(peak.max_fills_per_hour(2, 12.0, 10.0, 0.95))
    assert module[0, 0, 0] == pytest.approx(lam_max / 0.05 / 1000.0, rel=1e-6)
    assert module[0, 0, 0] < 0.8
    # district b, cars spread over the day (1/24 of 1000/4 fills an hour, 10.4/h): 2 hoses of 5 min serve
    # more than that, so the capacity-factor limit binds
    lam_car = float(peak.max_fills_per_hour(2, 5.0, 10.0, 0.95))
    assert module[1, 0, 0] == pytest.approx(min(0.8, lam_car / (1 / 24 / 4.0) / 1000.0), rel=1e-6)
    # district c has no demand: it takes the case's mix (2/3 buses, 1/3 cars by kg), between a and b
    case_mix = peak.usable_kg_per_day(inp, [[2 / 3, 1 / 3]], [1000.0], 0.8)[0] / 1000.0
    assert module[2, 0, 0] == pytest.approx(case_mix, rel=1e-9)
    # the existing 500 kg/day station in a: its own hose (500 x 2/1000 = 1), not two modules' worth
    lam_one = float(peak.max_fills_per_hour(1, 12.0, 10.0, 0.95))
    assert existing[0, 0] == pytest.approx(lam_one / 0.05 / 500.0, rel=1e-6)
    assert existing[1:, 0].tolist() == [0.8, 0.8]  # no existing capacity: the capacity-factor limit
    with pytest.raises(ValueError, match="segment without a RefuellingProfile row"):
        peak.plan_usable_shares(inp, _demand_by_district([(2025, "a", "heavy_tractor", 1.0)]), ["a"],
                                [1000.0], [0.0], [2025], 0.8)


def test_prepare_checks_usable_shares():
    from h2model.network import generate_instance

    with pytest.raises(ValueError, match=r"module_usable_share: values must be in \(0, 1\]"):
        generate_instance(6, 12, n_periods=2, seed=3, module_usable_share=0.0)
    with pytest.raises(ValueError, match="existing_usable_share: shape"):
        generate_instance(6, 12, n_periods=2, seed=3, existing_usable_share=np.ones(5))
    data = generate_instance(6, 12, n_periods=2, seed=3, module_usable_share=np.array([0.5, 0.9])[:, None])
    assert data.module_usable_share.shape == (6, 2, 2)
    module, existing = data.sells_per_kg_per_day(0.8)
    assert module[0, :, 0].tolist() == [0.5, 0.8] and existing == 0.8


def _capacity_coefficients(data, phi):
    from h2model.network import NetworkOptions, build_model

    m = build_model(data, NetworkOptions(max_capacity_factor=phi, tight_linking=True))
    return sorted((str(c.body), c.upper) for rows in (m.capacity, m.link) for c in rows.values())


def test_plan_off_path_is_unchanged_and_peak_shares_build_more():
    """With no usable shares the capacity rows are phi x capacity exactly (the default, peak
    sizing off); with a concentrated profile's shares the usable capacity falls, the plan
    builds at least as many modules and keeps every station within the derated limit."""
    from h2model.network import NetworkOptions, generate_instance, plan_network

    base = generate_instance(16, 48, n_periods=3, seed=5)
    ones = generate_instance(16, 48, n_periods=3, seed=5, module_usable_share=1.0, existing_usable_share=1.0)
    assert base.module_usable_share is None
    assert _capacity_coefficients(base, 0.8) == _capacity_coefficients(ones, 0.8)

    prof = np.full((1, 24), 0.4 / 23)
    prof[0, 20] = 0.6  # 60 % of the day's fills in one hour
    inp = _inputs(profile=prof, hoses_per_kg_per_day=4 / 1000)
    dem = _demand_by_district([(int(y), d, "bus_12m", 1.0) for y in base.period_year for d in base.districts])
    module, existing = peak.plan_usable_shares(inp, dem, base.site_district, base.module_capacity_kg_per_day,
                                               base.site_existing_capacity_kg_per_day, base.period_year, 0.8)
    assert module.max() < 0.8  # the peak hour binds before the capacity-factor limit
    derated = generate_instance(16, 48, n_periods=3, seed=5, module_usable_share=module,
                                existing_usable_share=existing)
    opts = NetworkOptions(max_capacity_factor=0.8, mip_gap=0.0)
    p0, p1 = plan_network(base, opts), plan_network(derated, opts)
    assert p1.build_plan["modules_built"].sum() >= p0.build_plan["modules_built"].sum()
    assert p1.build_plan["capacity_kg_per_day"].sum() >= p0.build_plan["capacity_kg_per_day"].sum()
    # every station-period sells within its derated capacity: sum over its modules of share x Q
    last = int(base.period_year[-1])
    st = p1.stations[p1.stations["year"] == last].set_index("site_id")
    built = p1.build_plan[p1.build_plan["year"] <= last]
    site = pd.Index(base.site_ids)
    mod = pd.Index(base.module_ids)
    limit = np.zeros(len(site))
    np.add.at(limit, site.get_indexer(built["site_id"]),
              built["modules_built"].to_numpy(float) * module[site.get_indexer(built["site_id"]),
                                                              mod.get_indexer(built["module_id"]), -1]
              * base.module_capacity_kg_per_day[mod.get_indexer(built["module_id"])])
    limit += existing[:, -1] * base.site_existing_capacity_kg_per_day
    assert np.all(st["throughput_kg_per_day"].to_numpy() <= limit[site.get_indexer(st.index)] + 1e-6)


# --- pre-cooling and component lives ----------------------------------------------------------


def test_precooling_sized_for_the_70_mpa_peak_by_hand():
    # cars (70 MPa, 4 kg, 5 min) and buses (35 MPa); 12 kW per pre-cooled hose
    prof = np.vstack([np.full(24, 0.5 / 23), np.full(24, 0.5 / 23)])
    prof[:, 20] = 0.5
    inp = _inputs(segments=("bus_12m", "passenger_car"), profile=prof, kg_per_fill=np.array([10.0, 4.0]),
                  minutes_per_fill=np.array([12.0, 5.0]), fill_pressure_mpa=np.array([35.0, 70.0]),
                  precooling_kw_per_hose=12.0)
    sizes = peak.size_components(inp, np.array([[400.0, 400.0], [800.0, 0.0]]), np.array([1000.0, 1000.0]),
                                 np.array([70.0, 35.0]))
    # cars: 400 kg/day = 100 fills, 50 in hour 20, 5 min each: the hoses M/M/c needs for them alone
    cars = int(peak.hoses_needed(50.0, 5.0, 10.0, 0.95))
    assert sizes["precooling_kw"].tolist() == [12.0 * cars, 0.0]  # buses alone need no pre-cooling
    # base: a 70 MPa station pre-cools each of its 2 base hoses, a 35 MPa station none
    assert sizes["base_precooling_kw"].tolist() == [24.0, 0.0]
    # extra pre-cooling at a 35 MPa station serving cars: at the fallback unit cost
    s35 = peak.size_components(inp, np.array([[0.0, 400.0]]), np.array([1000.0]), np.array([35.0]))
    capex = {c: np.array([1.0e6]) for c in ("compressor", "storage", "dispenser", "precooling")}
    base = peak.extra_component_capex_cny({**s35, "precooling_kw": np.zeros(1)}, capex, 20_000.0)
    with_cold = peak.extra_component_capex_cny(s35, capex, 20_000.0)
    assert float(with_cold[0] - base[0]) == pytest.approx(20_000.0 * 12.0 * cars)


def test_component_lives_enter_replacement_with_peak_sizing(case):
    on = _with_network(case, peak_sizing=1)
    loads = pd.DataFrame({"year": [2025], "station_id": ["HP-E1"], "h2_kg_per_day": [100.0]})
    L = int(case.finance["station_life_years"])
    off_c = station.station_year_costs(case, station.station_years(case, loads=loads, year=2025))
    on_c = station.station_year_costs(on, station.station_years(on, loads=loads, year=2025))
    sc = on_c["station_costs"]
    v = 0
    k = sc["capex_excl_land_cny"][v]
    ps = on.params["PeakSizing"]
    # off: the compressor alone, every compressor life
    comp = sc["capex_compressor_cny"][v] / k
    life_c = int(sc["compressor_life_years"][v])
    expected_off = np.zeros(L)
    expected_off[life_c - 1::life_c] = comp
    expected_off[-1] = 0.0
    assert off_c["replacement_share"][v] == pytest.approx(expected_off)
    # on: plus storage, dispenser and pre-cooling, each at its own life (none in the last year)
    expected_on = expected_off.copy()
    for c in ("storage", "dispenser", "precooling"):
        n = int(ps[f"{c}_life_years"])
        due = np.arange(1, L + 1)
        expected_on += np.where((due % n == 0) & (due < L), sc[f"capex_{c}_cny"][v] / k, 0.0)
    assert on_c["replacement_share"][v] == pytest.approx(expected_on)
    assert on_c["replacement_share"][v].sum() > off_c["replacement_share"][v].sum()


# --- validation against HDSAM V3.1 (LLNL systems2atoms) ----------------------------------------

HDSAM_FIXTURE = Path(__file__).parent / "data" / "hdsam_1000kg_station.json"


@pytest.fixture(scope="module")
def hdsam():
    """HDSAM's 1,000 kg/day gaseous station (LLNL/systems2atoms, commit 32f96867,
    systems2atoms/systems/s2a_systems_functions.py; see the fixture's ``source``)."""
    return json.loads(HDSAM_FIXTURE.read_text())


def test_hdsam_fixture_cites_its_source(hdsam):
    assert hdsam["source"]["repo"] == "LLNL/systems2atoms"
    assert hdsam["source"]["path"].endswith("s2a_systems_functions.py")
    assert len(hdsam["source"]["commit"]) == 40
    # its parts add up: TCI = installed x 1.23 (indirect costs), cost per kg = levelised capital,
    # O&M and labour per kg + electricity
    inst = hdsam["installed_capex_usd"]
    installed = inst["compressor"] + inst["precooling"] + inst["storage"]
    assert hdsam["total_capital_investment_usd"] == pytest.approx(installed * 1.23, rel=1e-12)
    yearly = sum(hdsam["levelized_capital_usd_per_year"].values()) + sum(hdsam["om_usd_per_year"].values())
    elec = hdsam["electricity_usd_per_kwh"] * sum(hdsam["electricity_kwh_per_kg"].values())
    per_kg = yearly / hdsam["kg_per_year"] + elec
    assert hdsam["station_cost_usd_per_kg"] == pytest.approx(per_kg, rel=1e-12)


def test_hdsam_station_sizes_match_the_base_design(case, hdsam):
    """h2model's base design of a 1,000 kg/day station (PeakSizing) has HDSAM's component
    sizes: 4 hoses, 250 kg of cascade, the compressor at capacity / 24 h and one 3.4-ton
    pre-cooler per hose at 70 MPa."""
    inp = peak.PeakInputs.from_case(_with_network(case, peak_sizing=1))
    sz = hdsam["sizes"]
    cap = np.array([hdsam["capacity_kg_per_day"]])
    sizes = peak.size_components(inp, np.zeros((1, len(inp.segments))), cap, np.array([70.0]))
    assert int(sizes["base_hoses"][0]) == sz["hoses"] == sz["precoolers"]
    assert sizes["base_storage_kg"][0] == pytest.approx(sz["cascade_storage_kg"])
    assert sizes["base_compressor_kg_per_hour"][0] == pytest.approx(sz["compressor_kg_per_hour"])
    hdsam_kw = sz["precoolers"] * sz["precooler_refrigeration_tons"] * sz["kw_per_refrigeration_ton"]
    assert sizes["base_precooling_kw"][0] == pytest.approx(hdsam_kw, rel=1e-3)


def _hdsam_costs(hdsam):
    """HDSAM's station in h2model's cost arrays: component capex = its TCI split by installed cost."""
    inst = hdsam["installed_capex_usd"]
    tci = hdsam["total_capital_investment_usd"]
    installed = inst["compressor"] + inst["precooling"] + inst["storage"]
    costs = {f"capex_{c}_cny": np.array([inst[c] / installed * tci])
             for c in ("compressor", "precooling", "storage")}
    costs["capex_excl_land_cny"] = np.array([tci])
    costs["compressor_life_years"] = np.array([hdsam["life_years"]["compressor"]])
    return costs


def _h2model_cost_per_kg(hdsam, tax_rate):
    from h2model import finance

    life = 30  # the lives 10, 15 and 30 years repeat exactly over 30 years, as HDSAM's levelisation assumes
    rep = station.capex.component_replacement_shares(
        _hdsam_costs(hdsam), {c: hdsam["life_years"][c] for c in ("precooling", "storage")}, life)[0]
    fin = finance.FinanceAssumptions(discount_rate=hdsam["finance"]["real_after_tax_discount_rate"],
                                     station_life_years=life, income_tax_rate=tax_rate,
                                     depreciation_years=hdsam["macrs_years"]["compressor"],
                                     construction_years=1)
    variable = hdsam["electricity_usd_per_kwh"] * sum(hdsam["electricity_kwh_per_kg"].values())
    price = finance.breakeven_price(hdsam["total_capital_investment_usd"],
                                    sum(hdsam["om_usd_per_year"].values()), variable, hdsam["kg_per_year"],
                                    fin, replacement_share=rep)
    return float(np.asarray(price).ravel()[0])


def _hdsam_formula_cost_per_kg(hdsam, tax_rate, depreciation_pv):
    """HDSAM's levelisation (levelized_capital_cost): TCI share x CRF(r, life) x
    (1 - PV_dep x T) / (1 - T), plus O&M, labour and electricity per kg."""
    r = hdsam["finance"]["real_after_tax_discount_rate"]
    costs = _hdsam_costs(hdsam)
    lev = sum(float(costs[f"capex_{c}_cny"][0]) * r * (1 + r) ** n / ((1 + r) ** n - 1)
              for c, n in hdsam["life_years"].items())
    lev *= (1 - depreciation_pv * tax_rate) / (1 - tax_rate)
    return ((lev + sum(hdsam["om_usd_per_year"].values())) / hdsam["kg_per_year"]
            + hdsam["electricity_usd_per_kwh"] * sum(hdsam["electricity_kwh_per_kg"].values()))


def test_hdsam_cost_per_kg_agrees_exactly_without_income_tax(hdsam):
    """With income tax at zero (so the depreciation schedule does not matter) h2model's
    discounted cash flow with replacements by component life
    (:func:`h2model.station.capex.component_replacement_shares`) reproduces HDSAM's
    levelised cost (capital recovery factor per component life) to rounding."""
    expected = _hdsam_formula_cost_per_kg(hdsam, 0.0, 0.0)
    assert _h2model_cost_per_kg(hdsam, 0.0) == pytest.approx(expected, rel=1e-9)


def test_hdsam_cost_per_kg_with_tax_differs_by_the_depreciation_schedule(hdsam):
    """With HDSAM's tax (38.9 %) h2model is 2.7 % above HDSAM's 2.503 USD/kg, outside the
    2 % the issue asks for, and the gap is the depreciation schedule alone, which h2model
    cannot reproduce: HDSAM depreciates on 5-year MACRS (half-year convention) and counts
    its present value one year early (``real_PV_depr = NPV x (1 + r)`` = 0.851 of cost),
    h2model straight-line over 5 years from the first operating year (0.758) and
    replacements from the year they are bought (0.834). HDSAM's own formula with h2model's
    straight-line present value (0.758 for every purchase) gives +3.5 %; h2model lies
    between the two. Without tax the two agree exactly (test above)."""
    r = hdsam["finance"]["real_after_tax_discount_rate"]
    tax = hdsam["finance"]["total_tax_rate"]
    reference = hdsam["station_cost_usd_per_kg"]
    macrs = np.array([0.2, 0.32, 0.192, 0.1152, 0.1152, 0.0576])  # 5-year MACRS, half-year convention
    pv_macrs = float((macrs / (1 + r) ** np.arange(1, 7)).sum() * (1 + r))
    assert _hdsam_formula_cost_per_kg(hdsam, tax, pv_macrs) == pytest.approx(reference, rel=1e-4)
    pv_straight = float((0.2 / (1 + r) ** np.arange(1, 6)).sum())
    upper = _hdsam_formula_cost_per_kg(hdsam, tax, pv_straight)
    ours = _h2model_cost_per_kg(hdsam, tax)
    assert reference < ours < upper
    assert ours / reference - 1 == pytest.approx(0.027, abs=0.002)


def test_hdsam_capex_scale_differs_from_the_single_exponent(case, hdsam):
    """h2model's station capex is top-down (StationCosts reference capex x (Q/Q_ref)^beta,
    split by shares), so at HDSAM's 1,000 kg/day reference its components are HDSAM's by
    construction. Doubling to 2,000 kg/day HDSAM's component laws (compressor per-stage
    power^0.6038, storage linear, pre-cooling units^0.8579) raise installed capex x1.669
    (beta 0.74); the case's 70 MPa beta = 0.65 gives x1.569, 6.0 % below HDSAM."""
    sc = case["StationCosts"]
    row = (sc["station_type"] == "standalone") & (sc["pressure_mpa"] == 70)
    beta = float(sc.loc[row, "scale_exponent"].iloc[0])
    tci = hdsam["total_capital_investment_usd"]
    k = station.station_capex_cny([1000.0, 2000.0], hdsam["capacity_kg_per_day"], tci, beta)
    assert k[0] == pytest.approx(tci)
    hd = hdsam["at_2000_kg_per_day"]
    hd_ratio = sum(hd["installed_capex_usd"].values()) / (tci / 1.23)
    assert hd_ratio == pytest.approx(hd["installed_capex_ratio_to_1000"], rel=1e-12)
    assert float(k[1] / k[0]) / hd_ratio - 1 == pytest.approx(-0.060, abs=0.002)
