"""Sweeps: the model run over many scenario variants, locally or on a Dask cluster.

A **variant** is a base scenario (a name from the Scenarios sheet, or the inputs as
entered) plus extra overrides, each ``sheet, key, column, value, operation`` exactly
as a Scenarios row (see :mod:`h2model.inputs.scenarios`). :func:`sweep` reads the
workbook once, and for each variant copies the raw inputs, appends the base
scenario's rows and the variant's overrides to the Scenarios sheet as a scenario of
their own, validates it with :func:`h2model.inputs.case_from_raw` (so a bad override
is reported with its sheet, cell and rule), runs :func:`h2model.model.run` and keeps
one row of headline results (:func:`headline`). Variants run on a local process pool
with a progress bar, or -- given a scheduler address -- on a ``dask.distributed``
cluster; the results are the same either way.

Grid specifications
-------------------
An **axis** names an input and how the values apply::

    Sheet.key.column=v1,v2,...     set the cells to each value
    Sheet.key.column*=f1,f2,...    scale them by each factor
    Sheet.key.column+=a1,a2,...    add each amount
    Sheet.key=v1,v2                a params sheet's key (column 'value')

``key`` is as in the Scenarios sheet: a row id (several key columns joined with
``|``), ``*`` for every row, or a filter ``column=value``. The variants are the
product of the axes (and of the base scenarios). The same axes can be given on the
command line (``h2model sweep --set AXIS ...``) or in a file (``--grid FILE``):

- **YAML or JSON**::

      scenario: plan-2025            # or scenarios: [baseline, plan-2025]
      plan_network: false            # optional
      grid:                          # the product of these axes
        Finance.discount_rate: [0.06, 0.08, 0.10]
        "StationCosts.*.capex_excl_land_cny*": [0.8, 1.2]
      variants:                      # and/or variants listed one by one
        - id: cheap-byproduct
          scenario: baseline
          set: {"Supply.gzpc_byproduct.production_cost_cny_per_kg": 10}

- **CSV**, one override per row like the Scenarios sheet, grouped by ``variant``:
  ``variant, scenario, sheet, key, column, value, operation`` (``scenario`` and
  ``operation`` optional; a row with a blank ``sheet`` declares a variant without
  overrides).

Examples
--------
>>> vs = grid({"Finance.discount_rate": [0.06, 0.1], "StationCosts.*.capex_excl_land_cny*": [0.8]},
...           scenarios=[None, "baseline"])
>>> [(v.variant_id, v.scenario, v.parameters) for v in vs][:2]  # doctest: +NORMALIZE_WHITESPACE
[('v001', None, {'Finance.discount_rate': 0.06, 'StationCosts.*.capex_excl_land_cny*': 0.8}),
 ('v002', None, {'Finance.discount_rate': 0.1, 'StationCosts.*.capex_excl_land_cny*': 0.8})]
>>> len(vs)
4
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import multiprocessing
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from .inputs import InputError, Problem, case_from_raw, read_raw
from .inputs.raw import RawCase, RawSheet
from .inputs.scenarios import scenario_names, scenario_rows
from .inputs.schema import NAME_PATTERN, SHEETS

__all__ = ["Override", "SweepError", "Variant", "grid", "headline", "parse_axis", "parse_set", "read_grid",
           "run_variant", "sweep"]

_OPS = {"": "set", "*": "scale", "+": "add"}
_SYMBOL = {v: k for k, v in _OPS.items()}
_SCENARIO_COLUMNS = ("scenario", "description", "sheet", "key", "column", "value", "operation")


@dataclasses.dataclass(frozen=True)
class Override:
    """One override, as a row of the Scenarios sheet.

    Attributes
    ----------
    sheet, key : str
        Sheet and row key (params key, row id, ``*`` or ``column=value``).
    column : str
        Column (``value`` for params sheets).
    value : object
        New value, factor or amount.
    operation : {"set", "scale", "add"}
        How ``value`` applies.
    """

    sheet: str
    key: str
    column: str
    value: object
    operation: str = "set"

    @property
    def axis(self) -> str:
        """The override's axis name, e.g. ``StationCosts.*.capex_excl_land_cny*``."""
        params = SHEETS.get(self.sheet) is not None and SHEETS[self.sheet].kind == "params"
        path = f"{self.sheet}.{self.key}" if params and self.column == "value" else \
            f"{self.sheet}.{self.key}.{self.column}"
        return path + _SYMBOL.get(self.operation, "")


@dataclasses.dataclass(frozen=True)
class Variant:
    """A base scenario plus overrides: one run of a sweep.

    Attributes
    ----------
    variant_id : str
        Name of the variant (its ``scenario`` in the results).
    scenario : str or None
        Base scenario of the Scenarios sheet; None for the inputs as entered.
    overrides : tuple of Override
        Applied after the base scenario's own overrides, in order.
    plan_network : bool or None
        Optimise the network plan; None for the sweep's default.
    """

    variant_id: str
    scenario: str | None = None
    overrides: tuple[Override, ...] = ()
    plan_network: bool | None = None

    @property
    def parameters(self) -> dict[str, object]:
        """Axis name -> value of each override (the variant's columns in the results)."""
        return {o.axis: o.value for o in self.overrides}


def _value(text: str) -> object:
    """A number where the text is one (int if whole), else the stripped text."""
    t = str(text).strip()
    try:
        f = float(t)
    except ValueError:
        return t
    return int(f) if f.is_integer() and "." not in t and "e" not in t.lower() else f


def parse_axis(axis: str) -> tuple[str, str, str, str]:
    """``Sheet.key.column`` with an optional operation suffix -> (sheet, key, column, operation).

    The sheet is the text before the first dot and the column the text after the last
    (so keys may hold dots); two parts name a params sheet's key (column ``value``).

    Examples
    --------
    >>> parse_axis("StationCosts.*.capex_excl_land_cny*")
    ('StationCosts', '*', 'capex_excl_land_cny', 'scale')
    >>> parse_axis("Finance.discount_rate")
    ('Finance', 'discount_rate', 'value', 'set')
    >>> parse_axis("Segments.powertrain=fcev.h2_kg_per_100km+")
    ('Segments', 'powertrain=fcev', 'h2_kg_per_100km', 'add')
    """
    a = axis.strip()
    op = "set"
    if a and a[-1] in "*+":
        op, a = _OPS[a[-1]], a[:-1].rstrip()
    parts = a.split(".")
    if len(parts) < 2 or not all(parts[:1]) or not parts[-1]:
        raise ValueError(f"axis {axis!r}: expected Sheet.key.column (or Sheet.key for a params sheet)")
    if len(parts) == 2:
        return parts[0], parts[1], "value", op
    return parts[0], ".".join(parts[1:-1]), parts[-1], op


def parse_set(option: str) -> tuple[str, list[object]]:
    """``AXIS=v1,v2,...`` (``*=`` to scale, ``+=`` to add) -> (axis, values).

    Examples
    --------
    >>> parse_set("Finance.discount_rate=0.06,0.08")
    ('Finance.discount_rate', [0.06, 0.08])
    >>> parse_set("StationCosts.*.capex_excl_land_cny*=0.8, 1.2")
    ('StationCosts.*.capex_excl_land_cny*', [0.8, 1.2])
    >>> parse_set("Fleet.segment=bus_12m.fcev_in_service*=2")
    ('Fleet.segment=bus_12m.fcev_in_service*', [2])
    """
    # The values follow the last '=' (keys may hold 'column=value' filters).
    head, sep, tail = option.rpartition("=")
    if not sep or not head.strip():
        raise ValueError(f"--set {option!r}: expected Sheet.key.column=v1,v2,...")
    head = head.rstrip()
    values = [_value(v) for v in tail.split(",") if v.strip() != ""]
    if not values:
        raise ValueError(f"--set {option!r}: no values after '='")
    parse_axis(head)
    return head, values


def _override(axis: str, value: object) -> Override:
    sheet, key, column, op = parse_axis(axis)
    return Override(sheet, key, column, value, op)


def grid(axes: Mapping[str, Sequence[object]], scenarios: Iterable[str | None] = (None,), *,
         plan_network: bool | None = None, prefix: str = "v") -> list[Variant]:
    """Every combination of the axes' values, for each base scenario.

    Parameters
    ----------
    axes : mapping
        Axis (see the module docstring) -> values.
    scenarios : iterable of str or None, default (None,)
        Base scenarios (None: the inputs as entered); the outermost loop.
    plan_network : bool, optional
        Given to every variant.
    prefix : str, default "v"
        Variant ids are ``prefix`` and a running number (``v001``...).

    Returns
    -------
    list of Variant
        In order: scenarios, then the axes with the last varying fastest.
    """
    names = list(axes)
    combos = list(itertools.product(*(list(axes[a]) for a in names))) if names else [()]
    scen = list(scenarios) or [None]
    width = max(3, len(str(len(scen) * len(combos))))
    out = []
    for s in scen:
        for values in combos:
            overrides = tuple(_override(a, v) for a, v in zip(names, values, strict=True))
            out.append(Variant(f"{prefix}{len(out) + 1:0{width}d}", s, overrides, plan_network))
    return out


def read_grid(path: str | Path) -> list[Variant]:
    """Variants from a grid file: YAML (``.yaml``/``.yml``), JSON or CSV (module docstring).

    Raises
    ------
    ValueError
        On an unknown file type or a malformed specification (bad YAML/JSON/CSV syntax,
        wrong structure), naming the file; OSError if it cannot be read.
    """
    path = Path(path)
    try:
        return _read_grid(path)
    except OSError:
        raise
    except ValueError as exc:
        if str(exc).startswith(f"{path.name}:"):
            raise
        raise ValueError(f"{path.name}: malformed grid file ({_first_line(exc)})") from exc
    except Exception as exc:  # noqa: BLE001 - YAML syntax, wrong types: one message naming the file
        raise ValueError(f"{path.name}: malformed grid file ({type(exc).__name__}: {_first_line(exc)})") \
            from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _read_grid(path: Path) -> list[Variant]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _grid_from_csv(path)
    if suffix == ".json":
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}: not valid JSON ({exc})") from exc
    elif suffix in (".yaml", ".yml"):
        import yaml  # a dependency of dask

        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    else:
        raise ValueError(f"{path.name}: grid file must be .yaml, .yml, .json or .csv")
    if not isinstance(spec, Mapping):
        raise ValueError(f"{path.name}: expected a mapping with 'grid' and/or 'variants'")
    scen = spec.get("scenarios", [spec["scenario"]] if "scenario" in spec else [None])
    if not isinstance(scen, list):
        raise ValueError(f"{path.name}: 'scenarios' must be a list")
    pn = spec.get("plan_network")
    axes = spec.get("grid") or {}
    if not isinstance(axes, Mapping) or not all(isinstance(v, list) for v in axes.values()):
        raise ValueError(f"{path.name}: 'grid' must map each axis to a list of values")
    out = grid(axes, scen, plan_network=pn) if axes or not spec.get("variants") else []
    variants = spec.get("variants") or []
    if not isinstance(variants, list):
        raise ValueError(f"{path.name}: 'variants' must be a list")
    for i, v in enumerate(variants):
        if not isinstance(v, Mapping) or not isinstance(v.get("set") or {}, Mapping):
            raise ValueError(f"{path.name}: variants[{i}] must be a mapping with 'set' a mapping")
        sets = v.get("set") or {}
        out.append(Variant(str(v.get("id", f"x{i + 1:03d}")), v.get("scenario", scen[0] if scen else None),
                           tuple(_override(a, val) for a, val in sets.items()),
                           v.get("plan_network", pn)))
    return out


def _grid_from_csv(path: Path) -> list[Variant]:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = {"variant", "sheet", "key", "column", "value"}
    if not need <= set(df.columns):
        raise ValueError(f"{path.name}: CSV grid needs columns {', '.join(sorted(need))}")
    out: dict[str, dict] = {}
    for r in df.to_dict("records"):
        vid = r["variant"].strip()
        if not vid:
            continue
        v = out.setdefault(vid, {"scenario": (r.get("scenario") or "").strip() or None, "overrides": []})
        if r["sheet"].strip():
            column = r["column"].strip() or "value"
            v["overrides"].append(Override(r["sheet"].strip(), r["key"].strip(), column, _value(r["value"]),
                                           (r.get("operation") or "").strip() or "set"))
    return [Variant(k, v["scenario"], tuple(v["overrides"])) for k, v in out.items()]


# --- one variant -----------------------------------------------------------------------


def case_for_variant(raw: RawCase, variant: Variant):
    """The validated case of a variant (``raw`` is not changed).

    The base scenario's rows and the variant's overrides become a scenario of their
    own, ``sweep-<variant_id>`` (``sweep-variant`` when the id is not a safe name, see
    :data:`h2model.inputs.schema.NAME_PATTERN`), appended to a copy of the Scenarios sheet, so that
    overrides are applied and validated exactly as Scenarios rows are.

    Raises
    ------
    InputError
        Unknown base scenario, or any problem with the overrides or the result.
    """
    raw = copy.deepcopy(raw)
    if variant.scenario is not None and variant.scenario not in scenario_names(raw):
        raise InputError([Problem(raw.display_name, "Scenarios", None, variant.scenario,
                                  f"unknown scenario; scenarios are: {', '.join(scenario_names(raw))}",
                                  "scenario")])
    sheet = raw.sheets.get("Scenarios")
    if sheet is None:
        sheet = raw.sheets["Scenarios"] = RawSheet("Scenarios", list(_SCENARIO_COLUMNS), [], [])
    idx = {c: sheet.col_index(c) for c in _SCENARIO_COLUMNS}
    name = f"sweep-{variant.variant_id}"
    if not re.fullmatch(NAME_PATTERN, name):
        name = "sweep-variant"
    base = [r for r in scenario_rows(raw) if variant.scenario is not None and r.scenario == variant.scenario]
    desc = f"sweep variant {variant.variant_id} of {variant.scenario or 'the inputs as entered'}"
    rows = [(r.sheet, r.key, r.column, r.value, r.operation) for r in base if r.sheet is not None]
    rows += [(o.sheet, o.key, o.column, o.value, o.operation) for o in variant.overrides]
    rows = rows or [(None, None, None, None, None)]
    nxt = max(sheet.row_numbers, default=1) + 1
    for j, (sh, key, col, val, op) in enumerate(rows):
        cells = {"scenario": name, "description": desc, "sheet": sh, "key": key, "column": col, "value": val,
                 "operation": op}
        row = [None] * len(sheet.header)
        for c, v in cells.items():
            if idx[c] is not None:
                row[idx[c]] = v
        sheet.rows.append(row)
        sheet.row_numbers.append(nxt + j)
    case = case_from_raw(raw, name)
    return dataclasses.replace(case, scenario=variant.variant_id)


def headline(results) -> dict[str, object]:
    """Headline figures of a run, one flat row.

    Parameters
    ----------
    results : h2model.results.Results
        From :func:`h2model.model.run`.

    Returns
    -------
    dict
        For each row of the ``targets`` table: ``<target>_<year>_achieved``, ``_met``,
        ``_gap``; at the price target's year ``y``: ``network_price_<y>_cny_per_kg``
        (real CNY/kg: the retail price with subsidies that recovers every operating
        station's annualised cost, idle ones included, from the year's sales),
        ``network_price_no_subsidy_<y>_cny_per_kg``, ``stations_selling_<y>``,
        ``stations_idle_<y>``, ``utilisation_<y>``, ``h2_kg_<y>``; ``budget_to_<y>_cny`` and
        ``budget_total_cny`` (all programmes, nominal CNY).
    """
    row: dict[str, object] = {}
    t = results["targets"]
    for r in t.itertuples(index=False):
        row[f"{r.target}_{r.year}_achieved"] = float(r.achieved)
        row[f"{r.target}_{r.year}_met"] = bool(r.met)
        row[f"{r.target}_{r.year}_gap"] = float(r.gap)
    price = t[t["target"] == "price"]
    y = int(price["year"].iloc[0]) if len(price) else int(t["year"].max())
    net = results["network_by_year"].set_index("year")
    if y in net.index:
        n = net.loc[y]
        row[f"network_price_{y}_cny_per_kg"] = float(n["network_price_with_subsidy_cny_per_kg"])
        row[f"network_price_no_subsidy_{y}_cny_per_kg"] = float(n["network_price_cny_per_kg"])
        row[f"stations_selling_{y}"] = int(n["stations_selling"])
        row[f"stations_idle_{y}"] = int(n["stations_idle"])
        row[f"utilisation_{y}"] = float(n["utilisation"])
        row[f"h2_kg_{y}"] = float(n["h2_kg_per_year"])
    b = results["budget"]
    row[f"budget_to_{y}_cny"] = float(b.loc[b["year"] <= y, "outlay_cny"].sum())
    row["budget_total_cny"] = float(b["outlay_cny"].sum())
    return row


def run_variant(raw: RawCase, variant: Variant, plan_network: bool = True) -> dict[str, object]:
    """Run one variant and return its row of the sweep table (errors become a status).

    Parameters
    ----------
    raw : RawCase
        The workbook as read (:func:`h2model.inputs.read_raw`); not changed.
    variant : Variant
        What to run.
    plan_network : bool, default True
        Default for variants that do not say.

    Returns
    -------
    dict
        ``variant, scenario``, the variant's parameters, ``plan_network``, ``status``
        (``ok`` or the error) and :func:`headline`.
    """
    from .model import run

    pn = plan_network if variant.plan_network is None else bool(variant.plan_network)
    row: dict[str, object] = {"variant": variant.variant_id, "scenario": variant.scenario or "",
                              **variant.parameters, "plan_network": pn}
    try:
        res = run(case_for_variant(raw, variant), plan_network=pn)
        row["status"] = "ok"
        row.update(headline(res))
    except InputError as exc:
        row["status"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - one failed variant must not stop the sweep
        row["status"] = f"{type(exc).__name__}: {exc}"
    return row


# --- executors -----------------------------------------------------------------------------

_RAW: RawCase | None = None


def _init_worker(raw: RawCase) -> None:
    global _RAW
    _RAW = raw


def _run_in_worker(variant: Variant, plan_network: bool) -> dict[str, object]:
    return run_variant(_RAW, variant, plan_network)


def _bar(total: int, progress: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not progress, unit="variant", desc="h2model sweep", file=sys.stderr)


class SweepError(RuntimeError):
    """The sweep could not go on (no connection to the Dask scheduler, every worker lost).

    Attributes
    ----------
    table : pandas.DataFrame or None
        The sweep table with the variants that finished (``status`` ``not run: ...``
        for the others), or None if none was started.
    """

    def __init__(self, message: str, table: pd.DataFrame | None = None):
        super().__init__(message)
        self.table = table


def _run_local(raw, variants, plan_network, processes, progress, notify) -> str | None:
    n = processes if processes is not None else (os.cpu_count() or 1)
    with _bar(len(variants), progress) as bar:
        if n <= 1 or len(variants) <= 1:
            for i, v in enumerate(variants):
                notify(i, run_variant(raw, v, plan_network))
                bar.update(1)
            return None
        # spawn: workers start clean on every platform (no fork of a threaded process).
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(n, len(variants)), mp_context=ctx,
                                 initializer=_init_worker, initargs=(raw,)) as ex:
            futures = {ex.submit(_run_in_worker, v, plan_network): i for i, v in enumerate(variants)}
            for f in as_completed(futures):
                notify(futures[f], f.result())
                bar.update(1)
    return None


def _connect(scheduler, timeout_s: float):
    """A ``distributed.Client`` for a scheduler address, or :class:`SweepError` in one line.

    The client is made in a daemon thread and given up after twice ``timeout_s`` (+ 1 s): a peer
    that accepts the TCP connection but never answers the handshake would otherwise hang
    past the client's own timeout."""
    import threading

    from distributed import Client

    made: dict[str, object] = {}

    def connect() -> None:
        try:
            made["client"] = Client(scheduler, timeout=timeout_s, set_as_default=False)
        except Exception as exc:  # noqa: BLE001 - bad address, refused, timeout, TLS: one message
            made["error"] = exc

    t = threading.Thread(target=connect, name="h2model-dask-connect", daemon=True)
    t.start()
    t.join(2 * timeout_s + 1)
    if "client" in made:
        return made["client"]
    exc = made.get("error")
    why = f"{type(exc).__name__}: {_first_line(exc)}" if exc else "no answer to the handshake"
    raise SweepError(f"cannot connect to the Dask scheduler at {scheduler!r} within {timeout_s:g} s: {why}")


def _run_dask(scheduler, raw, variants, plan_network, progress, notify, *, connect_timeout_s: float,
              no_workers_timeout_s: float, poll_s: float = 1.0) -> str | None:
    """Run on a Dask cluster; returns None, or why it stopped early (a worker or
    scheduler failure, or no worker for ``no_workers_timeout_s``): the variants that
    finished have been passed to ``notify`` and the rest are cancelled."""
    import time

    from distributed import Client, wait

    own = not isinstance(scheduler, Client)
    client = _connect(scheduler, connect_timeout_s) if own else scheduler
    futures = []
    try:
        raw_f = client.scatter(raw, broadcast=True)
        futures = [client.submit(run_variant, raw_f, v, plan_network, pure=False) for v in variants]
        where = {f.key: i for i, f in enumerate(futures)}
        pending, idle_since = set(futures), None
        with _bar(len(variants), progress) as bar:
            while pending:
                try:
                    done, pending = wait(pending, timeout=poll_s, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    done = set()
                for f in done:
                    # run_variant turns a variant's own errors into its status: an error here is the cluster's
                    notify(where[f.key], f.result())
                    bar.update(1)
                if done:
                    idle_since = None
                elif not client.scheduler_info(n_workers=-1).get("workers"):
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since > no_workers_timeout_s:
                        return f"all Dask workers lost (no worker for {no_workers_timeout_s:g} s)"
                else:
                    idle_since = None
        return None
    except SweepError:
        raise
    except Exception as exc:  # noqa: BLE001 - killed workers, lost scheduler: stop, keep what finished
        return f"Dask cluster failed: {type(exc).__name__}: {_first_line(exc)}"
    finally:
        try:
            client.cancel([f for f in futures if not f.done()])
        except Exception:  # noqa: BLE001, S110 - the cluster may be gone already
            pass
        if own:
            client.close()


def _table(variants: Sequence[Variant], rows: Sequence[dict | None], missing: str) -> pd.DataFrame:
    """The sweep table: one row per variant in order; a variant without a row gets ``missing``
    as its status."""
    rows = [r if r is not None else {"variant": v.variant_id, "scenario": v.scenario or "", **v.parameters,
                                     "status": missing}
            for v, r in zip(variants, rows, strict=True)]
    columns: dict[str, None] = dict.fromkeys(["variant", "scenario"])
    for v in variants:
        columns.update(dict.fromkeys(v.parameters))
    columns.update(dict.fromkeys(["plan_network", "status"]))
    for r in rows:
        columns.update(dict.fromkeys(r))
    df = pd.DataFrame(rows, columns=list(columns))
    for c in df.columns:  # met flags: bool where every variant ran
        if c.endswith("_met") and df[c].notna().all():
            df[c] = df[c].astype(bool)
    return df


def sweep(workbook: str | Path | RawCase, variants: Sequence[Variant], *, scheduler=None,
          processes: int | None = None, progress: bool = True, plan_network: bool = True,
          on_result: Callable[[pd.DataFrame], None] | None = None, result_interval_s: float = 2.0,
          connect_timeout_s: float = 30.0, no_workers_timeout_s: float = 120.0) -> pd.DataFrame:
    """Run the model for every variant and collect one table of headline results.

    Parameters
    ----------
    workbook : str, pathlib.Path or RawCase
        Input workbook or CSV folder (read once), or a raw case already read.
    variants : sequence of Variant
        E.g. from :func:`grid` or :func:`read_grid`.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``tcp://host:8786``) or client: run on that
        cluster. Default: a local process pool.
    processes : int, optional
        Local worker processes (default: the number of CPUs; 1 runs in this
        process). Ignored with ``scheduler``. The pool starts fresh interpreters
        (``spawn``, as on Windows and macOS), so a script that sweeps on a local pool
        needs the usual ``if __name__ == "__main__":`` guard.
    progress : bool, default True
        Show a progress bar (stderr).
    plan_network : bool, default True
        Optimise the network plan in variants that do not say, as :func:`h2model.model.run`
        does, so that a variant's figures are those of ``h2model run`` on the same case;
        False uses the case's stations with the nearest-station assignment (faster).
    on_result : callable, optional
        Called with the table so far (unfinished variants' ``status`` ``not run yet``) as
        variants finish, at most every ``result_interval_s`` seconds, and once with the
        final table, so that a caller can write finished variants as they arrive.
    result_interval_s : float, default 2.0
        Least time between two calls of ``on_result`` before the last.
    connect_timeout_s : float, default 30
        How long to try to reach the Dask scheduler.
    no_workers_timeout_s : float, default 120
        How long the Dask cluster may have no worker before the sweep stops.

    Returns
    -------
    pandas.DataFrame
        One row per variant, in the order given: ``variant, scenario``, one column per
        override axis, ``plan_network, status`` and the :func:`headline` figures (NaN
        where a variant failed; ``status`` says why).

    Raises
    ------
    SweepError
        The Dask scheduler cannot be reached, or the cluster failed or lost every worker;
        its ``table`` holds the variants that finished (``on_result`` has had it too).
        The results of a Dask cluster come back pickled: use only a scheduler you trust,
        over TLS on a shared network (``tls://`` addresses, ``distributed.security.Security``).
    """
    import time

    variants = list(variants)
    ids = [v.variant_id for v in variants]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ValueError(f"variant id {dup!r} appears more than once")
    raw = workbook if isinstance(workbook, RawCase) else read_raw(workbook)
    rows: list[dict | None] = [None] * len(variants)
    last = [0.0]

    def notify(i: int, row: dict) -> None:
        rows[i] = row
        if on_result is not None and time.monotonic() - last[0] >= result_interval_s:
            on_result(_table(variants, rows, "not run yet"))
            last[0] = time.monotonic()

    if scheduler is not None:
        stopped = _run_dask(scheduler, raw, variants, plan_network, progress, notify,
                            connect_timeout_s=connect_timeout_s, no_workers_timeout_s=no_workers_timeout_s)
    else:
        stopped = _run_local(raw, variants, plan_network, processes, progress, notify)
    df = _table(variants, rows, f"not run: {stopped}")
    if on_result is not None:
        on_result(df)
    if stopped:
        finished = sum(r is not None for r in rows)
        raise SweepError(f"{stopped}; {finished} of {len(variants)} variants finished", df)
    return df
