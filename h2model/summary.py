"""The run's summary: the plan's targets and the headline figures as one table.

The subsidy budget and CO2 figures of the report's first screen (:func:`budget_card`,
:func:`co2_card`) and the ``Summary`` sheet that opens ``results.xlsx``
(:func:`summary_table`), from a run's tables only (a low-level module: it imports no
other part of h2model, so :mod:`h2model.results` can call it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Years of the subsidy budget's window (inclusive).
BUDGET_YEARS = (2021, 2025)


def budget_card(results, years: tuple[int, int] = BUDGET_YEARS) -> dict:
    """Public money paid in ``years`` (inclusive), nominal CNY: total, by level of
    government (largest first, from ``budget``), and per kg of hydrogen the fleet used
    and per vehicle in service at the end of the window, on the ``budget_summary``
    table's own basis (its ``all`` rows: ``outlay_cny, h2_kg_per_year, fcev_in_service``).

    >>> b = pd.DataFrame({"year": [2021, 2025, 2026], "level": ["municipal", "national", "municipal"],
    ...                   "outlay_cny": [3e6, 1e6, 9e9]})
    >>> s = pd.DataFrame({"year": [2021, 2025, 2026], "group": ["all"] * 3, "outlay_cny": [3e6, 1e6, 9e9],
    ...                   "h2_kg_per_year": [1e5, 1e5, 1e5], "fcev_in_service": [10, 40, 50]})
    >>> c = budget_card({"budget": b, "budget_summary": s})
    >>> c["total_cny"], c["by_level"], c["per_kg_cny"], c["per_vehicle_cny"]
    (4000000.0, [('municipal', 3000000.0), ('national', 1000000.0)], 20.0, 100000.0)
    """
    lo, hi = years
    b = results["budget"]
    b = b[(b["year"] >= lo) & (b["year"] <= hi)]
    by_level = b.groupby("level")["outlay_cny"].sum().sort_values(ascending=False)
    total = float(by_level.sum())
    s = results["budget_summary"]
    s = s[(s["group"] == "all") & (s["year"] >= lo) & (s["year"] <= hi)]
    kg = float(s["h2_kg_per_year"].sum())
    vehicles = float(s.loc[s["year"] == hi, "fcev_in_service"].sum())
    return {
        "years": (lo, hi),
        "total_cny": total,
        "by_level": [(str(k), float(v)) for k, v in by_level.items()],
        "per_kg_cny": total / kg if kg > 0 else np.nan,
        "per_vehicle_cny": total / vehicles if vehicles > 0 else np.nan,
    }


def co2_card(results, year: int, years: tuple[int, int] = BUDGET_YEARS) -> dict:
    """CO2 avoided against diesel in ``year`` and over ``years`` (t), and the range over
    segments of the social and private abatement cost of vehicles bought in ``year``
    (CNY/t), from the ``co2`` and ``abatement`` tables.

    >>> co2 = pd.DataFrame({"year": [2024, 2025, 2025], "co2_avoided_t": [1.0, 2.0, 3.0]})
    >>> ab = pd.DataFrame({"purchase_year": [2025, 2025], "abatement_cost_social_cny_per_t": [10.0, 30.0],
    ...                    "abatement_cost_private_cny_per_t": [5.0, 7.0]})
    >>> c = co2_card({"co2": co2, "abatement": ab}, 2025, (2024, 2025))
    >>> c["year_t"], c["window_t"], c["social_cny_per_t"], c["private_cny_per_t"]
    (5.0, 6.0, (10.0, 30.0), (5.0, 7.0))
    """
    co2 = results["co2"]
    lo, hi = years
    out = {
        "year": int(year),
        "years": (lo, hi),
        "year_t": float(co2.loc[co2["year"] == year, "co2_avoided_t"].sum()),
        "window_t": float(co2.loc[(co2["year"] >= lo) & (co2["year"] <= hi), "co2_avoided_t"].sum()),
        "social_cny_per_t": (np.nan, np.nan),
        "private_cny_per_t": (np.nan, np.nan),
    }
    if "abatement" in results and len(results["abatement"]):
        ab = results["abatement"]
        ab = ab[ab["purchase_year"] == year]
        for key, col in (("social_cny_per_t", "abatement_cost_social_cny_per_t"),
                         ("private_cny_per_t", "abatement_cost_private_cny_per_t")):
            v = ab[col].to_numpy(float)
            v = v[np.isfinite(v)]
            if len(v):
                out[key] = (float(v.min()), float(v.max()))
    return out


def summary_table(tables) -> pd.DataFrame:
    """The targets and headline figures as one long table (``topic, item, year, value,
    unit``) for the ``Summary`` sheet: each target's achieved and required value,
    status, kind, basis and Monte Carlo figures; the subsidy budget (total, by level of
    government, per kg and per vehicle) and CO2 avoided.

    Parameters
    ----------
    tables : mapping
        Table name -> table of a run (``targets``; ``budget``, ``budget_summary``,
        ``co2``, ``abatement`` where present).

    Returns
    -------
    pandas.DataFrame
        Empty without a ``targets`` table.

    >>> tg = pd.DataFrame({"target": ["price"], "year": [2025], "comparator": ["<"], "required": [35.0],
    ...     "achieved": [41.7], "unit": ["CNY/kg"], "met": [False], "kind": ["outcome"],
    ...     "median": [49.7], "p5": [41.7], "p95": [66.7], "prob_met": [0.0]})
    >>> s = summary_table({"targets": tg})
    >>> s[["item", "value"]].values.tolist()[:4]
    [['achieved', 41.7], ['required', '< 35'], ['status', 'not met'], ['kind', 'outcome']]
    """
    if "targets" not in tables:
        return pd.DataFrame(columns=["topic", "item", "year", "value", "unit"])
    rows = []
    for r in tables["targets"].to_dict("records"):
        topic, year, unit = f"target: {r['target']}", int(r["year"]), r.get("unit", "")
        rows += [(topic, "achieved", year, float(r["achieved"]), unit),
                 (topic, "required", year, f"{r['comparator']} {float(r['required']):g}", unit),
                 (topic, "status", year, "met" if r["met"] else "not met", ""),
                 (topic, "kind", year, r.get("kind", ""), "")]
        if isinstance(r.get("basis"), str) and r["basis"]:
            rows.append((topic, "basis", year, r["basis"], ""))
        for k in ("median", "p5", "p95", "prob_met"):
            if k in r and np.isfinite(float(r[k])):
                rows.append((topic, k, year, float(r[k]), "share" if k == "prob_met" else unit))
    if all(n in tables for n in ("budget", "budget_summary")):
        b = budget_card(tables)
        window = f"{b['years'][0]}-{b['years'][1]}"
        rows.append(("subsidy budget (nominal)", "total", window, b["total_cny"], "CNY"))
        rows += [("subsidy budget (nominal)", f"level: {k}", window, v, "CNY") for k, v in b["by_level"]]
        rows += [("subsidy budget (nominal)", "per kg of hydrogen used", window, b["per_kg_cny"], "CNY/kg"),
                 ("subsidy budget (nominal)", "per vehicle in service", window, b["per_vehicle_cny"], "CNY")]
    if "co2" in tables and "targets" in tables:
        year = int(tables["targets"]["year"].max())
        c = co2_card(tables, year)
        rows += [("CO2 avoided", "in year", year, c["year_t"], "t"),
                 ("CO2 avoided", "in window", f"{c['years'][0]}-{c['years'][1]}", c["window_t"], "t")]
        for k in ("social", "private"):
            lo, hi = c[f"{k}_cny_per_t"]
            if np.isfinite(lo):
                rows.append(("CO2 abatement cost", f"{k}, vehicles bought in year (min-max over segments)",
                             year, f"{lo:,.0f}-{hi:,.0f}", "CNY/t"))
    return pd.DataFrame(rows, columns=["topic", "item", "year", "value", "unit"])
