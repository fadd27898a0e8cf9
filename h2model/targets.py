"""The plan's targets, checked in one place.

Every report, notebook and CLI summary reads the ``targets`` table this module
makes; nobody recomputes it. :func:`meets` is the one comparison of a figure with a
target's comparator (station economics, Monte Carlo and this table use it).

Each target says what kind of figure it checks, so that nobody reads an input as a
result:

- ``input``: the figure is set by the input workbook (the FCEV count is the ``Fleet``
  sheet's rollout or the ``Vehicles`` register, unless ``Adoption.mode`` is responsive);
- ``constraint``: the model is made to reach it (the station count, when the network
  plan enforces ``Network.enforce_station_target``);
- ``outcome``: the model computes it (the network price; the FCEV count in responsive
  fleet mode).

The price target (35 CNY/kg) is stated in nominal CNY of its year, so it is compared
with the network price converted to nominal CNY of that year.
"""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd

from .prices import NETWORK_PRICE, nominal

_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}

#: What a target's figure is, see the module docstring.
KINDS = ("input", "constraint", "outcome")

#: Uncertainty columns of the targets table (NaN without Monte Carlo or for
#: targets that are not outcomes).
UNCERTAINTY_COLUMNS = ("median", "p5", "p95", "prob_met")


def meets(value, required, comparator) -> np.ndarray:
    """Whether figures meet a target's comparator; NaN never does.

    Parameters
    ----------
    value : array_like
        Achieved figures (any unit).
    required : array_like
        Required values, broadcasting against ``value``.
    comparator : str or array_like of str
        ``<``, ``<=``, ``>`` or ``>=``, broadcasting against ``value``.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> meets([34.9, 35.0, np.nan], 35.0, "<").tolist()
    [True, False, False]
    >>> meets([51, 50], [50, 50], np.array([">", ">="], dtype=object)).tolist()
    [True, True]
    """
    v = np.asarray(value, dtype=float)
    r = np.asarray(required, dtype=float)
    c = np.asarray(comparator, dtype=object)
    v, r, c = np.broadcast_arrays(v, r, c)
    out = np.zeros(v.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        for sym, op in _OPS.items():
            m = c == sym
            out[m] = op(v[m], r[m])
    return out & np.isfinite(v)


def shortfall(value, required, comparator) -> np.ndarray:
    """How far figures fall short of a target (positive) or exceed it (negative), in
    the target's unit.

    >>> shortfall([44.0, 33.5], [50.0, 35.0], np.array([">=", "<"], dtype=object)).tolist()
    [6.0, -1.5]
    """
    v = np.asarray(value, dtype=float)
    r = np.asarray(required, dtype=float)
    up = np.isin(np.asarray(comparator, dtype=object), (">=", ">"))
    return np.where(up, r - v, v - r)


def check_targets(targets: pd.DataFrame, achieved: dict[tuple[str, int], float],
                  kinds: dict[str, str] | None = None,
                  uncertainty: dict[tuple[str, int], dict[str, float]] | None = None,
                  basis: dict[str, str] | None = None) -> pd.DataFrame:
    """Compare achieved figures with the Targets sheet.

    Parameters
    ----------
    targets : pandas.DataFrame
        The Targets sheet: ``target_id, description, year, comparator, value, unit``.
    achieved : dict
        ``(target_id, year) -> achieved value`` (stations, vehicles, CNY/kg). A
        missing or NaN figure gives ``met = False`` and a NaN gap.
    kinds : dict, optional
        ``target_id -> kind`` (:data:`KINDS`); default ``outcome``.
    uncertainty : dict, optional
        ``(target_id, year) -> {"median", "p5", "p95", "prob_met"}`` from Monte Carlo
        draws of the same figure (in the same basis as ``achieved``).
    basis : dict, optional
        ``target_id -> text`` saying what money basis the figure is in (e.g.
        ``nominal CNY of 2025``); default empty.

    Returns
    -------
    pandas.DataFrame
        ``target, description, year, kind, comparator, required, achieved, unit,
        basis, met, gap, median, p5, p95, prob_met``, where ``gap`` is how far the
        achieved figure falls short (positive) or exceeds (negative) the requirement,
        in the target's unit, ``median, p5, p95`` are the Monte Carlo percentiles of
        the figure and ``prob_met`` the share of draws that meet the target (NaN
        without draws).

    >>> t = pd.DataFrame({"target_id": ["stations", "price"], "description": ["", ""],
    ...     "year": [2025, 2025], "comparator": [">=", "<"], "value": [50.0, 35.0],
    ...     "unit": ["stations", "CNY/kg"]})
    >>> r = check_targets(t, {("stations", 2025): 44, ("price", 2025): 33.2},
    ...                   kinds={"stations": "constraint"})
    >>> r[["target", "kind", "met", "gap"]].values.tolist()
    [['stations', 'constraint', False, 6.0], ['price', 'outcome', True, -1.8]]
    """
    kinds = kinds or {}
    uncertainty = uncertainty or {}
    basis = basis or {}
    bad = sorted(set(kinds.values()) - set(KINDS))
    if bad:
        raise ValueError(f"unknown target kinds {bad}: must be one of {KINDS}")
    rows = []
    for t in targets.itertuples(index=False):
        key = (t.target_id, int(t.year))
        got = achieved.get(key, np.nan)
        got = float(got) if got is not None else np.nan
        unc = uncertainty.get(key, {})
        rows.append({
            "target": t.target_id, "description": t.description, "year": int(t.year),
            "kind": kinds.get(t.target_id, "outcome"), "comparator": t.comparator,
            "required": float(t.value), "achieved": got, "unit": t.unit,
            "basis": basis.get(t.target_id, ""),
            "met": bool(meets(got, t.value, t.comparator)),
            "gap": round(float(shortfall(got, t.value, t.comparator)), 10),
            **{c: float(unc.get(c, np.nan)) for c in UNCERTAINTY_COLUMNS},
        })
    return pd.DataFrame(rows)


def targets_table(case, fl, econ, *, mc=None, plan_network: bool = True,
                  fleet_responsive: bool = False) -> pd.DataFrame:
    """The plan's targets against what the run achieves (see :mod:`h2model.targets`).

    The FCEV count is an ``input`` (the Fleet sheet's rollout), or an ``outcome`` when
    ``fleet_responsive`` (operators' purchases chosen by cost, :mod:`h2model.adoption`), the station count a
    ``constraint`` when the network plan enforces the station target (else an
    ``input``: the Stations sheet's existing and planned stations), counting the stations
    in the case's Districts (not corridor stations outside its area), and the price an
    ``outcome``: the network price with subsidies (:data:`h2model.prices.NETWORK_PRICE`) in nominal
    CNY of the target's year, as the plan states its 35 CNY/kg. With Monte Carlo
    draws (``mc``), the price's median, p5, p95 and probability of meeting the target
    come from the same draws, also in nominal CNY.
    """
    achieved: dict[tuple[str, int], float] = {}
    uncertain: dict[tuple[str, int], dict[str, float]] = {}
    in_service = fl.fleet.groupby("year")["fcev_in_service"].sum()
    operating = _in_area(case, econ.stations).groupby("year")["station_id"].nunique()
    price = econ.network.set_index("year")[NETWORK_PRICE]
    for t in case["Targets"].itertuples(index=False):
        y = int(t.year)
        if t.target_id == "fcev":
            achieved[(t.target_id, y)] = float(in_service.get(y, 0))
        elif t.target_id == "stations":
            achieved[(t.target_id, y)] = float(operating.get(y, 0))
        elif t.target_id == "price":
            achieved[(t.target_id, y)] = float(nominal(case, float(price.get(y, np.nan)), y))
            if mc is not None and y in set(mc.years.tolist()):
                draws = nominal(case, mc.network_price_draws[:, list(mc.years).index(y)], y)
                uncertain[(t.target_id, y)] = _draw_stats(draws, float(t.value), str(t.comparator))
    enforced = plan_network and int(case.params.get("Network", {}).get("enforce_station_target", 0))
    kinds = {"fcev": "outcome" if fleet_responsive else "input",
             "stations": "constraint" if enforced else "input", "price": "outcome"}
    basis = {"price": "nominal CNY of the target year"}
    return check_targets(case["Targets"], achieved, kinds=kinds, uncertainty=uncertain, basis=basis)


def _in_area(case, stations: pd.DataFrame) -> pd.DataFrame:
    """The station rows that count toward the case's station target: those in one of its
    Districts (a corridor station outside the case's area, ``district`` blank, is analysed
    but not counted: the plan's '>50 stations' are Guangzhou's)."""
    if "district" not in stations:
        return stations
    return stations[stations["district"].isin(set(case["Districts"]["district"].astype(str)))]


def _draw_stats(draws: np.ndarray, required: float, comparator: str) -> dict[str, float]:
    """Median, p5, p95 (NaN draws ignored) and share of draws meeting the target."""
    d = np.asarray(draws, dtype=float)
    ok = d[np.isfinite(d)]
    p5, p50, p95 = np.percentile(ok, [5, 50, 95]) if len(ok) else (np.nan,) * 3
    return {"median": float(p50), "p5": float(p5), "p95": float(p95),
            "prob_met": float(meets(d, required, comparator).mean())}
