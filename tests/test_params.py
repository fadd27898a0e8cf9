"""The parameters layer: numbers built once from the case, drawn along leading axes."""

import numpy as np
import pytest

from h2model.inputs import DEFAULT_CASE, load_case
from h2model.params import Params, as_params


@pytest.fixture(scope="module")
def case():
    return load_case(DEFAULT_CASE)


def test_numbers_equal_the_case(case):
    p = Params.from_case(case)
    np.testing.assert_array_equal(p.col("StationCosts", "capex_excl_land_cny"),
                                  case["StationCosts"]["capex_excl_land_cny"].to_numpy(float))
    assert p.par("Finance", "discount_rate") == case.finance["discount_rate"]
    # Text columns are structure, not inputs.
    assert ("Stations", "capacity_kg_per_day") in p.inputs()
    assert ("Stations", "station_id") not in p.inputs()


def test_base_arrays_are_read_only(case):
    p = Params.from_case(case)
    with pytest.raises(ValueError, match="read-only"):
        p.col("Supply", "production_cost_cny_per_kg")[0] = 0.0


def test_draws_lead_and_broadcast(case):
    p = Params.from_case(case)
    n = len(case["Supply"])
    cost = np.outer([1.0, 2.0, 3.0], p.col("Supply", "production_cost_cny_per_kg"))
    q = p.with_draws({("Supply", "production_cost_cny_per_kg"): cost,
                      ("Finance", "discount_rate"): np.array([0.05, 0.06, 0.07])})
    assert q.draws_shape == (3,)
    assert q.col("Supply", "production_cost_cny_per_kg").shape == (3, n)
    assert q.par("Finance", "discount_rate", trailing=2).shape == (3, 1, 1)
    # The original is untouched and records its own reads only.
    assert p.par("Finance", "discount_rate") == case.finance["discount_rate"]
    assert ("Supply", "production_cost_cny_per_kg") in q.accessed
    fresh = Params.from_case(case)
    fresh.par("Finance", "discount_rate")
    assert fresh.accessed == {("Finance", "discount_rate")}


def test_bad_draws_are_refused(case):
    p = Params.from_case(case)
    with pytest.raises(KeyError, match="Stations.station_id is not a numeric input"):
        p.with_draws({("Stations", "station_id"): np.zeros(3)})
    with pytest.raises(KeyError, match="Finance.station_life_years is a whole number"):
        p.with_draws({("Finance", "station_life_years"): np.zeros(3)})
    assert ("Finance", "discount_rate") in p.drawable()
    assert ("Finance", "station_life_years") not in p.drawable()
    with pytest.raises(ValueError, match="must end with the sheet's"):
        p.with_draws({("Supply", "production_cost_cny_per_kg"): np.zeros((4, 1))})
    with pytest.raises(ValueError):  # draw axes that do not broadcast
        p.with_draws({("Finance", "discount_rate"): np.zeros(2), ("Finance", "inflation_rate"): np.zeros(3)})


def test_by_year_clamps_to_the_price_sheet(case):
    p = Params.from_case(case)
    prices = case["Prices"].sort_values("year")
    first, last = prices.iloc[0], prices.iloc[-1]
    got = p.by_year("diesel_cny_per_l", [int(first["year"]) - 5, int(last["year"]) + 5])
    assert got.tolist() == [first["diesel_cny_per_l"], last["diesel_cny_per_l"]]


def test_as_params_keeps_a_params(case):
    p = Params.from_case(case)
    assert as_params(p) is p
    assert isinstance(as_params(case), Params)
