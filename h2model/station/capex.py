"""Station capex: the cost model of a refuelling station.

The ``StationCosts`` reference capex scaled by size (:func:`station_capex_cny`), split
into components (:data:`CAPEX_COMPONENTS`) and land, with fixed O&M, staff, electricity
use and the compressor replacement schedule (:func:`replacement_shares`), for the
stations of a case (:func:`station_costs_from_case`) or a capacity module of the network
optimiser (:func:`module_capex_cny`). Money is real CNY of the case's price year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..params import as_params

#: Capex components with their ``StationCosts`` share columns (land is added apart).
CAPEX_COMPONENTS = ("compressor", "storage", "dispenser", "precooling", "civil")

_KEY = ("station_type", "pressure_mpa")
_SHARE_TOL = 1e-6


# --- cost model -----------------------------------------------------------------------


def station_capex_cny(capacity_kg_per_day, reference_capacity_kg_per_day, capex_ref_cny,
                      scale_exponent) -> np.ndarray:
    r"""Installed station capex (excl. land) at a capacity, by an economy-of-scale law.

    .. math::

        K(Q) = K_\mathrm{ref} \left(\frac{Q}{Q_\mathrm{ref}}\right)^{\beta}

    so that doubling capacity multiplies capex by :math:`2^\beta` (:math:`\beta < 1`:
    economies of scale; 0.6-0.7 is the classic "six-tenths rule").

    Parameters
    ----------
    capacity_kg_per_day : array_like
        Dispensing capacity :math:`Q`, kg/day (24 h basis).
    reference_capacity_kg_per_day : array_like
        Capacity :math:`Q_\mathrm{ref}` the reference capex refers to, kg/day (> 0).
    capex_ref_cny : array_like
        Installed capex :math:`K_\mathrm{ref}` at the reference capacity, CNY.
    scale_exponent : array_like
        Scale exponent :math:`\beta`, dimensionless.

    Returns
    -------
    numpy.ndarray
        Capex :math:`K`, CNY, shaped like the broadcast inputs.

    Raises
    ------
    ValueError
        If a capacity is negative or a reference capacity is not positive.

    References
    ----------
    Argonne National Laboratory (2022), HDSAM v4: station capital cost scaling.

    Examples
    --------
    >>> station_capex_cny([500.0, 1000.0, 2000.0], 1000.0, 10e6, 1.0).tolist()
    [5000000.0, 10000000.0, 20000000.0]
    """
    q = np.asarray(capacity_kg_per_day, dtype=float)
    q_ref = np.asarray(reference_capacity_kg_per_day, dtype=float)
    if np.any(q < 0):
        raise ValueError("capacity_kg_per_day: must be >= 0 kg/day")
    if np.any(q_ref <= 0):
        raise ValueError("reference_capacity_kg_per_day: must be > 0 kg/day")
    return np.asarray(capex_ref_cny, dtype=float) * (q / q_ref) ** np.asarray(scale_exponent, dtype=float)


def replacement_shares(share_of_capex, component_life_years, station_life_years: int) -> np.ndarray:
    r"""Replacement cost of a component in each operating year, as a share of capex.

    A component with life :math:`n` years is replaced at the end of operating years
    :math:`n, 2n, \dots` before the last year of the station's life :math:`L`
    (no replacement is bought in the final year). This is the ``replacement_share``
    argument of :func:`h2model.finance.breakeven_price` (real, escalating with
    inflation, capitalised and depreciated from the year spent).

    Parameters
    ----------
    share_of_capex : array_like
        Replacement cost as a share of the capex passed to the finance engine,
        fraction.
    component_life_years : array_like
        Component life :math:`n`, years (>= 1).
    station_life_years : int
        Station life :math:`L`, years.

    Returns
    -------
    numpy.ndarray, shape (..., L)
        Share of capex spent in each operating year, fraction.

    Examples
    --------
    >>> replacement_shares(0.4, 10, 20)[[8, 9, 10, 19]].tolist()
    [0.0, 0.4, 0.0, 0.0]
    >>> replacement_shares([0.4, 0.2], [6, 10], 20).sum(axis=-1).round(6).tolist()
    [1.2, 0.2]
    """
    share = np.asarray(share_of_capex, dtype=float)[..., None]
    life = np.asarray(component_life_years, dtype=float)[..., None]
    if np.any(life < 1):
        raise ValueError("component_life_years: must be >= 1 year")
    k = np.arange(1, int(station_life_years) + 1, dtype=float)
    due = (np.mod(k, life) == 0) & (k < station_life_years)
    return share * due


def component_replacement_shares(costs: dict[str, np.ndarray], life_years: dict[str, float],
                                 station_life_years: int) -> np.ndarray:
    """Replacement of every component by its own life, as a share of capex excl. land:
    the sum over components of :func:`replacement_shares` (component capex over
    ``capex_excl_land_cny``, its life); the compressor's life is
    ``costs["compressor_life_years"]``, the others' ``life_years`` (components not named
    there, and civil works, are not replaced).

    Parameters
    ----------
    costs : dict of str to numpy.ndarray
        :func:`station_costs_from_case`'s columns as arrays ``(..., n)``.
    life_years : dict of str to float
        Life (years) by component of :data:`CAPEX_COMPONENTS` other than the compressor.
    station_life_years : int
        Station life, years.

    Returns
    -------
    numpy.ndarray, shape (..., n, L)

    Examples
    --------
    >>> c = {"capex_excl_land_cny": np.array([100.0]), "capex_compressor_cny": np.array([40.0]),
    ...      "capex_dispenser_cny": np.array([10.0]), "capex_storage_cny": np.array([20.0]),
    ...      "compressor_life_years": np.array([10])}
    >>> r = component_replacement_shares(c, {"dispenser": 5, "storage": 30}, 20)
    >>> r[0, [4, 9, 14]].tolist()  # dispenser at 5, 10, 15; compressor at 10; storage never
    [0.1, 0.5, 0.1]
    """
    k = np.asarray(costs["capex_excl_land_cny"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        def share(name):
            c = np.asarray(costs[f"capex_{name}_cny"], float)
            return np.where(k > 0, c / np.where(k > 0, k, 1.0), 0.0)

        out = replacement_shares(share("compressor"), np.asarray(costs["compressor_life_years"], float),
                                 station_life_years)
        for name, life in life_years.items():
            if name != "compressor":
                out = out + replacement_shares(share(name), life, station_life_years)
    return out


def _cost_index(case, station_type, pressure_mpa) -> np.ndarray:
    """Row of ``StationCosts`` for each (station_type, pressure_mpa), after checking shares."""
    sc = case["StationCosts"]
    shares = sc[[f"share_{c}" for c in CAPEX_COMPONENTS]].to_numpy(dtype=float).sum(axis=1)
    bad = np.flatnonzero(np.abs(shares - 1.0) > _SHARE_TOL)
    if len(bad):
        r = sc.iloc[bad[0]]
        raise ValueError(
            f"StationCosts row {int(bad[0]) + 2} ({r['station_type']}, {r['pressure_mpa']} MPa): "
            f"share_compressor..share_civil sum to {shares[bad[0]]:.6g}, must sum to 1")
    keys = pd.MultiIndex.from_arrays([sc["station_type"].astype(object),
                                      sc["pressure_mpa"].astype("int64")])
    t = np.asarray(station_type, dtype=object)
    p = np.asarray(pressure_mpa, dtype=float)
    t, p = np.broadcast_arrays(t, p)
    idx = keys.get_indexer(pd.MultiIndex.from_arrays([t.ravel(), p.ravel().astype("int64")]))
    if np.any(idx < 0):
        k = int(np.flatnonzero(idx < 0)[0])
        raise ValueError(f"StationCosts has no row for station_type={t.ravel()[k]!r}, "
                         f"pressure_mpa={int(p.ravel()[k])}")
    return idx


def _cost_rows(case, station_type, pressure_mpa) -> pd.DataFrame:
    """``StationCosts`` rows aligned with (station_type, pressure_mpa) arrays."""
    return case["StationCosts"].iloc[_cost_index(case, station_type, pressure_mpa)].reset_index(drop=True)


def _lead(x, trailing: int = 1):
    """``x`` with ``trailing`` unit axes appended if it is an array (scalars stay scalars)."""
    if np.ndim(x) == 0:
        return x
    x = np.asarray(x)
    return x.reshape(x.shape + (1,) * trailing)


def module_capex_cny(case, station_type, pressure_mpa, capacity_kg_per_day, *,
                     include_land: bool = False) -> np.ndarray:
    """Capex of a station or capacity module of a type, pressure and size.

    For the network optimiser's module costs: :func:`station_capex_cny` with the
    ``StationCosts`` row of each (type, pressure), broadcasting over the three
    arrays.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``StationCosts``.
    station_type : array_like of str
        Station type (``StationCosts.station_type``).
    pressure_mpa : array_like of int
        Dispensing pressure, MPa.
    capacity_kg_per_day : array_like
        Module capacity, kg/day.
    include_land : bool, default False
        Add the type's land purchase (``land_cost_cny``, CNY, not scaled): for a
        first module on a new site. Land lease is an operating cost, not capex.

    Returns
    -------
    numpy.ndarray
        Capex, CNY, shaped like the broadcast inputs.

    Raises
    ------
    ValueError
        If a (type, pressure) has no ``StationCosts`` row.
    """
    t, p, q = np.broadcast_arrays(np.asarray(station_type, dtype=object),
                                  np.asarray(pressure_mpa, dtype=float),
                                  np.asarray(capacity_kg_per_day, dtype=float))
    rows = _cost_rows(case, t, p)
    k = station_capex_cny(q.ravel(), rows["reference_capacity_kg_per_day"].to_numpy(float),
                          rows["capex_excl_land_cny"].to_numpy(float), rows["scale_exponent"].to_numpy(float))
    if include_land:
        k = k + rows["land_cost_cny"].to_numpy(float)
    return k.reshape(q.shape)


def station_costs_from_case(case, stations: pd.DataFrame) -> pd.DataFrame:
    r"""Capex components and operating costs of stations, one row per station.

    Capex excl. land is :func:`station_capex_cny` of the ``StationCosts`` row of the
    station's type and pressure, split by the row's ``share_*`` columns
    (:data:`CAPEX_COMPONENTS`; they must sum to 1). Land purchase is added unscaled.
    Fixed O&M is ``fixed_om_share_per_year`` of capex excl. land (equipment and
    civil works are maintained and insured, land is not); staff is
    ``staff_count x staff_cost_cny_per_person_year``. The compressor is replaced
    every ``compressor_life_years`` at its original cost (real).

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``StationCosts``.
    stations : pandas.DataFrame
        ``station_id, station_type, pressure_mpa, capacity_kg_per_day`` (kg/day).

    Returns
    -------
    pandas.DataFrame
        In the order of ``stations``: ``station_id``, ``capex_<component>_cny`` for
        each of :data:`CAPEX_COMPONENTS`, ``capex_excl_land_cny``, ``land_cny``
        (purchase), ``capex_cny`` (total incl. land), all CNY;
        ``fixed_om_cny_per_year``, ``staff_cny_per_year``, ``land_lease_cny_per_year``
        (CNY/year); ``electricity_kwh_per_kg`` (kWh/kg); ``compressor_life_years``
        (years); ``compressor_replacement_share`` (compressor cost /
        ``capex_excl_land_cny``, fraction: the finance engine takes equipment
        capex and land apart). The replacement schedule for the finance engine is
        ``replacement_shares(compressor_replacement_share, compressor_life_years, L)``.

    Examples
    --------
    >>> from h2model.inputs import load_case, DEFAULT_CASE
    >>> case = load_case(DEFAULT_CASE)
    >>> st = pd.DataFrame({"station_id": ["a"], "station_type": ["standalone"],
    ...                    "pressure_mpa": [35], "capacity_kg_per_day": [1000.0]})
    >>> c = station_costs_from_case(case, st)
    >>> c[["capex_excl_land_cny", "land_cny", "capex_cny", "staff_cny_per_year"]].iloc[0].tolist()
    [10000000.0, 4000000.0, 14000000.0, 900000.0]
    """
    return pd.DataFrame(_station_costs(case, stations))


def _station_costs(params, stations: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns of :func:`station_costs_from_case` as arrays ``(..., n_stations)``;
    drawn ``StationCosts`` columns of ``params`` (:class:`h2model.params.Params`) add
    leading axes."""
    p = as_params(params)
    idx = _cost_index(p, stations["station_type"].to_numpy(object),
                      stations["pressure_mpa"].to_numpy(float))

    def col(name):
        return p.col("StationCosts", name)[..., idx]

    k = station_capex_cny(stations["capacity_kg_per_day"].to_numpy(float),
                          col("reference_capacity_kg_per_day"), col("capex_excl_land_cny"),
                          col("scale_exponent"))
    out = {"station_id": stations["station_id"].astype(object).to_numpy()}
    for c in CAPEX_COMPONENTS:
        out[f"capex_{c}_cny"] = k * col(f"share_{c}")
    land = col("land_cost_cny")
    total = k + land
    out.update({
        "capex_excl_land_cny": k,
        "land_cny": land,
        "capex_cny": total,
        "fixed_om_cny_per_year": k * col("fixed_om_share_per_year"),
        "staff_cny_per_year": col("staff_count") * col("staff_cost_cny_per_person_year"),
        "land_lease_cny_per_year": col("land_lease_cny_per_year"),
        "electricity_kwh_per_kg": col("electricity_kwh_per_kg"),
        "compressor_life_years": p["StationCosts"]["compressor_life_years"].to_numpy(np.int64)[idx],
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        out["compressor_replacement_share"] = np.where(k > 0, out["capex_compressor_cny"] / k, 0.0)
    return out
