"""What a report shows: the data views, tables and chart specs of a scenario.

Tables derived from a run's results for the report and the notebooks (station sites,
levelised cost components, supply by source, the executive summary and headline
figures, the Monte Carlo headline and sensitivity tables, the assumptions), the chart
specs of every report section (:data:`CHARTS`, :func:`build_charts`) and the
formatting of table cells for the templates (:func:`html_table`). Nothing here writes
files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import charts
from ..glossary import categories, category, column_label, t
from ..glossary import has as has_key
from ..inputs.schema import SHEETS
from ..results import Results
from ..station.cashflow import CASH_FLOW_LINES
from ..summary import budget_card, co2_card

#: Finance keys shown in the assumptions table: every key of the Finance sheet, in
#: schema order.
FINANCE_KEYS = tuple(c.name for c in SHEETS["Finance"].params)

#: Levelised cost components of the ``stations`` table, in waterfall order
#: (they sum to ``breakeven_price_with_subsidy_cny_per_kg``).
LCOH_COMPONENTS = (
    "capital",
    "fixed_om",
    "land",
    "electricity",
    "hydrogen_purchase",
    "delivery",
    "financing_and_tax",
    "vat",
    "subsidy",
)

#: Columns of each station's cash flow table in the appendix (signed, real CNY).
CASH_FLOW_COLUMNS = (*CASH_FLOW_LINES, "equity_cash_flow_cny")

#: Rows of a table shown in a report before "N more rows in file".
MAX_ROWS = 40


# --- what the report shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the scenario report: the tables it needs and how it is drawn."""

    name: str
    section: str
    needs: tuple[str, ...]
    draw: Callable  # (results, case, lang) -> altair chart


def _target(results: Results, target: str) -> pd.Series | None:
    rows = results["targets"][results["targets"]["target"] == target]
    return None if rows.empty else rows.iloc[0]


def station_sites(results: Results, case) -> pd.DataFrame:
    """One row per station of the run with its position: the last year's row of the
    ``stations`` table joined with ``longitude, latitude`` from the case.

    Parameters
    ----------
    results : Results
        With a ``stations`` table (one row per station and year).
    case : h2model.inputs.case.Case
        Its ``Stations`` sheet gives positions (candidate sites included).

    Returns
    -------
    pandas.DataFrame
        ``station_id, name, district, station_type, capacity_kg_per_day,
        commissioning_year, capex_cny, longitude, latitude`` (columns the table has).
    """
    st = results["stations"].sort_values(["station_id", "year"]).drop_duplicates("station_id", keep="last")
    keep = [
        c
        for c in (
            "station_id",
            "name",
            "district",
            "station_type",
            "capacity_kg_per_day",
            "commissioning_year",
            "capex_cny",
            "longitude",
            "latitude",
        )
        if c in st.columns
    ]
    st = st[keep]
    if "longitude" not in st.columns:
        pos = case["Stations"][["station_id", "longitude", "latitude"]]
        st = st.merge(pos, on="station_id", how="left")
    order = {s: i for i, s in enumerate(case["Stations"]["station_id"])}
    return st.sort_values("station_id", key=lambda s: s.map(order).fillna(len(order))).reset_index(drop=True)


def lcoh_components(stations: pd.DataFrame, year: int) -> pd.DataFrame:
    """Levelised cost components of the network in ``year``, volume-weighted over the
    stations that sell hydrogen (CNY/kg).

    Their sum is the volume-weighted break-even price with subsidies of the stations
    that sell (``network_by_year.sellers_vw_breakeven_price_with_subsidy_cny_per_kg``),
    as each station's components sum to its break-even price; the network price adds
    the cost of idle stations on top.

    Parameters
    ----------
    stations : pandas.DataFrame
        The ``stations`` table: ``year, kg_sold_per_year`` and
        ``<component>_cny_per_kg`` for the :data:`LCOH_COMPONENTS`.
    year : int

    Returns
    -------
    pandas.DataFrame
        ``component, cny_per_kg`` in :data:`LCOH_COMPONENTS` order (components the
        table lacks are left out).

    >>> st = pd.DataFrame({"year": [2025, 2025], "kg_sold_per_year": [1.0, 3.0],
    ...                    "capital_cny_per_kg": [10.0, 2.0]})
    >>> lcoh_components(st, 2025).values.tolist()
    [['capital', 4.0]]
    """
    rows = stations[(stations["year"] == year) & (stations["kg_sold_per_year"] > 0)]
    cols = [c for c in LCOH_COMPONENTS if f"{c}_cny_per_kg" in rows.columns]
    w = rows["kg_sold_per_year"].to_numpy(float)
    values = rows[[f"{c}_cny_per_kg" for c in cols]].to_numpy(float)
    avg = (w @ values) / w.sum() if w.sum() > 0 else np.full(len(cols), np.nan)
    return pd.DataFrame({"component": cols, "cny_per_kg": avg})


def supply_by_source(stations: pd.DataFrame, supply: pd.DataFrame) -> pd.DataFrame:
    """Hydrogen dispensed by year and supply type (kg/day) from the ``stations`` table.

    Parameters
    ----------
    stations : pandas.DataFrame
        ``year, supply_id, h2_kg_per_day``.
    supply : pandas.DataFrame
        The case's ``Supply`` sheet: ``supply_id, supply_type``.

    Returns
    -------
    pandas.DataFrame
        ``year, source, kg_per_day`` (``source`` is the supply type).
    """
    kind = supply.set_index("supply_id")["supply_type"]
    s = stations[["year", "supply_id", "h2_kg_per_day"]].copy()
    s["source"] = s["supply_id"].map(kind).fillna(s["supply_id"])
    return (
        s.groupby(["year", "source"], as_index=False, sort=True)["h2_kg_per_day"]
        .sum()
        .rename(columns={"h2_kg_per_day": "kg_per_day"})
    )


def _price_year(results: Results) -> int:
    row = _target(results, "price")
    return int(row["year"]) if row is not None else int(results["stations"]["year"].max())


def nominal_price_path(results: Results, case) -> pd.DataFrame:
    """The ``price_path`` table (real CNY of the price year) in nominal CNY of each year,
    the basis of the price target (:func:`h2model.prices.nominal`).

    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(finance={"inflation_rate": 0.02}, price_year=2024)
    >>> p = pd.DataFrame({"year": [2024, 2025], "h2_price_cny_per_kg": [40.0, 40.0]})
    >>> nominal_price_path({"price_path": p}, c)["h2_price_cny_per_kg"].round(2).tolist()
    [40.0, 40.8]
    """
    from ..prices import nominal

    p = results["price_path"].copy()
    p["h2_price_cny_per_kg"] = nominal(case, p["h2_price_cny_per_kg"].to_numpy(float), p["year"].to_numpy())
    return p


def observed_prices(results: Results, case, lang: str) -> pd.DataFrame:
    """The pump prices observed (``ObservedPrices`` sheet) next to the model's network
    price of the same year, both nominal CNY/kg of that year.

    Returns
    -------
    pandas.DataFrame
        ``year, place`` (the Chinese name in ``zh`` where the sheet has one),
        ``price_basis`` (market or subsidised), ``price_cny_per_kg`` (observed),
        ``model_price_cny_per_kg`` (the run's network price with subsidies that year,
        NaN outside the run's years), ``source_key``; empty without the sheet.
    """
    cols = ["year", "place", "price_basis", "price_cny_per_kg", "model_price_cny_per_kg", "source_key"]
    obs = case.tables.get("ObservedPrices")
    if obs is None or obs.empty or "price_path" not in results:
        return pd.DataFrame(columns=cols)
    model = nominal_price_path(results, case).set_index("year")["h2_price_cny_per_kg"]
    place = obs["place"].astype(str)
    if lang != "en" and "name_zh" in obs:
        place = obs["name_zh"].where(obs["name_zh"].notna() & (obs["name_zh"].astype(str) != ""), place)
    out = pd.DataFrame({
        "year": obs["year"].astype(int).to_numpy(),
        "place": place.to_numpy(object),
        "price_basis": obs["price_basis"].to_numpy(object),
        "price_cny_per_kg": obs["price_cny_per_kg"].astype(float).to_numpy(),
        "model_price_cny_per_kg": model.reindex(obs["year"].astype(int)).to_numpy(float),
        "source_key": obs["source_key"].to_numpy(object),
    })
    return out.sort_values(["year", "price_cny_per_kg"], ascending=[True, False], kind="stable").reset_index(
        drop=True)


def observed_sentence(results: Results, case, lang: str) -> str | None:
    """One sentence for the price card: the model's price in its first year and in each
    year with an observed pump price, next to those observations (nominal CNY/kg); None
    without observations."""
    obs = observed_prices(results, case, lang)
    if obs.empty:
        return None
    model = nominal_price_path(results, case).set_index("year")["h2_price_cny_per_kg"]
    years = sorted({int(model.index.min()), *obs["year"].astype(int)} & set(model.index.astype(int)))
    models = ", ".join(f"{y}: {_price(model.loc[y])}" for y in years)
    seen = "; ".join(
        f"{_price(r.price_cny_per_kg)} {r.place} ({r.year}, {category('price_basis', r.price_basis, lang)})"
        for r in obs.itertuples(index=False))
    return t("narr.observed_vs_model", lang, models=models, observed=seen)


def _observed_for_chart(results: Results, case, lang: str) -> pd.DataFrame:
    return observed_prices(results, case, lang)[["year", "price_cny_per_kg", "place", "price_basis"]]


def nominal_station_prices(results: Results, case) -> pd.DataFrame:
    """``station_id, year, breakeven_price_with_subsidy_cny_per_kg, price_target_cny_per_kg``
    of the ``stations`` table with the price in nominal CNY of each year, the basis of the
    price target (:func:`h2model.prices.nominal`).

    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(finance={"inflation_rate": 0.02}, price_year=2024)
    >>> col = "breakeven_price_with_subsidy_cny_per_kg"
    >>> s = pd.DataFrame({"station_id": ["A"], "year": [2025], col: [30.0]})
    >>> nominal_station_prices({"stations": s}, c)[col].tolist()
    [30.6]
    """
    from ..prices import nominal

    col = "breakeven_price_with_subsidy_cny_per_kg"
    st = results["stations"]
    p = st[[k for k in ("station_id", "year", col, "price_target_cny_per_kg") if k in st.columns]].copy()
    p[col] = nominal(case, p[col].to_numpy(float), p["year"].to_numpy())
    return p


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "targets", "summary", ("targets",), lambda r, c, lang: charts.targets_summary(r["targets"], lang=lang)
    ),
    ChartSpec(
        "station_map",
        "network",
        ("stations",),
        lambda r, c, lang: charts.station_map(
            station_sites(r, c),
            c["Districts"],
            prices=nominal_station_prices(r, c),
            price_year=_price_year(r),
            lang=lang,
        ),
    ),
    ChartSpec(
        "build_schedule",
        "network",
        ("stations",),
        lambda r, c, lang: charts.build_schedule(station_sites(r, c), lang=lang),
    ),
    ChartSpec(
        "levelised_cost",
        "economics",
        ("stations", "targets"),
        lambda r, c, lang: charts.levelised_cost(
            lcoh_components(r["stations"], _price_year(r)),
            year=_price_year(r),
            target_cny_per_kg=(
                float(_target(r, "price")["required"]) if _target(r, "price") is not None else None
            ),
            lang=lang,
        ),
    ),
    ChartSpec(
        "price_path",
        "economics",
        ("price_path", "targets"),
        lambda r, c, lang: charts.price_path(nominal_price_path(r, c), r["targets"], lang=lang,
                                             observed=_observed_for_chart(r, c, lang)),
    ),
    ChartSpec(
        "tco_parity",
        "fleet",
        ("tco_parity",),
        lambda r, c, lang: charts.tco_parity(r["tco_parity"], lang=lang),
    ),
    ChartSpec(
        "tco_components",
        "fleet",
        ("tco_components",),
        lambda r, c, lang: charts.tco_components(r["tco_components"], CARD_YEARS, lang=lang),
    ),
    ChartSpec(
        "subsidy_budget",
        "policy",
        ("budget",),
        lambda r, c, lang: charts.subsidy_budget(r["budget"], lang=lang),
    ),
    ChartSpec(
        "demand_by_district",
        "demand",
        ("demand_by_district",),
        lambda r, c, lang: charts.demand_by_district(r["demand_by_district"], lang=lang),
    ),
    ChartSpec(
        "supply_mix",
        "demand",
        ("stations",),
        lambda r, c, lang: charts.supply_mix(supply_by_source(r["stations"], c["Supply"]), lang=lang),
    ),
    ChartSpec(
        "co2_abatement", "emissions", ("co2",), lambda r, c, lang: charts.co2_abatement(r["co2"], lang=lang)
    ),
    # Hydrogen corridors (Network.corridors = 1): the section is left out without its tables.
    ChartSpec(
        "corridor_map",
        "corridors",
        ("corridor_links", "corridor_stations"),
        lambda r, c, lang: charts.corridor_map(r["corridor_links"], r["corridor_stations"],
                                               c["CorridorNodes"], lang=lang),
    ),
    # Monte Carlo (run(case, mc_draws=N)): drawn when the run has the tables.
    ChartSpec(
        "mc_distribution",
        "sensitivity",
        ("uncertainty_network_price",),
        lambda r, c, lang: charts.mc_distribution(r["uncertainty_network_price"], lang=lang),
    ),
    ChartSpec(
        "tornado", "sensitivity", ("tornado",), lambda r, c, lang: charts.tornado(r["tornado"], lang=lang)
    ),
    ChartSpec(
        "sobol", "sensitivity", ("sobol",), lambda r, c, lang: charts.sobol_ranking(r["sobol"], lang=lang)
    ),
    ChartSpec(
        "frontier",
        "sensitivity",
        ("frontier", "frontier_contour"),
        lambda r, c, lang: charts.breakeven_frontier(r["frontier"], r["frontier_contour"], lang=lang),
    ),
    ChartSpec(
        "parity_probability",
        "sensitivity",
        ("uncertainty_parity",),
        lambda r, c, lang: charts.parity_probability(r["uncertainty_parity"], lang=lang),
    ),
)

#: Report sections in order (each holds the charts whose ``section`` it is); the
#: ``sensitivity`` charts have their own section after these, drawn only when the run
#: has the Monte Carlo tables.
SECTIONS = ("summary", "network", "corridors", "economics", "fleet", "policy", "demand", "emissions")

#: Sections shown only when the run has every table their charts need (an option that is
#: off leaves no empty section).
OPTIONAL_SECTIONS = ("corridors",)


def shown_sections(results: Results) -> tuple[str, ...]:
    """:data:`SECTIONS` of a report of ``results``: an :data:`OPTIONAL_SECTIONS` entry
    only when the run has (non-empty) every table its charts need."""
    def has_all(sec):
        return all(n in results and len(results[n]) for c in CHARTS if c.section == sec for n in c.needs)

    return tuple(s for s in SECTIONS if s not in OPTIONAL_SECTIONS or has_all(s))

#: Charts of the sensitivity section (Monte Carlo tables).
SENSITIVITY_CHARTS = tuple(c.name for c in CHARTS if c.section == "sensitivity")

#: Monte Carlo tables of :meth:`h2model.uncertainty.MonteCarloResult.tables`.
UNCERTAINTY_TABLES = (
    "uncertainty_summary",
    "uncertainty_network_price",
    "uncertainty_station_price",
    "uncertainty_parity",
    "uncertainty_budget",
    "uncertainty_inputs",
    "tornado",
    "sobol",
    "frontier",
    "frontier_contour",
)


def build_charts(results: Results, case, lang: str) -> dict[str, object]:
    """Every chart of the scenario report whose tables the run has.

    Parameters
    ----------
    results : Results
    case : h2model.inputs.case.Case
    lang : {'en', 'zh'}

    Returns
    -------
    dict
        Chart name -> Altair chart, in report order (see :data:`CHARTS`).
    """
    return {
        c.name: c.draw(results, case, lang)
        for c in CHARTS
        if all(n in results and len(results[n]) for n in c.needs)
    }


# --- executive summary ----------------------------------------------------------------------------


def _fmt_target(value, unit: str) -> str:
    if value is None or not np.isfinite(float(value)):
        return "–"
    return f"{float(value):,.0f}" if unit in ("stations", "vehicles") else f"{float(value):,.1f}"


def executive_summary(targets: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The plan's targets as the report's opening table, read from the ``targets``
    table (never recomputed).

    Parameters
    ----------
    targets : pandas.DataFrame
        ``target, year, comparator, required, achieved, unit, met, gap``.
    lang : {'en', 'zh'}

    Returns
    -------
    pandas.DataFrame
        One row per target with text columns ``target, year, required, achieved,
        status, gap`` (headers in ``lang``), ``kind`` (input, constraint or outcome)
        where the table says it, ``median (p5-p95)`` and ``probability met`` where it
        carries Monte Carlo figures, and a boolean ``met``.

    >>> tg = pd.DataFrame({"target": ["price"], "year": [2025], "comparator": ["<"],
    ...     "required": [35.0], "achieved": [33.24], "unit": ["CNY/kg"], "met": [True], "gap": [-1.76]})
    >>> executive_summary(tg, "zh").drop(columns=["年份", "met"]).iloc[0].tolist()
    ['车用氢气终端销售价格', '< 35.0 元/公斤', '33.2 元/公斤', '达成', '余量 1.8 元/公斤']
    """
    rows = []
    mc = "prob_met" in targets.columns and targets["prob_met"].notna().any()
    for r in targets.itertuples(index=False):
        unit = category("unit", r.unit, lang)
        gap = float(r.gap)
        if not np.isfinite(gap):
            gap_text = t("narr.gap_na", lang)
        elif r.met:
            gap_text = t("narr.gap_over", lang, gap=f"{_fmt_target(abs(gap), r.unit)} {unit}")
        else:
            gap_text = t("narr.gap_short", lang, gap=f"{_fmt_target(max(gap, 0.0), r.unit)} {unit}")
        rows.append(
            {
                t("ui.target", lang): category("target", r.target, lang),
                t("ui.year", lang): int(r.year),
                t("ui.required", lang): f"{r.comparator} {_fmt_target(r.required, r.unit)} {unit}",
                t("ui.achieved", lang): f"{_fmt_target(r.achieved, r.unit)} {unit}",
                t("ui.status", lang): t("ui.met" if r.met else "ui.not_met", lang),
                t("ui.gap", lang): gap_text,
                **({t("ui.kind", lang): t(f"kind.{r.kind}", lang)} if hasattr(r, "kind") else {}),
                **({t("ui.median_band", lang): _band(r, unit),
                    t("ui.prob_met", lang): _pct(float(r.prob_met))} if mc else {}),
                "met": bool(r.met),
            }
        )
    return pd.DataFrame(rows)


def _band(r, unit: str) -> str:
    """``median (p5-p95) unit`` of a targets row, or a dash without draws."""
    if not np.isfinite(float(r.median)):
        return "–"
    f = [_fmt_target(float(getattr(r, c)), r.unit) for c in ("median", "p5", "p95")]
    return f"{f[0]} ({f[1]}–{f[2]}) {unit}"


def headline(targets: pd.DataFrame) -> str:
    """The targets as stable plain text (rounded) for notebooks' checked output.

    >>> tg = pd.DataFrame({"target": ["stations"], "year": [2025], "comparator": [">"],
    ...     "required": [50.0], "achieved": [52.0], "unit": ["stations"], "met": [True], "gap": [-2.0]})
    >>> print(headline(tg))
    stations 2025: 52 stations (required > 50) met
    """
    lines = []
    for r in targets.itertuples(index=False):
        lines.append(
            f"{r.target} {int(r.year)}: {_fmt_target(r.achieved, r.unit)} {r.unit} "
            f"(required {r.comparator} {_fmt_target(r.required, r.unit)}) "
            f"{'met' if r.met else 'NOT met'}"
        )
    return "\n".join(lines)


# --- sensitivity ----------------------------------------------------------------------------------


def has_uncertainty(results: Results) -> bool:
    """Whether the run has Monte Carlo tables (``run(case, mc_draws=N)`` with N > 0)."""
    return "uncertainty_summary" in results and len(results["uncertainty_summary"]) > 0


def _pct(x: float) -> str:
    return "–" if not np.isfinite(x) else f"{100 * x:.1f}%"


def _price(x) -> str:
    return "–" if x is None or not np.isfinite(float(x)) else f"{float(x):,.1f}"


def mc_headline(summary: pd.DataFrame, lang: str) -> str:
    """The sensitivity section's headline sentence, read from the ``uncertainty_summary``
    table (never recomputed): the probability that the target-year network price meets
    the target, and its p5 / p50 / p95.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``uncertainty_summary``: ``year, price_target_cny_per_kg, comparator, draws,
        prob_meets_target, p5, p50, p95, base_cny_per_kg``.
    lang : {'en', 'zh'}

    Returns
    -------
    str

    >>> sm = pd.DataFrame({"year": [2025], "price_target_cny_per_kg": [35.0], "comparator": ["<"],
    ...     "draws": [200], "prob_meets_target": [0.125], "p5": [30.04], "p50": [38.0], "p95": [50.0],
    ...     "base_cny_per_kg": [37.5]})
    >>> mc_headline(sm, "en")[:46]
    'P(2025 network price < 35 CNY/kg) = 12.5% over'
    """
    r = summary.iloc[0]
    cmp = str(r["comparator"])
    return t(
        "narr.mc_headline",
        lang,
        year=int(r["year"]),
        comparator=cmp
        if lang == "en"
        else {"<": "低于", "<=": "不高于", ">": "高于", ">=": "不低于"}.get(cmp, cmp),
        target=f"{float(r['price_target_cny_per_kg']):g}",
        prob=_pct(float(r["prob_meets_target"])),
        draws=f"{int(r['draws']):,}",
        p5=_price(r.get("p5")),
        p50=_price(r.get("p50")),
        p95=_price(r.get("p95")),
        base=_price(r.get("base_cny_per_kg")),
    )


#: Columns of the compact tornado and Sobol tables in the report.
TORNADO_COLUMNS = (
    "input_id",
    "low_value",
    "high_value",
    "price_at_low",
    "base_price",
    "price_at_high",
    "swing",
)
SOBOL_COLUMNS = ("input_id", "S1", "S1_conf", "ST", "ST_conf")


def sensitivity_tables(results: Results, lang: str, top: int = 8) -> list[tuple[str, dict]]:
    """Compact tables of the sensitivity section from the run's Monte Carlo tables:
    the summary, the tornado's ``top`` largest swings and the Sobol indices (input
    names in ``lang``); empty without Monte Carlo tables.

    Returns
    -------
    list of (str, dict)
        Heading and table (:func:`html_table`).
    """
    if not has_uncertainty(results):
        return []
    out = []
    summary = results["uncertainty_summary"].drop(columns=["scenario"], errors="ignore")
    if "basis" in summary:
        summary = summary.assign(basis=[t("narr.basis_nominal", lang, year=int(y)) for y in summary["year"]])
    out.append((t("narr.mc_summary_table", lang), html_table(summary, lang, max_rows=None)))
    for name, cols, heading in (
        ("tornado", TORNADO_COLUMNS, "narr.tornado_table"),
        ("sobol", SOBOL_COLUMNS, "narr.sobol_table"),
    ):
        if name in results and len(results[name]):
            df = results[name][[c for c in cols if c in results[name].columns]].copy()
            df["input_id"] = categories("input", df["input_id"].tolist(), lang)
            out.append((t(heading, lang), html_table(df, lang, max_rows=top, file=f"{name}.csv")))
    return out


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "–"
    if isinstance(v, bool | np.bool_):
        return "✓" if v else "✗"
    if isinstance(v, int | np.integer):
        return str(int(v)) if 1900 <= int(v) <= 2200 else f"{int(v):,}"
    if isinstance(v, float | np.floating):
        x = float(v)
        if x.is_integer() and 1900 <= x <= 2200:  # a year
            return f"{x:.0f}"
        if x.is_integer() and abs(x) < 1e15:
            return f"{x:,.0f}"
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.2f}" if abs(x) >= 1 else f"{x:.3g}"
    return str(v)


def _share_cell(v) -> str:
    return _pct(float(v)) if isinstance(v, float | np.floating) else _cell(v)


def is_share(column: str) -> bool:
    """Whether a column holds a fraction shown as a percent (probabilities, utilisation,
    shares, rates).

    >>> cols = ("prob_meets_target", "utilisation", "capex_subsidy_share", "p50", "usd_cny_rate")
    >>> [is_share(c) for c in cols]
    [True, True, True, False, False]
    """
    if "cny" in column or "_per_" in column:  # an exchange rate or a price, not a fraction
        return False
    return (column.startswith(("prob", "utilisation")) or column.endswith(("_share", "_rate", "utilisation"))
            or column == "irr")


def html_table(
    df: pd.DataFrame,
    lang: str,
    max_rows: int | None = MAX_ROWS,
    file: str | None = None,
    links: Iterable[str] = (),
) -> dict:
    """A table for the templates: glossary headers, formatted cells.

    Returns
    -------
    dict
        ``headers`` (list of str), ``rows`` (list of list of str), ``more`` (text
        for the rows left out, or ""), ``links`` (indices of columns to show as links).
    """
    shown = df if max_rows is None else df.head(max_rows)
    more = ""
    if max_rows is not None and len(df) > max_rows:
        more = t("ui.more_rows", lang, n=len(df) - max_rows, file=file or "CSV")
    link_idx = [i for i, c in enumerate(df.columns) if c in set(links)]
    pct = [is_share(c) for c in df.columns]
    return {
        "headers": [column_label(c, lang) for c in df.columns],
        "rows": [
            [_share_cell(v) if p else _cell(v) for v, p in zip(row, pct, strict=True)]
            for row in shown.itertuples(index=False)
        ],
        "more": more,
        "links": link_idx,
    }


def assumptions(case, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Key Finance values and the Sources sheet, for the assumptions section.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        ``key, value`` (key named in ``lang``) and ``source_key, title, url, year,
        source_kind, note``.
    """
    fin = case.finance
    finance = pd.DataFrame(
        {
            "key": [t(f"finance.{k}", lang) for k in FINANCE_KEYS if k in fin],
            "value": [_pct(float(fin[k])) if is_share(k) else fin[k] for k in FINANCE_KEYS if k in fin],
        }
    )
    src = case["Sources"].copy()
    if "kind" in src.columns:
        src["kind"] = [category("source_kind", k, lang) for k in src["kind"]]
        src = src.rename(columns={"kind": "source_kind"})
    return finance, src


# --- first screen ---------------------------------------------------------------------------------

#: Levelised cost components that are fixed per year (their per-kg value scales with
#: 1 / kg sold): capital recovery, fixed O&M, land, financing and income tax, and the
#: subsidy component (capital grants; stations above the target receive no per-kg
#: subsidy). The others (electricity, hydrogen purchase, delivery) are per kg.
FIXED_COMPONENTS = ("capital", "fixed_om", "land", "financing_and_tax", "subsidy")
VARIABLE_COMPONENTS = ("electricity", "hydrogen_purchase", "delivery")

#: Years of the first screen's price card and the subsidy budget's window.
CARD_YEARS = (2025, 2030)


def what_would_it_take(
    stations: pd.DataFrame,
    year: int,
    target_real_cny_per_kg: float,
    vat_rate: float,
    inflation_factor: float = 1.0,
    max_capacity_factor: float = 1.0,
) -> pd.DataFrame:
    r"""What would bring each station that sells above the price target in ``year`` to it:
    an extra subsidy per kg sold, or more sales.

    A station-year's retail break-even price at flat sales :math:`q` (kg/year) is
    :math:`p(q) = (1+v)\,(F/q + c)`, with :math:`F/q` the sum of the
    :data:`FIXED_COMPONENTS` at the station's sales, :math:`c` the sum of the
    :data:`VARIABLE_COMPONENTS` and :math:`v` the VAT rate (the ``vat`` component is
    :math:`v` times the ex-VAT price). The utilisation that closes the gap solves
    :math:`p(q^*) = T`: :math:`q^* = F / (T/(1+v) - c)`, divided by capacity x 365;
    where :math:`T/(1+v) \le c` no volume is enough (NaN). Subsidy eligibility is
    held as it is.

    Parameters
    ----------
    stations : pandas.DataFrame
        The ``stations`` table: ``year, station_id, name, district,
        capacity_kg_per_day, kg_sold_per_year, utilisation,
        breakeven_price_with_subsidy_cny_per_kg`` and the components'
        ``<component>_cny_per_kg``.
    year : int
    target_real_cny_per_kg : float
        The price target in real CNY of the price year (the basis of the table).
    vat_rate : float
        VAT on retail hydrogen (fraction).
    inflation_factor : float
        Real CNY of the price year -> nominal CNY of ``year`` (prices and the
        extra subsidy are shown nominal, like the target).
    max_capacity_factor : float
        The most a station may sell as a share of capacity x 365.

    Returns
    -------
    pandas.DataFrame
        One row per selling station above the target, most expensive first:
        ``station_id, name, district, price_nominal_cny_per_kg, extra_subsidy_nominal_cny_per_kg``
        (price less target, per kg sold, nominal CNY of ``year``),
        ``extra_subsidy_nominal_cny_per_year`` (that x kg sold), ``utilisation``,
        ``utilisation_to_target`` (NaN: no volume is enough) and ``reachable``
        (``utilisation_to_target`` within ``max_capacity_factor``).

    Examples
    --------
    F/q = 20 at 100,000 kg (F = 2 M CNY/year), c = 15, VAT 0: the price is 35 + 0 = 35
    at q; a target of 30 needs F / (30 - 15) = 133,333 kg/year.

    >>> st = pd.DataFrame({"year": [2025], "station_id": ["A"], "name": ["a"], "district": ["d"],
    ...     "capacity_kg_per_day": [1000.0], "kg_sold_per_year": [100_000.0], "utilisation": [0.274],
    ...     "breakeven_price_with_subsidy_cny_per_kg": [35.0], "capital_cny_per_kg": [20.0],
    ...     "electricity_cny_per_kg": [15.0]})
    >>> w = what_would_it_take(st, 2025, 30.0, 0.0, max_capacity_factor=0.8)
    >>> round(float(w["utilisation_to_target"].iloc[0]) * 365_000, 0)
    133333.0
    >>> float(w["extra_subsidy_nominal_cny_per_kg"].iloc[0])
    5.0
    """
    rows = stations[(stations["year"] == year) & (stations["kg_sold_per_year"] > 0)]
    rows = rows[rows["breakeven_price_with_subsidy_cny_per_kg"] > target_real_cny_per_kg]
    rows = rows.sort_values("breakeven_price_with_subsidy_cny_per_kg", ascending=False)

    def total(names):
        cols = [f"{c}_cny_per_kg" for c in names if f"{c}_cny_per_kg" in rows.columns]
        return rows[cols].to_numpy(float).sum(axis=1)

    kg = rows["kg_sold_per_year"].to_numpy(float)
    fixed_cny = total(FIXED_COMPONENTS) * kg
    margin = target_real_cny_per_kg / (1.0 + vat_rate) - total(VARIABLE_COMPONENTS)
    with np.errstate(divide="ignore", invalid="ignore"):
        kg_needed = np.where(margin > 0, fixed_cny / margin, np.nan)
    util = kg_needed / (rows["capacity_kg_per_day"].to_numpy(float) * 365.0)
    extra = (rows["breakeven_price_with_subsidy_cny_per_kg"].to_numpy(float) - target_real_cny_per_kg)
    extra = extra * inflation_factor
    out = pd.DataFrame(
        {
            "station_id": rows["station_id"].to_numpy(),
            "name": rows["name"].to_numpy() if "name" in rows else rows["station_id"].to_numpy(),
            "district": rows["district"].to_numpy() if "district" in rows else "",
            "price_nominal_cny_per_kg": rows["breakeven_price_with_subsidy_cny_per_kg"].to_numpy(float)
            * inflation_factor,
            "extra_subsidy_nominal_cny_per_kg": extra,
            "extra_subsidy_nominal_cny_per_year": extra * kg,
            "utilisation": rows["utilisation"].to_numpy(float),
            "utilisation_to_target": util,
        }
    )
    out["reachable"] = out["utilisation_to_target"].le(max_capacity_factor)
    return out


def price_card(results: Results, case, years: Iterable[int] = CARD_YEARS) -> pd.DataFrame:
    """The network price with subsidies in nominal CNY of each year: base, and with Monte
    Carlo draws the median, p5, p95 and the probability it meets the target.

    Read from ``network_by_year`` and ``uncertainty_network_price`` (real CNY of the
    price year) and converted with :func:`h2model.prices.nominal` (the one conversion);
    quantiles convert exactly as the factor is positive.

    Returns
    -------
    pandas.DataFrame
        ``year, target_cny_per_kg, base, median, p5, p95, prob_met`` (NaN without draws
        or where the run lacks the year).
    """
    from ..prices import nominal

    net = results["network_by_year"].set_index("year")
    mc = None
    if "uncertainty_network_price" in results and len(results["uncertainty_network_price"]):
        u = results["uncertainty_network_price"]
        mc = u[u["quantity"] == "network_price_with_subsidy_cny_per_kg"].set_index("year")
    rows = []
    for y in years:
        if y not in net.index:
            continue
        f = float(nominal(case, 1.0, y))
        r = {"year": int(y), "target_cny_per_kg": float(net.loc[y, "price_target_cny_per_kg"]),
             "base": f * float(net.loc[y, "network_price_with_subsidy_cny_per_kg"])}
        m = mc.loc[y] if mc is not None and y in mc.index else None
        for k, c in (("median", "p50"), ("p5", "p5"), ("p95", "p95")):
            r[k] = f * float(m[c]) if m is not None else np.nan
        r["prob_met"] = float(m["prob_meets_target"]) if m is not None else np.nan
        rows.append(r)
    return pd.DataFrame(rows)


def money(x: float, lang: str) -> str:
    """An amount of CNY in words a reader scans: M / bn CNY in English, 万元 / 亿元 in Chinese.

    >>> money(844_101_274.0, "en"), money(844_101_274.0, "zh"), money(325_000.0, "zh"), money(12.3, "en")
    ('844.1 M CNY', '8.44 亿元', '32.5 万元', '12.3 CNY')
    """
    x = float(x)
    if not np.isfinite(x):
        return "–"
    if lang == "zh":
        if abs(x) >= 1e8:
            return f"{x / 1e8:,.2f} 亿元"
        if abs(x) >= 1e4:
            return f"{x / 1e4:,.1f} 万元"
        return f"{x:,.1f} 元"
    if abs(x) >= 1e9:
        return f"{x / 1e9:,.2f} bn CNY"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.1f} M CNY"
    return f"{x:,.0f} CNY" if abs(x) >= 1000 else f"{x:,.1f} CNY"


#: Rows of the "what would it take" table shown before the rest are folded away.
TAKE_ROWS = 10


def first_screen(results: Results, case, lang: str) -> dict:
    """What the report's first screen shows, as text in ``lang``: the key findings in
    plain words, the price card (2025 and 2030), the price's definition, the subsidy
    budget and CO2 cards, and the "what would it take" table.

    Every figure is read from the run's tables (``targets``, ``network_by_year``,
    ``uncertainty_network_price``, ``budget``, ``fleet``, ``co2``, ``abatement``,
    ``stations``); nothing is recomputed but the per-station closing figures of
    :func:`what_would_it_take`.

    Returns
    -------
    dict
        ``findings`` (list of str), ``price`` (rows: ``year, base, median, band,
        prob, met``), ``price_definition``, ``budget`` (``total, window, levels`` as
        (name, amount), ``per_kg, per_vehicle``), ``co2`` (``year_t, window_t,
        social, private``), ``take`` (:func:`html_table` dict with ``more`` rows
        folded; None when no station is above the target) and ``take_note``.
    """
    from ..fleet import max_capacity_factor
    from ..prices import nominal

    tg = results["targets"].set_index("target")
    net = results["network_by_year"].set_index("year")
    year = int(tg.loc["price", "year"]) if "price" in tg.index else int(net.index.max())
    target = float(tg.loc["price", "required"]) if "price" in tg.index else 35.0
    cmp = str(tg.loc["price", "comparator"]) if "price" in tg.index else "<"
    cards = price_card(results, case, [y for y in CARD_YEARS if y in net.index] or [year])
    base = cards.set_index("year").loc[year] if year in set(cards["year"]) else None
    findings = []
    if base is not None:
        met = bool(tg.loc["price", "met"]) if "price" in tg.index else False
        findings.append(t("narr.kf_price", lang, year=year, verdict=t("ui.yes" if met else "ui.no", lang),
                          base=_price(base["base"]), target=f"{target:g}"))
        if np.isfinite(base["median"]):
            findings.append(t("narr.kf_prob", lang, median=_price(base["median"]), p5=_price(base["p5"]),
                              p95=_price(base["p95"]), target=f"{target:g}", prob=_pct(base["prob_met"])))
    n = net.loc[year]
    cond = {"year": year, "stations": f"{int(n['stations_operating'])}", "idle": f"{int(n['stations_idle'])}",
            "justified": f"{int(n['stations_justified_by_demand'])}" if "stations_justified_by_demand" in n
            else "–",
            "fcev": _fmt_target(tg.loc["fcev", "achieved"], "vehicles") if "fcev" in tg.index else "–",
            **{f"{k}_kind": _kind_short(tg, k, lang) for k in ("fcev", "stations")}}
    findings.append(t("narr.kf_conditions", lang, **cond))
    bud = budget_card(results)
    lo, hi = bud["years"]
    top = bud["by_level"][0] if bud["by_level"] else ("", np.nan)
    findings.append(t("narr.kf_cost", lang, lo=lo, hi=hi, total=money(bud["total_cny"], lang),
                      level=category("level", top[0], lang), amount=money(top[1], lang),
                      per_kg=money(bud["per_kg_cny"], lang), per_vehicle=money(bud["per_vehicle_cny"], lang)))
    factor = float(nominal(case, 1.0, year))
    take = what_would_it_take(results["stations"], year, target / factor, float(case.finance["vat_rate"]),
                              factor, max_capacity_factor(case))
    if base is not None and base["base"] > target:
        gap = base["base"] - target
        findings.append(t("narr.kf_take", lang, year=year, gap=_price(gap),
                          cost=money(gap * float(n["h2_kg_per_year"]), lang),
                          n=len(take), selling=int(n["stations_selling"]), target=f"{target:g}",
                          reachable=int(take["reachable"].sum())))
    shown = take.drop(columns=["station_id", "reachable"]).copy()
    shown["name"] = station_names(take, lang)
    shown["district"] = district_names(shown["district"], lang)
    for c in ("utilisation", "utilisation_to_target"):
        shown[c] = [_pct(x) for x in shown[c]]
    table = html_table(shown, lang, max_rows=None) if len(shown) else None
    if table is not None:
        table["head"], table["rest"] = table["rows"][:TAKE_ROWS], table["rows"][TAKE_ROWS:]
    co2 = co2_card(results, year)
    return {
        "year": year,
        "findings": findings,
        "price": [
            {"year": int(r.year), "base": _price(r.base), "median": _price(r.median),
             "band": f"{_price(r.p5)}–{_price(r.p95)}" if np.isfinite(r.p5) else "–",
             "prob": _pct(r.prob_met), "met": bool(targets_meets(r.base, cmp, target))}
            for r in cards.itertuples(index=False)
        ],
        "target": f"{cmp} {target:g}",
        "target_value": f"{target:g}",
        "price_definition": t("narr.price_definition", lang),
        "observed": observed_sentence(results, case, lang),
        "budget": {
            "window": f"{lo}–{hi}",
            "total": money(bud["total_cny"], lang),
            "levels": [(category("level", k, lang), money(v, lang)) for k, v in bud["by_level"]],
            "per_kg": money(bud["per_kg_cny"], lang),
            "per_vehicle": money(bud["per_vehicle_cny"], lang),
        },
        "co2": {
            "year_t": f"{co2['year_t']:,.0f}",
            "window": f"{lo}–{hi}",
            "window_t": f"{co2['window_t']:,.0f}",
            "social": _span(co2["social_cny_per_t"]),
            "private": _span(co2["private_cny_per_t"]),
        },
        "take": table,
        "take_note": t("narr.take_note", lang, year=year, target=f"{target:g}",
                       cf=_pct(max_capacity_factor(case))),
    }


# --- key assumptions and the station cash flow appendix -------------------------------------------


def _keys(text) -> list[str]:
    """Source keys of a ``;``-separated cell, in order, without blanks."""
    return [k.strip() for k in str(text or "").split(";") if k.strip() and str(text) != "nan"]


def _union(cells) -> list[str]:
    return list(dict.fromkeys(k for c in cells for k in _keys(c)))


def key_assumptions(results: Results, case, lang: str) -> list[dict]:
    """The handful of inputs that drive the headline price, for the panel near the top of
    the report: price year, discount rate, by-product hydrogen price, delivery cost, station
    capex, capacity-factor limit, utilisation (a result) and the station and hydrogen
    subsidies in force in the price target's year.

    Every value is read from the case's sheets or the run's tables (nothing recomputed);
    the delivery cost and utilisation are the run's volume-weighted outcomes of their
    inputs in the target year.

    Returns
    -------
    list of dict
        ``label, value`` (text in ``lang``, with its unit) and ``sources`` (source keys
        of the Sources sheet; empty for a result).
    """
    from ..fleet import max_capacity_factor
    from ..policy import H2_KINDS, STATION_KINDS

    year = _price_year(results)
    fin_src = case.param_sources.get("Finance", {})
    rows = [
        {"label": t("ka.price_year", lang), "value": str(case.price_year),
         "sources": _keys(fin_src.get("price_year"))},
        {"label": t("ka.discount_rate", lang), "value": _pct(float(case.finance["discount_rate"])),
         "sources": _keys(fin_src.get("discount_rate"))},
    ]
    sup = case["Supply"]
    by = sup[sup["supply_type"].astype(str).str.startswith("byproduct")]
    names = supply_names(case, lang)
    cost = by["production_cost_cny_per_kg"].astype(float) + by["purification_cost_cny_per_kg"].astype(float)
    rows.append({"label": t("ka.byproduct_price", lang),
                 "value": "; ".join(f"{_price(c)} {t('unit.CNY/kg', lang)} ({names.get(i, i)})"
                                    for i, c in zip(by["supply_id"], cost, strict=True)) or "–",
                 "sources": _union(by["source_key"])})
    st = results["stations"]
    sold = st[(st["year"] == year) & (st["kg_sold_per_year"] > 0)]
    w = sold["kg_sold_per_year"].to_numpy(float)
    delivery = float(w @ sold["delivery_cny_per_kg"].to_numpy(float) / w.sum()) if w.sum() > 0 else np.nan
    rows.append({"label": t("ka.delivery", lang, year=year),
                 "value": f"{_price(delivery)} {t('unit.CNY/kg', lang)}",
                 "sources": _union(case.param_sources.get("Delivery", {}).values())})
    sc = case["StationCosts"].iloc[0]
    rows.append({"label": t("ka.station_capex", lang),
                 "value": t("ka.station_capex_value", lang,
                            capex=money(float(sc["capex_excl_land_cny"]), lang),
                            capacity=f"{float(sc['reference_capacity_kg_per_day']):,.0f}",
                            type=category("station_type", sc["station_type"], lang),
                            mpa=f"{float(sc['pressure_mpa']):g}",
                            exponent=f"{float(sc['scale_exponent']):g}"),
                 "sources": _keys(sc["source_key"])})
    rows.append({"label": t("ka.capacity_factor", lang), "value": _pct(max_capacity_factor(case)),
                 "sources": _keys(case.param_sources.get("Network", {}).get("max_capacity_factor"))})
    net = results["network_by_year"].set_index("year")
    rows.append({"label": t("ka.utilisation", lang, year=year),
                 "value": _pct(float(net.loc[year, "utilisation"])) if year in net.index else "–",
                 "sources": []})
    pol = case["Policy"]
    live = pol[pol["kind"].isin(STATION_KINDS + H2_KINDS) & (pol["start_year"] <= year)
               & (pol["end_year"] >= year)]
    for (kind, level), g in live.groupby(["kind", "level"], sort=False):  # a row per kind and level
        per_kg = kind in H2_KINDS
        lo, hi = float(g["amount_cny"].min()), float(g["amount_cny"].max())
        amounts = [f"{_price(a)} {t('unit.CNY/kg', lang)}" if per_kg else money(a, lang) for a in (lo, hi)]
        cond = g["max_price_cny_per_kg"].astype(float) if "max_price_cny_per_kg" in g else pd.Series([np.nan])
        label = f"{category('level', level, lang)}: {category('kind', kind, lang)}"
        rows.append({"label": t("ka.subsidy", lang, year=year, name=label),
                     "value": (amounts[0] if lo == hi else "–".join(amounts))
                     + (t("ka.price_condition", lang, price=f"{cond.min():g}") if cond.notna().any() else ""),
                     "sources": _union(g["source_key"])})
    return rows


#: Columns of the station NPV table shown in the report's appendix.
NPV_COLUMNS = ("name", "district", "kg_sold_per_year", "network_price_with_subsidy_cny_per_kg",
               "breakeven_price_with_subsidy_cny_per_kg", "npv_cny", "irr")


def station_appendix(results: Results, lang: str) -> dict | None:
    """The appendix of station cash flows: the year, the NPV and IRR of every station in
    it (``station_npv``) and each station's yearly cash flow (``station_cashflow``), with
    station names in ``lang``; None without the tables."""
    if "station_cashflow" not in results or not len(results["station_cashflow"]):
        return None
    flow = results["station_cashflow"].drop(columns="scenario", errors="ignore")
    year = int(flow["year"].iloc[0])
    npv_t = results["station_npv"]
    npv_t = npv_t[npv_t["year"] == year].drop(columns="scenario", errors="ignore").copy()
    st = results["stations"]
    district = st.drop_duplicates("station_id").set_index("station_id")["district"]
    npv_t["district"] = npv_t["station_id"].map(district)
    npv_t["name"] = station_names(npv_t, lang)
    npv_t["district"] = district_names(npv_t["district"], lang)
    names = dict(zip(npv_t["station_id"], npv_t["name"], strict=True))
    r = float(npv_t["discount_rate"].iloc[0]) if len(npv_t) else np.nan
    shown = npv_t[list(NPV_COLUMNS)].sort_values("npv_cny", ascending=False)
    per_station = []
    cols = ["calendar_year", "operating_year", "kg_sold", *CASH_FLOW_COLUMNS]
    for sid, g in flow.groupby("station_id", sort=False):  # tables for the template, one per station
        per_station.append({"name": names.get(sid, sid), "table": html_table(g[cols], lang, max_rows=None)})
    return {
        "year": year,
        "intro": t("narr.cashflow_appendix", lang, year=year, rate=_pct(r)),
        "npv": html_table(shown, lang, max_rows=None),
        "stations": per_station,
    }


def _kind_short(targets: pd.DataFrame, target: str, lang: str) -> str:
    """What a target is (input, constraint, outcome) in a few words, or a dash."""
    if target not in targets.index or "kind" not in targets:
        return "–"
    return t(f"kind_short.{targets.loc[target, 'kind']}", lang)


def _span(lo_hi: tuple[float, float]) -> str:
    """``lo–hi`` rounded to whole units, or a dash."""
    return "–".join(f"{x:,.0f}" for x in lo_hi) if np.isfinite(lo_hi[0]) else "–"


def targets_meets(value: float, comparator: str, required: float) -> bool:
    """Whether a value meets a target's comparator (:func:`h2model.targets.meets`, NaN: no)."""
    from ..targets import meets

    return bool(np.isfinite(value) and meets(value, required, comparator))


#: The network plan's messages (``Results.notes``, written in English by
#: :mod:`h2model.network.read`) as patterns, each with the glossary key of its text.
NOTE_PATTERNS = (
    (r"station target met exactly: (?P<n>[\d,]+) stations open by (?P<year>\d+) "
     r"\(the target may be forcing stations\)", "note.station_target_exact"),
    (r"station target binds: (?P<n>[\d,]+) of (?P<required>[\d,]+) stations open by (?P<year>\d+) "
     r"\((?P<short>[\d,]+) short\)", "note.station_target_binds"),
    (r"coverage target binds: district (?P<district>\S+) has no open station within (?P<km>[\d.]+) km of "
     r"its demand centre in (?P<years>[\d, ]+)", "note.coverage_binds"),
    (r"unmet demand in (?P<year>\d+): (?P<kg>[\d,]+) kg/day at (?P<n>\d+) node\(s\) \((?P<parts>.*)\)",
     "note.unmet"),
    (r"supply (?P<supply>\S+) at capacity \((?P<kg>[\d,]+) kg/day\) in (?P<years>[\d, ]+)",
     "note.supply_at_capacity"),
    (r"build limit binds \((?P<n>[\d.]+) new stations/year\) in (?P<years>[\d, ]+)", "note.build_limit"),
    (r"Corridor plan: (?P<n>\d+) corridor station\(s\) \((?P<names>[^)]*)\); (?P<share>\d+%) of the corridor "
     r"trucks' hydrogen need refuelled over the periods; .*", "note.corridor_plan"),
    (r"Corridor stations need (?P<kg>[\d,]+) kg/day in (?P<year>\d+) but the sources have (?P<left>[\d,]+) "
     r"left after the city plan: they buy from the cheapest source regardless\.", "note.corridor_supply"),
)


def note_text(note: str, lang: str, supply_names: dict[str, str] | None = None,
              node_names: dict[str, str] | None = None) -> str:
    """A network-plan message in ``lang``: the glossary's text for a known message shape
    (ids named through the glossary, ``supply_names`` or the corridor ``node_names``, in
    English too), else the message as written.

    >>> msg = "supply gzpc_byproduct at capacity (14,000 kg/day) in 2027, 2029"
    >>> note_text(msg, "zh", {"gzpc_byproduct": "X"})
    '氢源 X 在 2027, 2029 年达到供应能力上限（14,000 公斤/日）'
    >>> note_text("something new", "zh")
    'something new'
    """
    import re

    for pattern, key in NOTE_PATTERNS:
        m = re.fullmatch(pattern, note)
        if m:
            f = m.groupdict()
            if "district" in f:
                f["district"] = category("district", f["district"], lang)
            if "supply" in f:
                f["supply"] = (supply_names or {}).get(f["supply"], f["supply"])
            if "names" in f:  # corridor node ids, comma-separated
                ids = [i.strip() for i in f["names"].split(",") if i.strip()]
                f["names"] = ("、" if lang == "zh" else ", ").join((node_names or {}).get(i, i) for i in ids)
            if "parts" in f:
                f["parts"] = re.sub(
                    r"kg/day ([a-z ]+)",
                    lambda x: f"{t('unit.kg_per_day', lang)} "
                    f"{category('unmet_reason', x.group(1).replace(' ', '_'), lang)}",
                    f["parts"],
                )
            return t(key, lang, **f)
    return note


def supply_names(case, lang: str) -> dict[str, str]:
    """Supply id -> a name in ``lang``: the sheet's name in English; in Chinese the
    supply type and district from the glossary (the sheet has no Chinese names)."""
    s = case["Supply"]
    if lang == "en":
        return dict(zip(s["supply_id"], s["name"], strict=True))
    return {i: f"{category('district', d, lang)}{category('supply_type', k, lang)}"
            for i, k, d in zip(s["supply_id"], s["supply_type"], s["district"], strict=True)}


def district_names(districts: Iterable, lang: str) -> list[str]:
    """District names in ``lang``; "–" for a station outside the case's districts (a
    corridor station's blank district).

    >>> district_names(["tianhe", None, float("nan")], "en")
    ['Tianhe', '–', '–']
    """
    return [category("district", d, lang) if isinstance(d, str) and d.strip() else "–" for d in districts]


def station_names(stations: pd.DataFrame, lang: str) -> list[str]:
    """Station names in ``lang``: the ``name`` column in English; in Chinese the
    district's name and the station id (the Stations sheet has no Chinese names), the id
    alone for a station outside the case's districts (a corridor station, blank district)."""
    if lang == "en" and "name" in stations:
        return stations["name"].astype(str).tolist()
    ids, districts = stations["station_id"], stations["district"]
    return [f"{category('district', d, lang)} {i}" if isinstance(d, str) and d.strip() else str(i)
            for i, d in zip(ids, districts, strict=True)]


def scenario_text(case, lang: str) -> str:
    """The case's scenario description in ``lang`` (:func:`description_text`)."""
    return description_text(case.scenario, case.scenario_description, lang)


def description_text(scenario: str, description: str, lang: str) -> str:
    """A scenario's description in ``lang``: the workbook's text, or in Chinese the
    glossary's ``scenario.<name>`` when its English text is the workbook's (an edited
    description stays as written, so it is never replaced by a stale translation).

    >>> description_text("subsidy-exit", "edited by a consultant", "zh")
    'edited by a consultant'
    """
    key = f"scenario.{scenario}"
    if lang != "en" and has_key(key) and t(key, "en") == description:
        return t(key, lang)
    return description


def report_notes(results: Results, case, lang: str) -> list[str]:
    """The network findings in ``lang``: the run's notes (network-plan messages,
    :func:`note_text`) and, with ``Network.peak_sizing = 1``, what peak sizing does
    (:func:`peak_sizing_sentence`)."""
    names = supply_names(case, lang)
    nodes = corridor_node_names(case, lang) if "CorridorNodes" in case.tables else None
    notes = [note_text(n, lang, names, nodes) for n in results.notes]
    peak = peak_sizing_sentence(case, lang)
    return notes + ([peak] if peak else [])


def peak_sizing_sentence(case, lang: str) -> str | None:
    """One sentence on what peak sizing changes (its service level from the PeakSizing
    sheet), pointing to the scenario comparison for its effect; None when
    ``Network.peak_sizing`` is 0.

    >>> from h2model.inputs import DEFAULT_CASE, load_case
    >>> peak_sizing_sentence(load_case(DEFAULT_CASE, "plan-2025"), "en") is None
    True
    """
    from ..peak import peak_sizing_on

    if not peak_sizing_on(case):
        return None
    ps = case.params["PeakSizing"]
    return t("narr.peak_sizing", lang, share=_pct(float(ps["service_level_share"])),
             minutes=f"{float(ps['service_level_wait_minutes']):g}",
             factor=f"{float(ps['peak_day_factor']):g}")


# --- hydrogen corridors ---------------------------------------------------------------------------

#: Calendar years of the corridor station table's kg/day columns (those the run has).
CORRIDOR_YEARS = (2025, 2030, 2035)


def corridor_node_names(case, lang: str) -> dict[str, str]:
    """Corridor node id -> its name in ``lang`` (``CorridorNodes.name``, or ``name_zh`` in
    Chinese where the sheet has one)."""
    nodes = case["CorridorNodes"]
    names = nodes["name"].astype(str)
    if lang == "zh" and "name_zh" in nodes:
        zh = nodes["name_zh"]
        names = zh.where(zh.notna() & (zh.astype(str).str.strip() != ""), names).astype(str)
    return dict(zip(nodes["node_id"].astype(str), names, strict=True))


def corridor_station_table(results: Results, case, lang: str,
                           years: Iterable[int] = CORRIDOR_YEARS) -> pd.DataFrame:
    """The corridor stations by opening year: kg/day sold in each of ``years`` and the
    capacity in the last of them, from the run's ``stations`` table (station economics'
    sales, as the network price counts them).

    Returns
    -------
    pandas.DataFrame
        ``station_id, name`` (in ``lang``), ``commissioning_year``, ``kg_per_day_<year>``
        for each of ``years`` the run has (NaN where the station does not operate) and
        ``capacity_kg_per_day`` (in the last of those years), sorted by opening year.
    """
    cs = results["corridor_stations"]
    ids = pd.unique(cs.loc[cs["corridor_station"].astype(bool), "node_id"].astype(str))
    st = results["stations"]
    st = st[st["station_id"].astype(str).isin(ids)]
    shown = [int(y) for y in years if int(y) in set(st["year"].astype(int))]
    kg = st.pivot_table(index="station_id", columns="year", values="h2_kg_per_day", aggfunc="sum")
    cap = st.pivot_table(index="station_id", columns="year", values="capacity_kg_per_day", aggfunc="sum")
    names = corridor_node_names(case, lang)
    out = pd.DataFrame({"station_id": ids, "name": [names.get(i, i) for i in ids],
                        "commissioning_year": st.groupby("station_id")["commissioning_year"].min()
                        .reindex(ids).to_numpy()})
    for y in shown:
        out[f"kg_per_day_{y}"] = kg.reindex(index=ids, columns=[y]).to_numpy(float)[:, 0]
    last = shown[-1] if shown else int(st["year"].max())
    out["capacity_kg_per_day"] = cap.reindex(index=ids, columns=[last]).to_numpy(float)[:, 0]
    return out.sort_values(["commissioning_year", "name"], kind="stable").reset_index(drop=True)


def corridor_flow_table(results: Results, case, lang: str, years: Iterable[int]) -> pd.DataFrame:
    """The corridor flows of the periods ``years``: refuelled or not, and why not, with
    node, segment and corridor names in ``lang``.

    Returns
    -------
    pandas.DataFrame
        ``year, corridor, origin, destination, segment, trucks_per_day, round_trip_km,
        range_km, need_kg_per_day, refuelled, reason`` (empty for a refuelled flow).
    """
    f = results["corridor_flows"]
    f = f[f["year"].astype(int).isin([int(y) for y in years])]
    names = corridor_node_names(case, lang)
    reason = f["reason"].fillna("").astype(str)
    out = pd.DataFrame({
        "year": f["year"].astype(int).to_numpy(),
        "corridor": categories("corridor", f["corridor"].tolist(), lang),
        "origin": [names.get(str(i), str(i)) for i in f["origin"]],
        "destination": [names.get(str(i), str(i)) for i in f["destination"]],
        "segment": categories("segment", f["segment"].tolist(), lang),
        **{c: f[c].to_numpy(float)
           for c in ("trucks_per_day", "round_trip_km", "range_km", "need_kg_per_day")},
        "refuelled": f["refuelled"].astype(bool).to_numpy(),
        "reason": [category("corridor_reason", r, lang) if r and r != "nan" else "" for r in reason]})
    order = ["year", "corridor", "origin", "destination"]
    return out.sort_values(order, kind="stable").reset_index(drop=True)


def corridor_view(results: Results, case, lang: str) -> dict | None:
    """The "Hydrogen corridors" section (besides its map): the corridor stations by
    opening year, each shown period's flows refuelled and not, and the definitions;
    None when the run has no corridor plan (``Network.corridors`` = 0).

    The periods shown are the first period that includes the price target's year and
    the last period (``corridor_flows`` is by planning period).

    Returns
    -------
    dict or None
        ``intro``, ``stations`` (:func:`html_table` of :func:`corridor_station_table`),
        ``flows`` (same, :func:`corridor_flow_table`), ``summary`` (one sentence per
        period shown) and ``definitions`` (list of sentences).
    """
    if "corridor_stations" not in results or not len(results["corridor_flows"]):
        return None
    stations = corridor_station_table(results, case, lang)
    table = html_table(stations.drop(columns="station_id"), lang, max_rows=None)
    kg_cols = [c for c in stations.columns if c.startswith("kg_per_day_")]
    last = kg_cols[-1][len("kg_per_day_"):] if kg_cols else ""
    table["headers"] = ([column_label("name", lang), column_label("commissioning_year", lang)]
                        + [t("ui.kg_per_day_in", lang, year=c[len("kg_per_day_"):]) for c in kg_cols]
                        + [t("ui.capacity_in", lang, year=last)])
    flows, cs = results["corridor_flows"], results["corridor_stations"]
    periods = sorted(set(flows["year"].astype(int)))
    target = _price_year(results)
    shown = sorted({next((p for p in periods if p >= target), periods[-1]), periods[-1]})
    summary = []
    for y in shown:
        f, s = flows[flows["year"].astype(int) == y], cs[cs["year"].astype(int) == y]
        ok = f["refuelled"].astype(bool)
        summary.append(t("narr.corridor_year", lang, year=y, ok=int(ok.sum()), n=len(f),
                         kg_ok=f"{f['refuelled_kg_per_day'].sum():,.0f}",
                         kg=f"{f['need_kg_per_day'].sum():,.0f}",
                         stations=int(s["corridor_station"].astype(bool).sum()),
                         kg_stations=f"{s['kg_per_day'].sum():,.0f}",
                         kg_city=f"{s['kg_at_city_network'].sum():,.0f}"))
    return {
        "intro": t("narr.corridors_intro", lang),
        "stations": table,
        "flows": html_table(corridor_flow_table(results, case, lang, shown), lang, max_rows=None),
        "summary": summary,
        "definitions": [t(f"narr.corridor_def_{k}", lang)
                        for k in ("station", "flow", "refuelled", "kg", "city")],
    }


def what_changed_view(results, lang: str) -> dict | None:
    """The "what changed" block of a run made with ``--compare-to`` (tables
    ``what_changed_inputs`` and ``what_changed_headline``), or None without them."""
    if "what_changed_headline" not in results:
        return None
    inputs = results["what_changed_inputs"].drop(columns="scenario", errors="ignore")
    head = results["what_changed_headline"].drop(columns="scenario", errors="ignore")
    return {
        "title": t("section.what_changed", lang),
        "intro": t("narr.what_changed", lang, n=len(inputs)),
        "headline": html_table(head, lang, max_rows=None),
        "inputs": html_table(inputs, lang, max_rows=None) if len(inputs) else None,
    }


#: Files ``h2model design --out`` writes that the subsidy design section reads.
DESIGN_FILES = ("design.csv", "design_by_level.csv", "design_summary.csv")


def design_view(results, case, folder, lang: str) -> dict | None:
    """The "subsidy design" section of a scenario whose output folder holds a design
    (:data:`DESIGN_FILES`, written by ``h2model design --out <folder>``), or None without one.

    Shows each designed programme (kind, paying level, years paid, amount, expected nominal and
    discounted outlay), the outlay by level of government, each target's share of draws met on
    the design draws and on fresh draws, and the design's discounted outlay against the
    discounted outlay of the scenario's own programmes (its ``budget`` table, discounted the same
    way, :func:`h2model.design.discounted_cny`, over the years from ``analysis_start_year``).
    """
    from pathlib import Path

    from ..design import discounted_cny

    folder = Path(folder)
    if not all((folder / f).exists() for f in DESIGN_FILES):
        return None
    d = pd.read_csv(folder / "design.csv")
    by_level = pd.read_csv(folder / "design_by_level.csv")
    summary = pd.read_csv(folder / "design_summary.csv")
    rows = []
    for pid, g in d.groupby("programme_id", sort=False):
        r = g.iloc[0]
        unit = t(f"design.unit.{r['unit']}", lang) if has_key(f"design.unit.{r['unit']}") else str(r["unit"])
        rows.append({"programme_id": pid, "kind": category("kind", r["kind"], lang),
                     "level": category("level", r["level"], lang),
                     "design_years": f"{int(g['year'].min())}–{int(g['year'].max())}",
                     "design_amount": f"{float(r['amount_cny']):,.2f}".rstrip("0").rstrip(".") + f" {unit}",
                     "outlay_cny": money(g["outlay_cny"].sum(), lang),
                     "discounted_outlay_cny": money(g["discounted_outlay_cny"].sum(), lang)})
    levels = pd.DataFrame({"level": categories("level", by_level["level"], lang),
                           "outlay_cny": [money(x, lang) for x in by_level["outlay_cny"]],
                           "discounted_outlay_cny": [money(x, lang)
                                                     for x in by_level["discounted_outlay_cny"]]})
    checks = [t("narr.design_target", lang, target=t(f"target.{s['target']}", lang),
                year=int(s["target_year"]), comparator=s["comparator"],
                required=f"{float(s['required']):,.4g}",
                unit=t(f"design.unit.{s['unit']}", lang), p=_pct(float(s["p"])),
                design=_pct(float(s["share_design_draws"])), draws=f"{int(s['draws']):,}",
                fresh=_pct(float(s["share_check_draws"])), check=f"{int(s['check_draws']):,}",
                seed=int(s["check_seed"]))
              + ("" if bool(s["moved_by_design"]) else t("narr.design_not_moved", lang))
              for s in summary.to_dict("records")]
    total = float(d["discounted_outlay_cny"].sum())
    plan = np.nan
    if "budget" in results:
        b = results["budget"].groupby("year")["outlay_cny"].sum()
        b = b[b.index >= int(case.finance["analysis_start_year"])]
        plan = float(discounted_cny(case, b.to_numpy(float), b.index.to_numpy()))
    return {
        "title": t("section.subsidy_design", lang),
        "intro": t("narr.subsidy_design", lang),
        "table": html_table(pd.DataFrame(rows), lang, max_rows=None),
        "by_level_title": t("ui.design_by_level", lang),
        "by_level": html_table(levels, lang, max_rows=None),
        "checks": checks,
        "cost": t("narr.design_cost", lang, design=money(total, lang), plan=money(plan, lang),
                  ratio=f"{total / plan:.2f}" if np.isfinite(plan) and plan > 0 else "–"),
    }
