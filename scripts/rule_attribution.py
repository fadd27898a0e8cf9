"""How much each published rule moves the 2025 headline price, per scenario.

For each scenario the network plan is solved once; then station economics is re-run
on that plan (same loads, capacity and sources) with one rule switched back to the
alternative the model used before issue #12, and the 2025 network price with subsidy
(nominal CNY/kg, the headline) is compared with the current rule. Also prints the
pre-#11 headline definition on the same run: the volume-weighted break-even price of
the stations that sell (real CNY). Used for the closing notes of #11/#12; the engines
are the package's own (:mod:`h2model.station`, :mod:`h2model.params`).

Usage: python scripts/rule_attribution.py [workbook] [--year 2025]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses

import pandas as pd

from h2model import fleet, station
from h2model.inputs import DEFAULT_CASE, list_scenarios, load_case
from h2model.network.adapter import network_from_case
from h2model.params import Params
from h2model.prices import NETWORK_PRICE, nominal


def _variant(case, *, params=None, policy=None):
    p = copy.deepcopy(case.params)
    for sheet, kv in (params or {}).items():
        p[sheet].update(kv)
    tables = dict(case.tables)
    if policy is not None:
        tables["Policy"] = policy(case["Policy"].copy())
    return dataclasses.replace(case, params=p, tables=tables)


def _non_strict(pol: pd.DataFrame) -> pd.DataFrame:
    pol["price_comparator"] = pol["price_comparator"].where(pol["price_comparator"].isna(), "<=")
    return pol


VARIANTS = {
    "grant cap per programme only (no all-level 5 M / 50 % cap)":
        dict(params={"PolicyCaps": {"station_grant_cap_cny": 1e18,
                                    "station_grant_cap_share_of_investment": 1e9}}),
    "price thresholds read as 'at most' (<=), not 'below' (<)": dict(policy=_non_strict),
    "no input-VAT credit on electricity and diesel (tariffs as costs incl. VAT)":
        dict(params={"Finance": {"electricity_vat_rate": 0.0, "diesel_vat_rate": 0.0}}),
    "capital grants taxable and depreciated (the other allowed rule)":
        dict(params={"Finance": {"capital_grant_taxable": 1}}),
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workbook", nargs="?", default=str(DEFAULT_CASE))
    ap.add_argument("--year", type=int, default=2025)
    a = ap.parse_args(argv)
    rows = []
    for sc in list_scenarios(a.workbook):
        case = load_case(a.workbook, sc)
        fl = fleet.fleet_from_case(case)
        plan = network_from_case(case, fl)
        case = plan.case_for_flow(case)
        fl = fleet.fleet_on_assignment(case, fl, plan.depot_assignment,
                                       station_capacity=plan.station_capacity)
        kw = dict(loads=fl.station_load, built=plan.built_stations, station_capacity=plan.station_capacity,
                  station_supply=plan.station_supply)

        def headline(c, kw=kw):
            net = station.station_economics(Params.from_case(c), **kw).network.set_index("year")
            return float(nominal(c, float(net.at[a.year, NETWORK_PRICE]), a.year)), net

        base, net = headline(case)
        row = {"scenario": sc, "headline_nominal": round(base, 2),
               "sellers_only_real (pre-#11 definition)":
                   round(float(net.at[a.year, "sellers_vw_breakeven_price_with_subsidy_cny_per_kg"]), 2)}
        for name, v in VARIANTS.items():
            row[name] = round(headline(_variant(case, **v))[0] - base, 2)
        rows.append(row)
        print(pd.Series(row).to_string(), flush=True)
    out = pd.DataFrame(rows)
    print(out.T.to_string())


if __name__ == "__main__":
    main()
