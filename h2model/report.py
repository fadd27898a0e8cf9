"""Scenario reports: offline, bilingual HTML from results, driven by a notebook.

Two levels:

* :func:`render_report` turns one scenario's :class:`~h2model.results.Results` into
  files in a folder: the results tables (CSV and ``results.xlsx``, via
  :meth:`Results.write <h2model.results.Results.write>`), every chart as PNG and SVG in
  ``charts/``, and a self-contained ``report_<lang>.html``. The notebook
  ``notebooks/report.ipynb`` calls it, so the report an analyst runs by hand and the
  one ``make report`` builds are the same.
* :func:`build_reports` executes that notebook with papermill for each scenario and
  language into ``<out>/<scenario>/`` (the executed ``report_<lang>.ipynb`` beside
  the HTML), each scenario in a temporary folder moved into place only when
  complete, then writes the cross-scenario ``comparison_<lang>.html``, a
  ``targets.csv`` across scenarios and ``index.html``. A scenario that fails is
  reported and skipped; the others, and its earlier output, are untouched.

The HTML opens with no network: the Vega, Vega-Lite and Vega-Embed JavaScript comes
from vl-convert (:func:`vl_convert.javascript_bundle`) and is inlined once per page;
charts are embedded as Vega-Lite specs with their data and drawn as SVG in the
browser. Fonts are the reader's system fonts (a CJK stack for Chinese). Text comes
from :mod:`h2model.glossary`; the executive summary reads the ``targets`` table
and never recomputes it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, charts
from .glossary import LANGS, categories, category, column_label, t
from .inputs.schema import SHEETS
from .results import Results, replace_dir, write_csv

#: The scenario report notebook (repository checkout).
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "report.ipynb"

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


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "targets", "summary", ("targets",), lambda r, c, lang: charts.targets_summary(r["targets"], lang=lang)
    ),
    ChartSpec(
        "station_map",
        "network",
        ("stations",),
        lambda r, c, lang: charts.station_map(station_sites(r, c), c["Districts"], lang=lang),
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
        lambda r, c, lang: charts.price_path(r["price_path"], r["targets"], lang=lang),
    ),
    ChartSpec(
        "tco_parity",
        "fleet",
        ("tco_parity",),
        lambda r, c, lang: charts.tco_parity(r["tco_parity"], lang=lang),
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
SECTIONS = ("summary", "network", "economics", "fleet", "policy", "demand", "emissions")

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


# --- HTML pieces ----------------------------------------------------------------------------------


@functools.cache
def vega_bundle() -> str:
    """The Vega + Vega-Lite + Vega-Embed JavaScript (about 0.9 MB) from vl-convert,
    for inlining; cached in memory and on disk per vl-convert version."""
    import vl_convert as vlc

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "h2model"
    path = cache / f"vega-bundle-vlc{vlc.__version__}.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    js = vlc.javascript_bundle()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(js, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass
    return js


def _script_json(obj) -> str:
    """JSON safe inside a ``<script>`` element."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")


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
    return {
        "headers": [column_label(c, lang) for c in df.columns],
        "rows": [[_cell(v) for v in row] for row in shown.itertuples(index=False)],
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
            "value": [fin[k] for k in FINANCE_KEYS if k in fin],
        }
    )
    src = case["Sources"].copy()
    if "kind" in src.columns:
        src["kind"] = [category("source_kind", k, lang) for k in src["kind"]]
        src = src.rename(columns={"kind": "source_kind"})
    return finance, src


def _env():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("h2model", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _write_tables(results: Results, out_dir: Path) -> None:
    """Results.write into a sibling temporary folder, then move its files into
    ``out_dir`` (which also holds the reports and notebooks, so it is not replaced)."""
    tmp = Path(tempfile.mkdtemp(dir=out_dir, prefix=".tables."))
    try:
        written = results.write(tmp / "t")
        for f in sorted(written.iterdir()):
            os.replace(f, out_dir / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- one scenario ---------------------------------------------------------------------------------


def render_report(
    results: Results,
    case,
    lang: str,
    out_dir: str | Path,
    *,
    run_date: dt.datetime | None = None,
    write_tables: bool = True,
) -> Path:
    """Write one scenario's report in one language, its charts and its tables.

    Parameters
    ----------
    results : Results
        From :func:`h2model.model.run`.
        Its Monte Carlo tables (``run(case, mc_draws=N)``), when present, fill the
        sensitivity section (headline from ``uncertainty_summary``, charts, compact
        tables); without them the section says there are none.
    case : h2model.inputs.case.Case
        The case the results came from (assumptions, sources, positions, provenance).
    lang : {'en', 'zh'}
    out_dir : str or pathlib.Path
        Folder to write to (created): ``report_<lang>.html``, ``charts/<name>_<lang>.png``
        and ``.svg``, and (``write_tables``) every table as CSV plus ``results.xlsx``
        and ``provenance.json``. Other files in the folder are left alone.
    run_date : datetime, optional
        Shown in provenance; default now (UTC).
    write_tables : bool
        Write the results tables too.

    Returns
    -------
    pathlib.Path
        The HTML report.
    """
    if lang not in LANGS:
        raise ValueError(f"language must be one of {LANGS}, not {lang!r}")
    out_dir = Path(out_dir)
    (out_dir / "charts").mkdir(parents=True, exist_ok=True)
    if write_tables:
        _write_tables(results, out_dir)
    run_date = run_date or dt.datetime.now(dt.UTC)

    figures = build_charts(results, case, lang)
    chart_items = {}
    for name, chart in figures.items():
        charts.save(chart, out_dir / "charts" / f"{name}_{lang}")
        chart_items[name] = {
            "name": name,
            "spec": _script_json(chart.to_dict()),
            "png": f"charts/{name}_{lang}.png",
            "svg": f"charts/{name}_{lang}.svg",
        }
    sections = []
    for sec in SECTIONS:
        items = [
            chart_items[c.name]
            if c.name in chart_items
            else {
                "name": c.name,
                "missing": t(
                    "narr.not_available", lang, table=", ".join(n for n in c.needs if n not in results)
                ),
            }
            for c in CHARTS
            if c.section == sec
        ]
        sections.append({"key": sec, "title": t(f"section.{sec}", lang), "charts": items})
    mc = has_uncertainty(results)
    sens_charts = [chart_items[n] for n in SENSITIVITY_CHARTS if n in chart_items] if mc else []

    targets = results["targets"]
    summary = executive_summary(targets, lang)
    finance, sources = assumptions(case, lang)
    overrides = case.overrides if len(case.overrides) else pd.DataFrame()
    price_year = case.price_year
    target_year = int(targets["year"].max()) if len(targets) else price_year
    sens = sensitivity_tables(results, lang)
    draws = int(results["uncertainty_summary"]["draws"].iloc[0]) if mc else 0
    files = sorted([f"{n}.csv" for n in results.tables] + ["results.xlsx", "provenance.json"])
    provenance = [
        (t("prov.scenario", lang), case.scenario),
        (t("prov.description", lang), case.scenario_description),
        (t("prov.input_file", lang), Path(case.path).name if case.path else case.name),
        (t("prov.input_sha256", lang), case.input_sha256),
        (t("prov.version", lang), __version__),
        (t("prov.run_date", lang), run_date.strftime("%Y-%m-%d %H:%M")),
        (t("prov.price_year", lang), str(price_year)),
        (t("prov.mc_draws", lang), f"{draws:,}" if mc else t("ui.none", lang)),
    ]
    page = (
        _env()
        .get_template("report.html.j2")
        .render(
            t=lambda key, **kw: t(key, lang, **kw),
            lang=lang,
            html_lang="zh-CN" if lang == "zh" else "en",
            title=f"{t('report.title', lang)}: {case.scenario}",
            scenario=case.scenario,
            description=case.scenario_description,
            summary_intro=t(
                "narr.summary_intro",
                lang,
                scenario=case.scenario,
                description=case.scenario_description,
                year=target_year,
            ),
            summary_count=t("narr.summary_count", lang, met=int(targets["met"].sum()), total=len(targets)),
            summary=summary,
            sections=sections,
            sensitivity=sens,
            sensitivity_charts=sens_charts,
            mc_headline=mc_headline(results["uncertainty_summary"], lang) if mc else None,
            sensitivity_note=(
                t("narr.sensitivity", lang, draws=f"{draws:,}") if mc else t("narr.sensitivity_none", lang)
            ),
            notes=list(results.notes),
            finance=html_table(finance, lang, max_rows=None),
            sources=html_table(sources, lang, max_rows=None, links=("url",)),
            assumptions_note=t("narr.assumptions", lang, price_year=price_year),
            overrides=html_table(overrides, lang, max_rows=None) if len(overrides) else None,
            provenance=provenance,
            files=files,
            other_lang=[x for x in LANGS if x != lang],
            bundle=vega_bundle(),
            font=charts.FONT,
        )
    )
    path = out_dir / f"report_{lang}.html"
    _write_text_atomic(path, page)
    return path


# --- across scenarios -----------------------------------------------------------------------------


def read_tables(
    folder: str | Path, names: Iterable[str] = ("targets", "price_path", "fleet", "budget", "co2")
) -> dict[str, pd.DataFrame]:
    """Read back results tables written by :meth:`Results.write` (those present)."""
    folder = Path(folder)
    return {n: pd.read_csv(folder / f"{n}.csv") for n in names if (folder / f"{n}.csv").exists()}


def comparison_charts(tables: dict[str, dict[str, pd.DataFrame]], lang: str) -> dict[str, object]:
    """The comparison report's charts from each scenario's tables.

    Parameters
    ----------
    tables : dict
        Scenario -> table name -> table (``targets``, ``price_path``, ``fleet``,
        ``budget``, ``co2``; each with a ``scenario`` column).
    lang : {'en', 'zh'}

    Returns
    -------
    dict
        Chart name -> Altair chart.
    """

    def stack(name):
        frames = [tb[name] for tb in tables.values() if name in tb]
        return pd.concat(frames, ignore_index=True) if frames else None

    out = {}
    targets = stack("targets")
    if targets is not None:
        out["compare_targets"] = charts.compare_targets(targets, lang=lang)
    if (paths := stack("price_path")) is not None:
        out["compare_price"] = charts.compare_price(paths, targets, lang=lang)
    if (fleet := stack("fleet")) is not None:
        out["compare_fleet"] = charts.compare_fleet(fleet, lang=lang)
    if (budget := stack("budget")) is not None:
        out["compare_budget"] = charts.compare_budget(budget, lang=lang)
    if (co2 := stack("co2")) is not None:
        out["compare_co2"] = charts.compare_co2(co2, lang=lang)
    return out


def render_comparison(
    tables: dict[str, dict[str, pd.DataFrame]], descriptions: dict[str, str], lang: str, out: str | Path
) -> Path:
    """Write ``comparison_<lang>.html`` (and its charts in ``out/charts/``).

    Parameters
    ----------
    tables : dict
        Scenario -> table name -> table, as for :func:`comparison_charts`.
    descriptions : dict
        Scenario -> one-line description.
    lang : {'en', 'zh'}
    out : str or pathlib.Path
        The reports' root folder.

    Returns
    -------
    pathlib.Path
    """
    out = Path(out)
    (out / "charts").mkdir(parents=True, exist_ok=True)
    items = []
    for name, chart in comparison_charts(tables, lang).items():
        charts.save(chart, out / "charts" / f"{name}_{lang}")
        items.append(
            {
                "name": name,
                "spec": _script_json(chart.to_dict()),
                "png": f"charts/{name}_{lang}.png",
                "svg": f"charts/{name}_{lang}.svg",
            }
        )
    summary = []
    for scen, tb in tables.items():
        if "targets" in tb:
            s = executive_summary(tb["targets"], lang)
            summary.append({"scenario": scen, "description": descriptions.get(scen, ""), "rows": s})
    page = (
        _env()
        .get_template("comparison.html.j2")
        .render(
            t=lambda key, **kw: t(key, lang, **kw),
            lang=lang,
            html_lang="zh-CN" if lang == "zh" else "en",
            title=t("report.comparison_title", lang),
            charts=items,
            summary=summary,
            bundle=vega_bundle(),
            font=charts.FONT,
            version=__version__,
            run_date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        )
    )
    path = out / f"comparison_{lang}.html"
    _write_text_atomic(path, page)
    return path


def render_index(
    out: str | Path, status: dict[str, str], descriptions: dict[str, str], langs: Iterable[str]
) -> Path:
    """Write ``index.html`` linking every scenario report, the comparison reports and
    the result files, with the message of each scenario that failed."""
    out = Path(out)
    langs = list(langs)
    rows = []
    for scen, state in status.items():
        folder = out / scen
        rows.append(
            {
                "scenario": scen,
                "description": descriptions.get(scen, ""),
                "ok": state == "ok",
                "error": state,
                "reports": [
                    (lang, f"{scen}/report_{lang}.html")
                    for lang in langs
                    if (folder / f"report_{lang}.html").exists()
                ],
                "notebooks": [
                    (lang, f"{scen}/report_{lang}.ipynb")
                    for lang in langs
                    if (folder / f"report_{lang}.ipynb").exists()
                ],
                "xlsx": f"{scen}/results.xlsx" if (folder / "results.xlsx").exists() else None,
                "charts": f"{scen}/charts/" if (folder / "charts").exists() else None,
            }
        )
    comparisons = [
        (lang, f"comparison_{lang}.html") for lang in langs if (out / f"comparison_{lang}.html").exists()
    ]
    page = (
        _env()
        .get_template("index.html.j2")
        .render(
            title=f"{t('report.index_title', 'en')} · {t('report.index_title', 'zh')}",
            rows=rows,
            comparisons=comparisons,
            langs=langs,
            t=t,
            version=__version__,
            run_date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
            font=charts.FONT,
        )
    )
    path = out / "index.html"
    _write_text_atomic(path, page)
    return path


# --- all scenarios --------------------------------------------------------------------------------


def _execution_error(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}"


def build_reports(
    workbook: str | Path,
    scenarios: Iterable[str] | None = None,
    langs: Iterable[str] = LANGS,
    out: str | Path = "outputs",
    mc_draws: int = 0,
    progress: bool = True,
    *,
    notebook: str | Path | None = None,
    timeout_s: float | None = None,
) -> dict[str, str]:
    """Build every scenario's reports, the comparison and the index.

    For each scenario, ``notebooks/report.ipynb`` is executed with papermill once per
    language into a temporary folder beside ``out/<scenario>``, which replaces it
    only when every language succeeded. The notebook runs the model and calls
    :func:`render_report`.

    Parameters
    ----------
    workbook : str or pathlib.Path
        Input workbook or CSV folder.
    scenarios : iterable of str, optional
        Scenarios to build; default every scenario of the workbook.
    langs : iterable of {'en', 'zh'}
        Report languages.
    out : str or pathlib.Path
        Root output folder.
    mc_draws : int
        Monte Carlo draws for the sensitivity section (0: none); the notebook passes
        them to ``run(case, mc_draws=...)``.
    progress : bool
        Show a progress bar (scenarios x steps) on stderr.
    notebook : str or pathlib.Path, optional
        The report notebook; default :data:`NOTEBOOK`.
    timeout_s : float, optional
        Per-cell execution timeout.

    Returns
    -------
    dict
        Scenario -> ``"ok"`` or the error message. Failures are also printed.
    """
    import papermill
    from tqdm.auto import tqdm

    from .inputs import InputError, list_scenarios, load_case

    langs = list(langs)
    bad = [lang for lang in langs if lang not in LANGS]
    if bad:
        raise ValueError(f"languages must be among {LANGS}, not {bad}")
    notebook = Path(notebook or NOTEBOOK)
    if not notebook.exists():
        raise FileNotFoundError(f"report notebook not found: {notebook} (run from a checkout of h2model)")
    workbook = Path(workbook).resolve()
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    names = list(scenarios) if scenarios else list_scenarios(workbook)
    steps = ["load", *[f"report {lang}" for lang in langs], "publish"]
    status: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    bar = tqdm(
        total=len(names) * len(steps), disable=not progress, unit="step", desc="reports", file=sys.stderr
    )
    for name in names:
        done = 0
        tmp = None
        try:
            bar.set_postfix_str(f"{name}: load")
            case = load_case(workbook, name)
            descriptions[case.scenario] = case.scenario_description
            bar.update(1)
            done += 1
            tmp = Path(tempfile.mkdtemp(dir=out, prefix=f".{case.scenario}."))
            for lang in langs:
                bar.set_postfix_str(f"{name}: report {lang}")
                papermill.execute_notebook(
                    str(notebook),
                    str(tmp / f"report_{lang}.ipynb"),
                    parameters={
                        "workbook": str(workbook),
                        "scenario": case.scenario,
                        "out_dir": str(tmp),
                        "lang": lang,
                        "mc_draws": int(mc_draws),
                    },
                    kernel_name="python3",
                    progress_bar=False,
                    cwd=str(tmp),
                    request_save_on_cell_execute=False,
                    execution_timeout=timeout_s,
                )
                bar.update(1)
                done += 1
            bar.set_postfix_str(f"{name}: publish")
            replace_dir(tmp, out / case.scenario)
            tmp = None
            bar.update(1)
            done += 1
            status[case.scenario] = "ok"
        except InputError as exc:
            status[name] = str(exc)
            bar.write(
                f"scenario {name}: input problems, skipped (earlier output kept)\n{exc}", file=sys.stderr
            )
        except Exception as exc:  # noqa: BLE001 - one failed scenario must not stop the others
            status[name] = _execution_error(exc)
            bar.write(
                f"scenario {name} failed, skipped (earlier output kept): {status[name]}", file=sys.stderr
            )
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            bar.update(len(steps) - done)
    bar.close()

    ok = [s for s, v in status.items() if v == "ok"]
    tables = {s: read_tables(out / s) for s in ok}
    if tables:
        targets = [tb["targets"] for tb in tables.values() if "targets" in tb]
        if targets:
            tmp_csv = out / ".targets.csv.tmp"
            write_csv(pd.concat(targets, ignore_index=True), tmp_csv)
            tmp_csv.replace(out / "targets.csv")
        for lang in langs:
            render_comparison(tables, descriptions, lang, out)
    render_index(out, status, descriptions, langs)
    return status


__all__ = [
    "NOTEBOOK",
    "CHARTS",
    "SECTIONS",
    "build_charts",
    "station_sites",
    "lcoh_components",
    "supply_by_source",
    "executive_summary",
    "headline",
    "sensitivity_tables",
    "has_uncertainty",
    "mc_headline",
    "SENSITIVITY_CHARTS",
    "UNCERTAINTY_TABLES",
    "render_report",
    "render_comparison",
    "render_index",
    "build_reports",
    "comparison_charts",
    "read_tables",
    "html_table",
    "assumptions",
    "vega_bundle",
]
