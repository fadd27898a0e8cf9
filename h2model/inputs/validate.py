"""Validate raw sheets against the schema and build typed tables.

Every problem is collected with its workbook, sheet, cell, value and rule; nothing
stops at the first one. The checks are, in order: sheets present; header columns
present and unique; each cell's type, range and choices; key uniqueness;
references to other sheets; and the few rules that span columns or sheets
(:data:`ROW_RULES`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from statistics import NormalDist

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from .errors import Problem
from .limits import limit, over
from .raw import RawCase, RawSheet, is_blank, parse_number
from .schema import FACTOR_RANGE, PLAUSIBLE_QUANTILES, SHEETS, Column, Sheet

_MISSING = object()


def coerce(value: object, col: Column) -> tuple[object, str | None]:
    """Convert one cell to the column's type; return (value, rule broken or None).

    >>> from h2model.inputs.schema import SHEETS
    >>> coerce("1000", SHEETS["Stations"].column("capacity_kg_per_day"))
    (1000.0, None)
    >>> coerce("10", SHEETS["Stations"].column("capacity_kg_per_day"))[1]
    'must be a number from 50 to 20000'
    >>> coerce(2020.5, SHEETS["Fleet"].column("year"))[1]
    'must be a whole number'
    >>> coerce("../victim", SHEETS["Scenarios"].column("scenario"))[1][:40]
    "must be text of 1-64 letters, digits, '."
    """
    if is_blank(value):
        if col.required:
            return None, "required value is blank"
        return None, None
    if col.kind == "str":
        if isinstance(value, bool | dt.datetime | dt.date | dt.time):
            return None, f"must be text ({col.rule()})"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        items = [t.strip() for t in text.split(";")] if col.multi else [text]
        if col.choices and any(t not in col.choices for t in items):
            return None, f"must be one of {', '.join(map(str, col.choices))}"
        if col.pattern and not all(re.fullmatch(col.pattern, t) for t in items):
            return None, f"must be {col.rule()}"
        return text, None
    # numbers
    if isinstance(value, bool) or isinstance(value, dt.datetime | dt.date | dt.time):
        return None, f"must be {col.rule()}"
    if isinstance(value, str):
        num, broken = parse_number(value)
        if broken:
            return None, broken
        if num is None:
            return None, f"must be {col.rule()}"
    elif isinstance(value, int | float):
        num = float(value)
    else:
        return None, f"must be {col.rule()}"
    if not math.isfinite(num):
        return None, "must be a finite number"
    if col.kind in ("int", "flag"):
        if not num.is_integer():
            return None, "must be a whole number" if col.kind == "int" else "must be 0 or 1"
        num = int(num)
        if col.kind == "flag" and num not in (0, 1):
            return None, "must be 0 or 1"
    if col.choices and num not in col.choices:
        return None, f"must be one of {', '.join(map(str, col.choices))}"
    if (col.min is not None and num < col.min) or (col.max is not None and num > col.max):
        return None, f"must be {col.rule()}"
    return num, None


class Validator:
    """Collects problems while typing one raw case."""

    def __init__(self, raw: RawCase):
        self.raw = raw
        self.problems: list[Problem] = list(raw.problems)
        self.tables: dict[str, pd.DataFrame] = {}
        self.params: dict[str, dict[str, float]] = {}
        self.param_sources: dict[str, dict[str, str]] = {}  # sheet -> key -> source_key
        # (sheet, row index) -> excel row number, for rules that point at a row
        self.rows: dict[str, list[int]] = {}

    def add(self, sheet: str | None, cell: str | None, value, rule: str, column=None):
        self.problems.append(Problem(self.raw.display_name, sheet, cell, value, rule, column))

    # --- sheets --------------------------------------------------------------------
    def run(self) -> None:
        for name, schema in SHEETS.items():
            sheet = self.raw.sheets.get(name)
            if sheet is None:
                if not schema.optional:
                    self.add(name, None, None,
                             f"sheet is missing (expected sheets: {', '.join(SHEETS)})")
                continue
            if schema.kind == "params":
                self._params(sheet, schema)
            else:
                self._table(sheet, schema)
        self._references()
        for rule in ROW_RULES:
            rule(self)

    def _header(self, sheet: RawSheet, schema: Sheet) -> dict[str, int] | None:
        seen: dict[str, int] = {}
        ok = True
        for j, h in enumerate(sheet.header):
            if h in seen and h:
                self.add(sheet.name, f"{get_column_letter(j + 1)}1", h,
                         "column header appears twice", h)
                ok = False
            seen.setdefault(h, j)
        for c in schema.columns:
            if c.name not in seen:
                self.add(sheet.name, "row 1", None,
                         f"column '{c.name}' is missing from the header row"
                         f" (expected columns: {', '.join(schema.column_names)})", c.name)
                ok = False
        return seen if ok else None

    def _table(self, sheet: RawSheet, schema: Sheet) -> None:
        index = self._header(sheet, schema)
        if index is None:
            return
        data: dict[str, list] = {c.name: [] for c in schema.columns}
        for i in range(len(sheet.rows)):
            for c in schema.columns:
                j = index[c.name]
                v, rule = coerce(sheet.value(i, j), c)
                if rule:
                    self.add(sheet.name, sheet.cell_ref(i, j), sheet.value(i, j), rule, c.name)
                data[c.name].append(v)
        df = pd.DataFrame({c.name: _typed(data[c.name], c) for c in schema.columns})
        self.tables[sheet.name] = df
        self.rows[sheet.name] = list(sheet.row_numbers)
        if schema.key:
            keys = df[list(schema.key)]
            dup = keys.duplicated(keep="first") & keys.notna().all(axis=1)
            for i in np.flatnonzero(dup.to_numpy()):
                j = index[schema.key[0]]
                value = " | ".join(str(keys.iloc[i][k]) for k in schema.key)
                self.add(sheet.name, sheet.cell_ref(i, j), value,
                         f"duplicate {' + '.join(schema.key)}: each must appear once",
                         schema.key[0])

    def _params(self, sheet: RawSheet, schema: Sheet) -> None:
        index = self._header(sheet, schema)
        if index is None:
            return
        kj, vj = index["key"], index["value"]
        allowed = {c.name: c for c in schema.params}
        out: dict[str, float] = {}
        for i in range(len(sheet.rows)):
            key = sheet.value(i, kj)
            key_s = None if is_blank(key) else str(key).strip()
            if key_s not in allowed:
                self.add(sheet.name, sheet.cell_ref(i, kj), key,
                         f"unknown key; allowed keys: {', '.join(allowed)}", "key")
                continue
            if key_s in out:
                self.add(sheet.name, sheet.cell_ref(i, kj), key, "key appears twice", "key")
                continue
            col = allowed[key_s]
            v, rule = coerce(sheet.value(i, vj), col)
            if rule:
                self.add(sheet.name, sheet.cell_ref(i, vj), sheet.value(i, vj),
                         f"{key_s} ({col.unit or 'no unit'}) {rule}", key_s)
                out[key_s] = _MISSING
                continue
            src = index.get("source_key")
            sv = sheet.value(i, src) if src is not None else None
            if is_blank(sv):
                self.add(sheet.name, sheet.cell_ref(i, src) if src is not None else None, sv,
                         "required value is blank", "source_key")
            out[key_s] = v
            if not is_blank(sv):
                self.param_sources.setdefault(sheet.name, {})[key_s] = str(sv)
        for key in allowed:
            if key not in out:
                self.add(sheet.name, None, None, f"key '{key}' is missing", key)
        self.params[sheet.name] = {k: v for k, v in out.items() if v is not _MISSING}
        # keep source_key for the reference check
        src = index.get("source_key")
        if src is not None:
            self.tables[f"__{sheet.name}_sources"] = pd.DataFrame(
                {"source_key": [None if is_blank(sheet.value(i, src)) else str(sheet.value(i, src))
                                for i in range(len(sheet.rows))]})
            self.rows[f"__{sheet.name}_sources"] = list(sheet.row_numbers)

    # --- references ------------------------------------------------------------------
    def _references(self) -> None:
        for name, schema in SHEETS.items():
            for c in schema.columns:
                if not c.ref:
                    continue
                tname = f"__{name}_sources" if schema.kind == "params" else name
                df = self.tables.get(tname)
                ref_sheet, ref_col = c.ref.split(".")
                target = self.tables.get(ref_sheet)
                if df is None or target is None or c.name not in df:
                    continue
                known = set(target[ref_col].dropna().astype(str))
                sheet = self.raw.sheets[name]
                j = sheet.col_index(c.name)
                for i, v in enumerate(df[c.name]):
                    if v is None or (isinstance(v, float) and math.isnan(v)):
                        continue
                    items = [t.strip() for t in str(v).split(";")] if c.multi else [str(v)]
                    missing = [t for t in items if t not in known]
                    if missing:
                        shown = ", ".join(sorted(known)[:12]) + (" ..." if len(known) > 12 else "")
                        self.add(name, sheet.cell_ref(i, j), v,
                                 f"unknown reference {', '.join(missing)}: must name a row of"
                                 f" {c.ref} ({shown})", c.name)

    def cell(self, sheet: str, i: int, column: str) -> str:
        s = self.raw.sheets[sheet]
        return s.cell_ref(i, s.col_index(column))


def _typed(values: list, col: Column) -> pd.Series:
    if col.kind in ("int", "flag"):
        return pd.array(values, dtype="Int64")
    if col.kind == "float":
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    return pd.Series(values, dtype=object)


# --- rules across columns and sheets ---------------------------------------------------

def _horizon(v: Validator) -> tuple[int, int] | None:
    f = v.params.get("Finance", {})
    if "analysis_start_year" in f and "analysis_end_year" in f:
        return int(f["analysis_start_year"]), int(f["analysis_end_year"])
    return None


def rule_horizon(v: Validator) -> None:
    f = v.params.get("Finance", {})
    h = _horizon(v)
    if h and h[0] >= h[1]:
        v.add("Finance", None, h[1], "analysis_end_year must be after analysis_start_year",
              "analysis_end_year")
    if h and "price_year" in f and not (h[0] - 10 <= f["price_year"] <= h[1]):
        v.add("Finance", None, f["price_year"], "price_year must lie within ten years before"
              " the analysis horizon or inside it", "price_year")


def rule_years_in_horizon(v: Validator) -> None:
    h = _horizon(v)
    if not h:
        return
    for sheet, column in (("Fleet", "year"), ("Prices", "year"), ("Vehicles", "purchase_year")):
        df = v.tables.get(sheet)
        if df is None:
            continue
        years = df[column]
        bad = years.notna() & ((years < h[0]) | (years > h[1]))
        for i in np.flatnonzero(bad.to_numpy(dtype=bool)):
            v.add(sheet, v.cell(sheet, i, column), int(years.iloc[i]),
                  f"year outside the analysis horizon {h[0]}-{h[1]} (Finance sheet)", column)
    st = v.tables.get("Stations")
    if st is not None:
        y = st["commissioning_year"]
        bad = y.notna() & (y > h[1])
        for i in np.flatnonzero(bad.to_numpy(dtype=bool)):
            v.add("Stations", v.cell("Stations", i, "commissioning_year"), int(y.iloc[i]),
                  f"commissioning year after the analysis horizon ends ({h[1]})",
                  "commissioning_year")
    prices = v.tables.get("Prices")
    if prices is not None:
        missing = sorted(set(range(h[0], h[1] + 1)) - set(prices["year"].dropna().astype(int)))
        if missing:
            v.add("Prices", None, None,
                  f"needs one row for every year of the horizon; missing {missing}", "year")


def rule_stations(v: Validator) -> None:
    st = v.tables.get("Stations")
    if st is None:
        return
    need = (st["status"] != "candidate") & st["commissioning_year"].isna() & st["status"].notna()
    for i in np.flatnonzero(need.to_numpy(dtype=bool)):
        v.add("Stations", v.cell("Stations", i, "commissioning_year"), None,
              f"an {st['status'].iloc[i]} station needs a commissioning year", "commissioning_year")
    costs = v.tables.get("StationCosts")
    if costs is None:
        return
    have = set(zip(costs["station_type"], costs["pressure_mpa"].astype(object), strict=True))
    for i, (t, p) in enumerate(zip(st["station_type"], st["pressure_mpa"], strict=True)):
        if t is None or p is pd.NA or (t, p) in have:
            continue
        v.add("Stations", v.cell("Stations", i, "station_type"), f"{t} {p} MPa",
              "no StationCosts row for this station type and pressure", "station_type")


def rule_cost_shares(v: Validator) -> None:
    costs = v.tables.get("StationCosts")
    if costs is None:
        return
    cols = ["share_compressor", "share_storage", "share_dispenser", "share_precooling", "share_civil"]
    total = costs[cols].sum(axis=1, min_count=len(cols))
    bad = total.notna() & ((total - 1.0).abs() > 1e-6)
    for i in np.flatnonzero(bad.to_numpy()):
        v.add("StationCosts", v.cell("StationCosts", i, "share_compressor"), round(float(total.iloc[i]), 6),
              "component shares (share_compressor ... share_civil) must sum to 1", "share_compressor")


def rule_refuelling_profile(v: Validator) -> None:
    """Each segment of RefuellingProfile has the 24 hours and its shares sum to 1."""
    prof = v.tables.get("RefuellingProfile")
    if prof is None or not len(prof):
        return
    g = prof.groupby("segment", sort=False)
    total, hours = g["share_of_daily_fills"].sum(), g["hour"].nunique()
    for seg in total.index:
        i = int(np.flatnonzero((prof["segment"] == seg).to_numpy())[0])
        if hours[seg] != 24:
            v.add("RefuellingProfile", v.cell("RefuellingProfile", i, "hour"), int(hours[seg]),
                  f"segment {seg}: needs one row for each hour 0-23", "hour")
        elif abs(float(total[seg]) - 1.0) > 1e-6:
            v.add("RefuellingProfile", v.cell("RefuellingProfile", i, "share_of_daily_fills"),
                  round(float(total[seg]), 6), f"segment {seg}: shares of daily fills must sum to 1",
                  "share_of_daily_fills")


def rule_policy_years(v: Validator) -> None:
    p = v.tables.get("Policy")
    if p is None:
        return
    bad = p["start_year"].notna() & p["end_year"].notna() & (p["end_year"] < p["start_year"])
    for i in np.flatnonzero(bad.to_numpy(dtype=bool)):
        v.add("Policy", v.cell("Policy", i, "end_year"), int(p["end_year"].iloc[i]),
              f"end_year must not be before start_year ({int(p['start_year'].iloc[i])})", "end_year")


def rule_policy_conditions(v: Validator) -> None:
    """A price threshold needs its comparator; an all-level cap group is for station grants
    and needs its caps on the PolicyCaps sheet."""
    p = v.tables.get("Policy")
    if p is None:
        return
    need = p["max_price_cny_per_kg"].notna() & p["price_comparator"].isna()
    for i in np.flatnonzero(need.to_numpy(dtype=bool)):
        v.add("Policy", v.cell("Policy", i, "price_comparator"), None,
              "required where max_price_cny_per_kg is given: '<' (below) or '<=' (not exceeding)",
              "price_comparator")
    grouped = p["combined_cap_group"].notna()
    for i in np.flatnonzero((grouped & (p["kind"] != "station_capex")).to_numpy(dtype=bool)):
        v.add("Policy", v.cell("Policy", i, "combined_cap_group"), p["combined_cap_group"].iloc[i],
              f"only station_capex programmes share an all-level cap (kind is {p['kind'].iloc[i]})",
              "combined_cap_group")
    if grouped.any() and "PolicyCaps" not in v.raw.sheets:
        i = int(np.flatnonzero(grouped.to_numpy(dtype=bool))[0])
        v.add("Policy", v.cell("Policy", i, "combined_cap_group"), p["combined_cap_group"].iloc[i],
              "names an all-level cap group but the PolicyCaps sheet is missing", "combined_cap_group")


def rule_segments_complete(v: Validator) -> None:
    seg = v.tables.get("Segments")
    fleet = v.tables.get("Fleet")
    if seg is None:
        return
    have = set(zip(seg["segment"], seg["powertrain"], strict=True))
    used = set(fleet["segment"].dropna()) if fleet is not None else set()
    veh = v.tables.get("Vehicles")
    if veh is not None:
        used |= set(veh["segment"].dropna())
    for s in sorted(used):
        missing = [p for p in ("fcev", "bev", "diesel") if (s, p) not in have]
        if missing:
            v.add("Segments", None, s, f"segment used in the fleet lacks rows for {', '.join(missing)}",
                  "segment")


def rule_weights(v: Validator) -> None:
    for sheet, what in (("Depots", "depots"), ("DemandPoints", "demand points")):
        d = v.tables.get(sheet)
        if d is None:
            continue
        tot = d.groupby("district")["weight"].sum()
        for district, w in tot.items():
            if w <= 0:
                i = int(np.flatnonzero((d["district"] == district).to_numpy())[0])
                v.add(sheet, v.cell(sheet, i, "weight"), 0,
                      f"the {what} of {district} need a positive total weight", "weight")


def rule_node_ids(v: Validator) -> None:
    """Depots and demand points are both demand nodes: their ids must not collide."""
    d, p = v.tables.get("Depots"), v.tables.get("DemandPoints")
    if d is None or p is None:
        return
    clash = p["point_id"].isin(set(d["depot_id"])).to_numpy()
    for i in np.flatnonzero(clash):
        v.add("DemandPoints", v.cell("DemandPoints", int(i), "point_id"), p["point_id"].iloc[i],
              "a demand point id must differ from every depot id", "point_id")


def rule_corridors(v: Validator) -> None:
    """Corridor sheets (read with Network.corridors = 1): links join two different nodes,
    flows run between two different, connected nodes and have a segment range, node ids
    differ from station ids, and the sheets exist when the corridor plan is on."""
    nodes, links, flows = (v.tables.get(s) for s in ("CorridorNodes", "CorridorLinks", "CorridorFlows"))
    if int(v.params.get("Network", {}).get("corridors", 0) or 0):
        for sheet in ("CorridorNodes", "CorridorLinks", "CorridorFlows", "VehicleRange"):
            if v.tables.get(sheet) is None:
                v.add(sheet, None, None, "sheet is missing: Network.corridors = 1 needs it", None)
    if nodes is None:
        return
    st = v.tables.get("Stations")
    if st is not None:
        for i in np.flatnonzero(nodes["node_id"].isin(set(st["station_id"].dropna())).to_numpy()):
            v.add("CorridorNodes", v.cell("CorridorNodes", int(i), "node_id"), nodes["node_id"].iloc[i],
                  "a corridor node id must differ from every Stations station_id", "node_id")
    if links is not None:
        for i in np.flatnonzero((links["from"] == links["to"]).to_numpy()):
            v.add("CorridorLinks", v.cell("CorridorLinks", int(i), "to"), links["to"].iloc[i],
                  "a link must join two different nodes", "to")
    if flows is None:
        return
    for i in np.flatnonzero((flows["origin"] == flows["destination"]).to_numpy()):
        v.add("CorridorFlows", v.cell("CorridorFlows", int(i), "destination"), flows["destination"].iloc[i],
              "a flow's destination must differ from its origin", "destination")
    rng = v.tables.get("VehicleRange")
    known = set(rng["segment"].dropna()) if rng is not None else set()
    for i in np.flatnonzero(~flows["segment"].isin(known).to_numpy() & flows["segment"].notna().to_numpy()):
        v.add("CorridorFlows", v.cell("CorridorFlows", int(i), "segment"), flows["segment"].iloc[i],
              "the segment has no VehicleRange row (its range between fills)", "segment")
    if links is None:
        return
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids = pd.Index(nodes["node_id"].dropna().unique())
    a, b = ids.get_indexer(links["from"]), ids.get_indexer(links["to"])
    ok = (a >= 0) & (b >= 0)
    graph = coo_matrix((np.ones(int(ok.sum())), (a[ok], b[ok])), shape=(len(ids), len(ids)))
    label = connected_components(graph, directed=False)[1]
    o, d = ids.get_indexer(flows["origin"]), ids.get_indexer(flows["destination"])
    apart = (o >= 0) & (d >= 0) & (label[np.maximum(o, 0)] != label[np.maximum(d, 0)])
    for i in np.flatnonzero(apart):
        v.add("CorridorFlows", v.cell("CorridorFlows", int(i), "destination"), flows["destination"].iloc[i],
              f"no road path from {flows['origin'].iloc[i]} over CorridorLinks", "destination")


def distribution_rule(distribution: str, low: float, mode: float, high: float, relative: bool,
                      target: Column | None = None) -> tuple[str, str] | None:
    """The rule an Uncertainty row's distribution breaks, as ``(column, rule)``, or None.

    Parameters are in order and of the right sign (triangular ``low <= mode <= high``,
    uniform ``low <= high``, a normal or lognormal standard deviation ``high >= 0``),
    and the draws are plausible: between the :data:`~.schema.PLAUSIBLE_QUANTILES` a
    factor (``relative``) stays within :data:`~.schema.FACTOR_RANGE`, a value within the
    ``target`` column's allowed range. ``low`` is the mean (normal) or log-mean
    (lognormal), ``high`` the standard deviation for those two.

    >>> distribution_rule("lognormal", 0.0, float("nan"), 0.3, True) is None
    True
    >>> distribution_rule("lognormal", 0.0, float("nan"), 50.0, True)[1][:60]
    'lognormal draws between the 0.1% and 99.9% quantiles run fro'
    >>> distribution_rule("uniform", 2.0, float("nan"), 1.0, False)
    ('high', 'uniform needs low <= high')
    """
    d = distribution
    if d == "triangular" and not (low <= mode <= high):  # False for a blank (NaN) mode
        return "mode", "triangular needs low <= mode <= high"
    if d == "uniform" and not low <= high:
        return "high", "uniform needs low <= high"
    if d in ("normal", "lognormal") and not high >= 0:
        return "high", f"{d}: high is the standard deviation and must be >= 0"
    lo_b, hi_b = FACTOR_RANGE if relative else (
        (target.min, target.max) if target is not None else (None, None))
    z = NormalDist().inv_cdf(PLAUSIBLE_QUANTILES[1])
    if d in ("uniform", "triangular"):
        q_lo, q_hi, log = low, high, False
    else:  # normal; lognormal in log space (its quantiles overflow a float)
        q_lo, q_hi, log = low - z * high, low + z * high, d == "lognormal"

    def scale(b):  # a bound in the space of q_lo, q_hi
        return b if not log else (math.log(b) if b > 0 else -math.inf)

    too_low = lo_b is not None and q_lo < scale(lo_b)
    too_high = hi_b is not None and q_hi > scale(hi_b)
    if not (too_low or too_high):
        return None

    def show(x):
        return (f"{math.exp(x):.3g}" if x < 700 else f"e^{x:.0f}") if log else f"{x:.6g}"

    what = "factors" if relative else "values"
    bound = (f"{FACTOR_RANGE[0]:g} to {FACTOR_RANGE[1]:g} (a factor on the base value)" if relative
             else f"the allowed range of {target.name} ({target.rule()})")
    span = "" if d in ("uniform", "triangular") else \
        f" between the {PLAUSIBLE_QUANTILES[0]:.1%} and {PLAUSIBLE_QUANTILES[1]:.1%} quantiles"
    column = "high" if (too_high or d in ("normal", "lognormal")) else "low"
    return column, (f"{d} draws{span} run from {show(q_lo)} to {show(q_hi)}; {what} must stay within"
                    f" {bound}")


def rule_uncertainty(v: Validator) -> None:
    """Each Uncertainty row's distribution (:func:`distribution_rule`), at its cell."""
    unc = v.tables.get("Uncertainty")
    if unc is None:
        return
    for i, r in enumerate(unc.itertuples(index=False)):
        if r.distribution is None or any(pd.isna(x) for x in (r.low, r.high, r.relative)):
            continue  # a blank or mistyped cell is already a problem
        schema = SHEETS.get(str(r.sheet))
        name = str(r.key) if schema is not None and schema.kind == "params" else str(r.column)
        try:
            target = schema.column(name) if schema is not None else None
        except KeyError:
            target = None  # unknown column or key: h2model.uncertainty.uncertain_inputs says so
        mode = float(r.mode) if pd.notna(r.mode) else float("nan")
        broken = distribution_rule(str(r.distribution), float(r.low), mode, float(r.high),
                                   bool(int(r.relative)), target)
        if broken:
            column, rule = broken
            v.add("Uncertainty", v.cell("Uncertainty", i, column), getattr(r, column),
                  f"input '{r.input_id}': {rule}", column)


def rule_fleet_size(v: Validator) -> None:
    """The rollout must expand to at most ``MAX_VEHICLES`` vehicles (checked before the fleet
    engine builds one row per vehicle; the count is :func:`h2model.fleet.stock_flows`')."""
    fleet, seg, horizon = v.tables.get("Fleet"), v.tables.get("Segments"), _horizon(v)
    reg = v.tables.get("Vehicles")
    if fleet is None or seg is None or horizon is None or (reg is not None and len(reg)) or fleet.empty:
        return
    if any(p.sheet in ("Fleet", "Segments", "Finance") for p in v.problems):
        return  # the count needs a valid rollout and lifetimes
    from h2model.fleet import interpolate_stock, stock_flows

    years = np.arange(horizon[0], horizon[1] + 1)
    keys, stock = interpolate_stock(fleet, years)
    life = seg[seg["powertrain"] == "fcev"].drop_duplicates("segment").set_index("segment")["lifetime_years"]
    if not set(keys["segment"]) <= set(life.index):
        return  # rule_segments_complete
    flows = stock_flows(stock, life.loc[keys["segment"]].to_numpy(dtype=np.int64))
    n = float(np.rint(flows.exits).sum())
    if n > limit("MAX_VEHICLES"):
        total = int(fleet["fcev_in_service"].sum())
        v.add("Fleet", None, total, over(
            "MAX_VEHICLES", n, f"the vehicles the rollout expands to over {horizon[0]}-{horizon[1]} (first"
            f" stock and every purchase; fcev_in_service sums to {total:,} over the rows)")
            + f"; about {n * _BYTES_PER_VEHICLE / 1e9:,.1f} GB of memory", "fcev_in_service")


#: Peak memory per vehicle of a run (bytes), measured on rollouts of 1-5 million vehicles
#: (see the MAX_VEHICLES limit).
_BYTES_PER_VEHICLE = 300


ROW_RULES: tuple[Callable[[Validator], None], ...] = (
    rule_horizon, rule_years_in_horizon, rule_stations, rule_cost_shares, rule_refuelling_profile,
    rule_policy_years, rule_policy_conditions,
    rule_segments_complete, rule_weights, rule_node_ids, rule_corridors, rule_uncertainty,
    rule_fleet_size,
)
