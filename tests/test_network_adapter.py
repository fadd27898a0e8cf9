"""The network plan on the default Guangzhou case (the adapter from Case to optimiser)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from h2model import fleet
from h2model.inputs import DEFAULT_CASE, load_case
from h2model.network.adapter import network_from_case, network_options_from_case


@pytest.fixture(scope="module")
def case_and_fleet():
    case = load_case(DEFAULT_CASE, "plan-2025")
    return case, fleet.fleet_from_case(case)


@pytest.fixture(scope="module")
def plan(case_and_fleet):
    return network_from_case(*case_and_fleet)


def test_default_case_solves_to_optimality(plan):
    assert plan.plan.solve.status == "optimal"
    assert plan.plan.solve.gap <= 0.005 + 1e-9


def test_at_least_50_stations_by_2025_and_all_2025_demand_met(plan, case_and_fleet):
    case, _ = case_and_fleet
    opts = network_options_from_case(*case_and_fleet)
    assert opts.station_target_count == 51  # "more than 50"
    by_year = plan.plan.by_year.set_index("year")
    assert by_year.loc[2025, "stations_open"] >= 51
    assert by_year.loc[2025, "unmet_kg_per_day"] == pytest.approx(0.0, abs=1e-6)
    assert by_year.loc[2025, "served_kg_per_day"] == pytest.approx(by_year.loc[2025, "demand_kg_per_day"])


def test_target_the_candidates_cannot_meet_is_reported(case_and_fleet):
    case, fl = case_and_fleet
    opts = network_options_from_case(case, fl)
    impossible = dataclasses.replace(opts, station_target_count=500)
    plan = network_from_case(case, fl, impossible)
    text = " ".join(plan.binding)
    assert "500" in text and "station" in text
    assert plan.plan.solve.status in ("optimal", "feasible")


def test_assignment_shares_cover_each_served_depot(plan):
    a = plan.depot_assignment
    sums = a.groupby(["year", "depot_id"])["share"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    assert a["year"].min() == 2020 and a["year"].max() == 2035
    assert set(range(2020, 2036)) == set(a["year"])


def test_built_stations_open_no_earlier_than_planned(plan, case_and_fleet):
    case, _ = case_and_fleet
    st = case["Stations"].set_index("station_id")
    b = plan.built_stations.set_index("station_id")
    assert (st.loc[b.index, "status"] == "candidate").all()  # expansions are not new stations
    bp = plan.plan.build_plan
    first = bp[bp["site_id"].isin(b.index)].groupby("site_id")["year"].min()
    assert (b["commissioning_year"] <= first.reindex(b.index)).all()
    open_year = st["commissioning_year"].astype("Float64").fillna(np.inf).astype(float)
    open_year.update(b["commissioning_year"].astype(float))
    a = plan.depot_assignment
    assert (a["year"].to_numpy() >= open_year.reindex(a["site_id"]).to_numpy()).all()
