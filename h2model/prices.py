"""Prices by year: the paths every engine reads, and real to nominal money.

- :func:`year_path`, :func:`calendar_path` -- values by calendar year, linear between
  the years given and flat beyond them (a ``Prices`` column, a hydrogen price path),
  on a pandas Series or on arrays with leading (draws) axes;
- :func:`network_price_path` -- the retail hydrogen price path the flow uses
  (:data:`NETWORK_PRICE` where stations sell, else the ``Prices`` sheet);
- :func:`nominal` -- real CNY of the case's price year to nominal CNY of a year.

A low-level module: it imports only :mod:`h2model.finance`, so that station
economics, TCO, policy, emissions, Monte Carlo and the flow can all read the same
paths without importing each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .finance import nominal_cny

__all__ = ["NETWORK_PRICE", "calendar_path", "network_price_path", "nominal", "year_path"]


def year_path(values: pd.Series, years) -> np.ndarray:
    """Values by year on ``years``: interpolated between years given, flat beyond them.

    Parameters
    ----------
    values : pandas.Series
        Indexed by year.
    years : array_like of int
        Years wanted.

    Returns
    -------
    numpy.ndarray
        Values on ``years``.

    Examples
    --------
    >>> year_path(pd.Series([10.0, 20.0], index=[2020, 2022]), [2019, 2021, 2030]).tolist()
    [10.0, 15.0, 20.0]
    """
    s = values.dropna()
    if s.empty:
        raise ValueError(f"no values to build a path for {values.name!r}")
    s = s.groupby(level=0).mean().sort_index()
    return np.interp(np.asarray(years, dtype=float), s.index.to_numpy(dtype=float), s.to_numpy(float))


def calendar_path(year_values, values, years) -> np.ndarray:
    """Values by year on ``years``, vectorised over leading (draws) axes of ``values``.

    The rule of :func:`year_path` (linear between the years given, flat beyond them),
    for arrays: element for element the same as :func:`numpy.interp`.

    Parameters
    ----------
    year_values : array_like of int, shape (n,)
        Years the values are given for (distinct; any order).
    values : array_like, shape (..., n)
        Values, leading axes first (e.g. draws).
    years : array_like of int
        Years wanted, any shape ``S``.

    Returns
    -------
    numpy.ndarray
        Shape ``values.shape[:-1] + S``.

    Examples
    --------
    >>> calendar_path([2022, 2020], [[20.0, 10.0], [2.0, 1.0]], [2019, 2021, 2030]).tolist()
    [[10.0, 15.0, 20.0], [1.0, 1.5, 2.0]]
    """
    xp = np.asarray(year_values, dtype=float)
    order = np.argsort(xp, kind="stable")
    xp = xp[order]
    if np.any(np.diff(xp) == 0):
        raise ValueError("calendar_path: years must be distinct")
    fp = np.asarray(values, dtype=float)[..., order]
    x = np.asarray(years, dtype=float)
    shape = x.shape
    x = x.ravel()
    j = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, len(xp) - 1)
    j1 = np.minimum(j + 1, len(xp) - 1)
    hit = (x <= xp[0]) | (x >= xp[-1]) | (xp[j] == x)
    left = np.where(x <= xp[0], 0, np.where(x >= xp[-1], len(xp) - 1, j))
    with np.errstate(divide="ignore", invalid="ignore"):
        dx = np.where(hit, 1.0, xp[j1] - xp[j])
        slope = (fp[..., j1] - fp[..., j]) / dx
        inner = slope * (x - xp[j]) + fp[..., j]
    out = np.where(hit, fp[..., left], inner)
    return out.reshape(fp.shape[:-1] + shape)


def nominal(case, real_cny, year):
    """Real CNY of the case's price year to nominal CNY of ``year``.

    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(finance={"inflation_rate": 0.02}, price_year=2024)
    >>> round(float(nominal(c, 35.0, 2026)), 4)
    36.414
    """
    return nominal_cny(real_cny, year, case.price_year, float(case.finance["inflation_rate"]))


#: The network price the flow uses (targets, TCO price path, reports, sweeps):
#: the retail price with subsidies that recovers every operating station's annualised
#: cost, idle stations included, from the year's sales (:func:`h2model.station.network_price`).
NETWORK_PRICE = "network_price_with_subsidy_cny_per_kg"


def network_price_path(case, network: pd.DataFrame, *, subsidised: bool = True) -> pd.Series:
    """Retail hydrogen price by year (real CNY/kg of the price year): the network price
    with subsidies (:data:`NETWORK_PRICE`, the cost of every operating station over the
    year's sales; ``subsidised=False``: without subsidies) where stations sell hydrogen,
    else the Prices sheet's path.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Prices.h2_retail_cny_per_kg``.
    network : pandas.DataFrame
        Station economics' network table by year
        (:attr:`h2model.station.StationEconomics.network`).
    subsidised : bool, default True
        The price with subsidies (else without).

    Returns
    -------
    pandas.Series
        Real CNY/kg by year, on the ``Prices`` sheet's years.
    """
    prices = case["Prices"].set_index("year")["h2_retail_cny_per_kg"].astype(float)
    col = NETWORK_PRICE if subsidised else "network_price_cny_per_kg"
    net = network.set_index("year")[col].astype(float)
    path = prices.copy()
    ok = net.dropna()
    ok = ok[ok.index.isin(path.index)]
    path.loc[ok.index] = ok.to_numpy()
    path.index = path.index.astype(int)
    return path
