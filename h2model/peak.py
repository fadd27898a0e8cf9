r"""Peak-aware stations: the peak hour of each station-year and components sized for it.

A station is planned on daily averages (kg/day = annual kg / 365) and sells at most
``Network.max_capacity_factor`` of its capacity. Vehicles do not fill evenly over the
day: buses fill at the depot after the last trip, trucks and cars in the morning and
late afternoon. This module, after HDSAM's refuelling-station sizing [1]_, turns a
station-year's loads by segment into its **peak hour** and sizes the components for it:

1. **Peak hour.** Fills in hour :math:`h` of the design day,
   :math:`\lambda_h = f_d \sum_s (q_s / m_s)\,\pi_{s,h}`, with :math:`q_s` the kg/day of
   segment :math:`s`, :math:`m_s` its kg per fill (``FillSizes``), :math:`\pi_{s,h}` its
   share of daily fills in the hour (``RefuellingProfile``) and :math:`f_d` the design
   day's surge over the average day (``PeakSizing.peak_day_factor``).
2. **Dispensers.** Each hose is a server of an M/M/c queue with arrival rate
   :math:`\lambda_h` (fills/h) and mean service time :math:`\bar\tau_h` (fill-weighted
   ``minutes_per_fill``); a fill waits longer than :math:`t` with probability
   :math:`P(W>t) = C(c, a)\, e^{-(c\mu - \lambda)t}` (:math:`\mu = 1/\bar\tau`,
   :math:`a = \lambda/\mu`, :func:`erlang_c`). The service level asks
   :math:`P(W \le t) \ge` ``service_level_share`` in every hour (steady state within
   the hour). The **peak-feasible capacity** of a station is the most kg/day its
   installed hoses serve at that level for its segment mix (:func:`peak_feasible_kg_per_day`).
3. **Compressor and cascade storage.** The compressor runs at the station's base
   throughput (capacity / 24 h) or, if the design day needs more, at design-day kg / 24 h;
   the cascade buffers the largest run of hours in which dispensing exceeds the
   compressor (:func:`storage_buffer_kg`), of which only ``cascade_usable_share`` can be
   dispensed.

With ``Network.peak_sizing = 1`` station economics (:func:`h2model.station.station_years`)
caps each station-year's sales at its peak-feasible capacity (as well as at
``max_capacity_factor`` x capacity) and adds the capex of the compressor throughput,
storage and hoses the peak needs beyond the **base design** (``PeakSizing``: hoses and
storage per kg/day; compressor capacity / 24 h), at the unit costs of the station's own
components (its ``StationCosts`` component capex over its base-design units). With 0
(the default) nothing here is read and station economics is unchanged.

All functions are vectorised over station-years (and hours); the only Python loops run
over hoses (:func:`erlang_c`) and bisection steps.

References
----------
.. [1] Argonne National Laboratory (2022). Hydrogen Delivery Scenario Analysis Model
   (HDSAM) v4: refuelling-station component sizing for the peak hour.
.. [2] Kleinrock, L. (1975). Queueing Systems, Vol. 1: Theory, section 3.5 (M/M/m:
   Erlang's C formula and the waiting-time distribution).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

HOURS_PER_DAY = 24
#: Fill pressure (MPa) from which a fill is pre-cooled (SAE J2601: 70 MPa fills at -40 C).
PRECOOLED_FILL_MPA = 70.0
#: Components besides the compressor (``StationCosts.compressor_life_years``) whose lives
#: ``PeakSizing.<component>_life_years`` give with peak sizing.
REPLACED_COMPONENTS = ("storage", "dispenser", "precooling")
#: Most hoses the queue model considers at one station (a bound for :func:`hoses_needed`).
MAX_HOSES = 64
_BISECTION_STEPS = 60


# --- queue -----------------------------------------------------------------------------


def erlang_c(hoses, offered_load_erlang) -> np.ndarray:
    r"""Erlang's C: probability that an arriving fill must wait (M/M/c queue).

    .. math:: C(c, a) = \frac{c\,B(c, a)}{c - a\,(1 - B(c, a))},\qquad
              B(k, a) = \frac{a B(k-1, a)}{k + a B(k-1, a)},\ B(0, a) = 1

    (Erlang B by its stable recursion). :math:`C = 1` when :math:`a \ge c` (the queue
    grows without bound).

    Parameters
    ----------
    hoses : array_like of int
        Servers :math:`c` (>= 1).
    offered_load_erlang : array_like
        Offered load :math:`a = \lambda/\mu` (erlang; arrivals per hour x hours per fill).

    Returns
    -------
    numpy.ndarray
        :math:`C(c, a)`, probability (broadcast shape of the inputs).

    Examples
    --------
    >>> round(float(erlang_c(2, 1.0)), 6)  # 1/3 (c = 2, a = 1)
    0.333333
    """
    c, a = np.broadcast_arrays(np.asarray(hoses, dtype=np.int64), np.asarray(offered_load_erlang, float))
    if np.any(c < 1):
        raise ValueError("hoses: must be >= 1")
    b = np.ones(a.shape)
    b_at_c = np.ones(a.shape)
    for k in range(1, int(c.max(initial=1)) + 1):  # a loop over hoses, not stations
        b = a * b / (k + a * b)
        b_at_c = np.where(c == k, b, b_at_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = c * b_at_c / (c - a * (1.0 - b_at_c))
    return np.where(a < c, out, 1.0)


def wait_exceeds_probability(hoses, fills_per_hour, minutes_per_fill, wait_minutes) -> np.ndarray:
    r"""Probability that a fill waits longer than ``wait_minutes`` for a hose (M/M/c).

    .. math:: P(W > t) = C(c, a)\, e^{-(c\mu - \lambda) t}

    with :math:`\mu = 60/\tau` fills per hour per hose and :math:`a = \lambda/\mu`;
    1 when :math:`\lambda \ge c\mu`.

    Parameters
    ----------
    hoses : array_like of int
        Hoses :math:`c`.
    fills_per_hour : array_like
        Arrival rate :math:`\lambda` (fills/h).
    minutes_per_fill : array_like
        Mean time a fill occupies a hose :math:`\tau` (min).
    wait_minutes : array_like
        Wait :math:`t` (min).

    Returns
    -------
    numpy.ndarray
        Probability.

    Examples
    --------
    >>> round(float(wait_exceeds_probability(2, 6.0, 10.0, 10.0)), 6)  # (1/3) e^-1
    0.122626
    """
    lam = np.asarray(fills_per_hour, float)
    mu = 60.0 / np.asarray(minutes_per_fill, float)
    c = np.asarray(hoses, dtype=np.int64)
    a = lam / mu
    decay = np.exp(-np.maximum(c * mu - lam, 0.0) * np.asarray(wait_minutes, float) / 60.0)
    return np.where(a < c, erlang_c(c, a) * decay, 1.0)


def hoses_needed(fills_per_hour, minutes_per_fill, wait_minutes, service_share,
                 max_hoses: int = MAX_HOSES) -> np.ndarray:
    """Fewest hoses at which ``service_share`` of fills wait at most ``wait_minutes``.

    Parameters
    ----------
    fills_per_hour, minutes_per_fill, wait_minutes
        As for :func:`wait_exceeds_probability`.
    service_share : float
        Required share of fills served within the wait (fraction).
    max_hoses : int
        Largest number tried.

    Returns
    -------
    numpy.ndarray of int
        Hoses (0 where there are no fills).

    Raises
    ------
    ValueError
        If some demand needs more than ``max_hoses``.

    Examples
    --------
    >>> hoses_needed([6.0, 20.0], 10.0, 10.0, 0.95).tolist()
    [3, 6]
    """
    lam = np.asarray(fills_per_hour, float)
    tau = np.broadcast_to(np.asarray(minutes_per_fill, float), lam.shape)
    c = np.arange(1, max_hoses + 1)
    ok = (1.0 - wait_exceeds_probability(c, lam[..., None], tau[..., None], wait_minutes)) >= service_share
    if not ok[..., -1][lam > 0].all():
        raise ValueError(f"a peak hour needs more than {max_hoses} hoses")
    return np.where(lam > 0, np.argmax(ok, axis=-1) + 1, 0)


def max_fills_per_hour(hoses, minutes_per_fill, wait_minutes, service_share) -> np.ndarray:
    """Most fills per hour ``hoses`` serve with ``service_share`` of fills waiting at most
    ``wait_minutes`` (bisection on the arrival rate; :math:`P(W>t)` rises with it).

    Returns
    -------
    numpy.ndarray
        Fills/h (broadcast shape of the inputs).

    Examples
    --------
    >>> round(float(max_fills_per_hour(1, 6.0, 0.0, 0.95)), 6)  # M/M/1: P(wait) = rho = 0.05
    0.5
    """
    c, tau = np.broadcast_arrays(np.asarray(hoses, dtype=np.int64), np.asarray(minutes_per_fill, float))
    lo, hi = np.zeros(c.shape), c * 60.0 / tau
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        ok = 1.0 - wait_exceeds_probability(c, mid, tau, wait_minutes) >= service_share
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    return lo


# --- peak hour and storage ----------------------------------------------------------------


def hourly_fills(kg_per_day_by_segment, profile, kg_per_fill, minutes_per_fill, peak_day_factor):
    """Fills and kg by hour of the design day, and the fill-weighted minutes per fill.

    Parameters
    ----------
    kg_per_day_by_segment : array_like, shape (n, n_segments)
        Average kg/day by segment (station-years x segments).
    profile : array_like, shape (n_segments, 24)
        Share of each segment's daily fills by hour.
    kg_per_fill, minutes_per_fill : array_like, shape (n_segments,)
        kg and minutes per fill.
    peak_day_factor : float
        Design day over the average day.

    Returns
    -------
    fills, kg, minutes : numpy.ndarray, shape (n, 24)
        Fills/h, kg/h and mean minutes per fill in each hour (the all-segment mean where
        an hour has no fills).

    Examples
    --------
    >>> f, kg, tau = hourly_fills([[120.0]], np.full((1, 24), 1 / 24), [5.0], [6.0], 1.0)
    >>> float(f[0, 0]), float(kg[0, 0]), float(tau[0, 0])
    (1.0, 5.0, 6.0)
    """
    q = np.asarray(kg_per_day_by_segment, float)
    m, tau = np.asarray(kg_per_fill, float), np.asarray(minutes_per_fill, float)
    by_seg = peak_day_factor * (q / m)[:, :, None] * np.asarray(profile, float)[None, :, :]  # (n, S, 24)
    fills = by_seg.sum(axis=1)
    kg = (by_seg * m[None, :, None]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        minutes = (by_seg * tau[None, :, None]).sum(axis=1) / fills
    return fills, kg, np.where(fills > 0, minutes, tau.mean())


def storage_buffer_kg(kg_per_hour, compressor_kg_per_hour) -> np.ndarray:
    """Hydrogen the cascade must hold to cover the hours in which dispensing exceeds the
    compressor: the largest sum of ``kg_per_hour - compressor`` over consecutive hours of
    the (cyclic) day, 0 if none. The day repeats, so a run across midnight counts.

    Parameters
    ----------
    kg_per_hour : array_like, shape (n, 24)
        Dispensed kg/h by hour.
    compressor_kg_per_hour : array_like, shape (n,)
        Compressor throughput (kg/h); assumed at least the day's mean kg/h.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Usable storage needed, kg.

    Examples
    --------
    >>> float(storage_buffer_kg([[0] * 20 + [30, 30, 0, 30]], [5.0])[0])  # 25 + 25 - 5 + 25
    70.0
    """
    d = np.asarray(kg_per_hour, float) - np.asarray(compressor_kg_per_hour, float)[:, None]
    two = np.concatenate([d, d], axis=1)
    s = np.concatenate([np.zeros((len(d), 1)), np.cumsum(two, axis=1)], axis=1)
    return np.maximum((s - np.minimum.accumulate(s, axis=1)).max(axis=1), 0.0)


# --- inputs ---------------------------------------------------------------------------------


def peak_sizing_on(case) -> bool:
    """``Network.peak_sizing`` of a case (0 when absent)."""
    return bool(case.params.get("Network", {}).get("peak_sizing", 0))


@dataclasses.dataclass(frozen=True)
class PeakInputs:
    """The peak-sizing inputs of a case, by segment (order ``segments``)."""

    segments: tuple[str, ...]
    profile: np.ndarray  # (n_segments, 24) share of daily fills
    kg_per_fill: np.ndarray
    minutes_per_fill: np.ndarray
    service_share: float
    wait_minutes: float
    peak_day_factor: float
    hoses_per_kg_per_day: float
    storage_kg_per_kg_per_day: float
    usable_share: float
    fill_pressure_mpa: np.ndarray | None = None  # (n_segments,); None: every segment at 35 MPa
    precooling_kw_per_hose: float = 0.0
    precooling_capex_cny_per_kw: float = 0.0
    component_life_years: dict[str, float] | None = None  # storage, dispenser, precooling

    @classmethod
    def from_case(cls, case) -> PeakInputs:
        """Reads ``RefuellingProfile``, ``FillSizes`` and ``PeakSizing``.

        Raises
        ------
        ValueError
            If a sheet is missing or a segment has a profile but no fill size.
        """
        prof, fills = case.tables.get("RefuellingProfile"), case.tables.get("FillSizes")
        ps = case.params.get("PeakSizing")
        if prof is None or fills is None or not ps:
            raise ValueError("peak_sizing needs the RefuellingProfile, FillSizes and PeakSizing sheets")
        wide = prof.pivot(index="segment", columns="hour", values="share_of_daily_fills")
        wide = wide.reindex(columns=range(HOURS_PER_DAY)).fillna(0.0)
        f = fills.set_index("segment")
        missing = sorted(set(wide.index) - set(f.index))
        if missing:
            raise ValueError(f"FillSizes: no row for segment(s) {', '.join(missing)}")
        segs = tuple(wide.index)
        pressure = (f.loc[list(segs), "fill_pressure_mpa"].fillna(35).to_numpy(float)
                    if "fill_pressure_mpa" in f.columns else None)
        return cls(segs, wide.to_numpy(float), f.loc[list(segs), "kg_per_fill"].to_numpy(float),
                   f.loc[list(segs), "minutes_per_fill"].to_numpy(float),
                   float(ps["service_level_share"]), float(ps["service_level_wait_minutes"]),
                   float(ps["peak_day_factor"]), float(ps["base_hoses_per_1000_kg_per_day"]) / 1000.0,
                   float(ps["base_storage_kg_per_kg_per_day"]), float(ps["cascade_usable_share"]),
                   pressure, float(ps.get("precooling_kw_per_hose", 0.0)),
                   float(ps.get("precooling_capex_cny_per_kw", 0.0)),
                   {c: float(ps[f"{c}_life_years"]) for c in REPLACED_COMPONENTS if f"{c}_life_years" in ps})

    def base_hoses(self, capacity_kg_per_day) -> np.ndarray:
        """Hoses of a station's base design: capacity x hoses per kg/day, rounded up, >= 1."""
        return np.maximum(np.ceil(np.asarray(capacity_kg_per_day, float) * self.hoses_per_kg_per_day - 1e-9),
                          1).astype(np.int64)

    def hourly(self, kg_by_segment):
        """:func:`hourly_fills` with these inputs."""
        return hourly_fills(kg_by_segment, self.profile, self.kg_per_fill, self.minutes_per_fill,
                            self.peak_day_factor)


# --- station-years ---------------------------------------------------------------------------


def segment_mix(kg_by_segment) -> np.ndarray:
    """Each row's share of kg by segment; equal shares where a row has no load by segment
    (a station-year without segment loads is taken to serve every segment alike)."""
    q = np.asarray(kg_by_segment, float)
    tot = q.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tot > 0, q / tot, 1.0 / q.shape[1])


def peak_feasible_kg_per_day(inputs: PeakInputs, mix, hoses) -> np.ndarray:
    """Most kg/day a station with ``hoses`` serves at the service level, for its segment
    ``mix`` (shares of kg; fills scale with the load, so the limit is the tightest hour's
    :func:`max_fills_per_hour` over its fills per kg/day).

    Returns
    -------
    numpy.ndarray, shape (n,)
        kg/day (inf where the mix has no fills).
    """
    fills, _, tau = inputs.hourly(mix)  # per 1 kg/day of load
    lam_max = max_fills_per_hour(np.asarray(hoses)[:, None], tau, inputs.wait_minutes, inputs.service_share)
    with np.errstate(divide="ignore"):  # a hair inside the boundary: rounding must not ask for a hose more
        return np.where(fills > 0, lam_max * (1.0 - 1e-9) / fills, np.inf).min(axis=1)


def usable_kg_per_day(inputs: PeakInputs, mix, capacity_kg_per_day, max_capacity_factor: float) -> np.ndarray:
    r"""Most kg/day a station sells with peak sizing: the capacity-factor limit or what its
    base design's hoses serve at the service level, whichever is lower,

    .. math:: U = \min\big(\phi\,Q,\ F(\text{mix}, c(Q))\big)

    with :math:`\phi` = ``max_capacity_factor``, :math:`c(Q)` the base hoses
    (:meth:`PeakInputs.base_hoses`) and :math:`F` :func:`peak_feasible_kg_per_day`. The one
    rule of the usable capacity under ``Network.peak_sizing = 1``: station economics caps
    each station-year's sales at it (its own segment mix) and the network plan derates its
    capacity rows by it (:func:`plan_usable_shares`, the district mix).

    Parameters
    ----------
    inputs : PeakInputs
    mix : array_like, shape (n, n_segments)
        Share of kg by segment (rows sum to 1).
    capacity_kg_per_day : array_like, shape (n,)
        Installed capacity, kg/day (24 h basis).
    max_capacity_factor : float
        ``Network.max_capacity_factor`` (fraction).

    Returns
    -------
    numpy.ndarray, shape (n,)
        kg/day.

    Examples
    --------
    Every fill in one hour, 10 kg per 6-minute fill, one hose (1 per 1000 kg/day) and no
    wait allowed: M/M/1 waits with probability :math:`\rho`, so 95 % served at once needs
    :math:`\lambda \le 0.05 \times 10` fills/h, i.e. 5 kg/day; a 5 kg/day station keeps
    its capacity-factor limit, 0.8 x 5.

    >>> prof = np.zeros((1, 24)); prof[0, 20] = 1.0
    >>> inp = PeakInputs(("bus_12m",), prof, np.array([10.0]), np.array([6.0]), 0.95, 0.0, 1.0,
    ...                  1 / 1000, 0.25, 0.5)
    >>> usable_kg_per_day(inp, [[1.0], [1.0]], [1000.0, 5.0], 0.8).round(6).tolist()
    [5.0, 4.0]
    """
    cap = np.asarray(capacity_kg_per_day, float)
    return np.minimum(max_capacity_factor * cap,
                      peak_feasible_kg_per_day(inputs, np.asarray(mix, float), inputs.base_hoses(cap)))


def _mix_by_district_year(inputs: PeakInputs, demand_by_district: pd.DataFrame, districts, years):
    """Share of kg by segment of each district and year, shape (D + 1, T, n_segments); row
    D is the whole case's mix (for a district without demand; equal shares in a year
    without any)."""
    t = demand_by_district
    k = pd.Index(inputs.segments).get_indexer(t["segment"].astype(str))
    kg = t["h2_kg_per_day"].to_numpy(float)
    if np.any((kg > 0) & (k < 0)):
        raise ValueError("demand by district: a segment without a RefuellingProfile row: "
                         f"{t['segment'].astype(str)[(kg > 0) & (k < 0)].iloc[0]!r}")
    d = pd.Index(districts).get_indexer(t["district"].astype(object))
    y = pd.Index(years).get_indexer(t["year"].to_numpy(np.int64))
    keep = (k >= 0) & (y >= 0) & (kg > 0)
    q = np.zeros((len(districts) + 1, len(years), len(inputs.segments)))
    np.add.at(q[-1], (y[keep], k[keep]), kg[keep])  # the whole case, sites' districts or not
    mine = keep & (d >= 0)
    np.add.at(q, (d[mine], y[mine], k[mine]), kg[mine])
    n_seg = len(inputs.segments)
    mix = segment_mix(q.reshape(-1, n_seg)).reshape(q.shape)
    no_load = q.sum(axis=2) == 0
    return np.where(no_load[:, :, None] & ~no_load[-1][None, :, None], mix[-1][None], mix)


def plan_usable_shares(inputs: PeakInputs, demand_by_district: pd.DataFrame, site_district,
                       module_capacity_kg_per_day, existing_capacity_kg_per_day, period_years,
                       max_capacity_factor: float) -> tuple[np.ndarray, np.ndarray]:
    """The network plan's usable share of each module and existing station (sales per
    kg/day of capacity) with peak sizing: :func:`usable_kg_per_day` / capacity.

    The plan does not know a station's segment mix before it assigns demand, so it takes
    the **mix of the demand in the site's district** in the period's year (the whole
    case's where the district has none), and sizes the hoses of **each module on its
    own** (:meth:`PeakInputs.base_hoses` of the module's capacity). Hoses of several
    modules at one site pool their queue and serve more than the sum of their parts, so
    the plan is conservative there; station economics then caps each station-year at the
    same rule with the station's own mix and total capacity (:func:`usable_kg_per_day`).

    Parameters
    ----------
    inputs : PeakInputs
    demand_by_district : pandas.DataFrame
        ``year, district, segment, h2_kg_per_day`` (:class:`h2model.fleet.FleetResult`).
    site_district : array_like of str, shape (S,)
    module_capacity_kg_per_day : array_like, shape (M,)
    existing_capacity_kg_per_day : array_like, shape (S,)
        0 for a candidate site.
    period_years : array_like of int, shape (T,)
    max_capacity_factor : float

    Returns
    -------
    module_share : numpy.ndarray, shape (S, M, T)
        Usable share of one module at each site and period (fraction, at most
        ``max_capacity_factor``).
    existing_share : numpy.ndarray, shape (S, T)
        Usable share of each site's existing capacity (``max_capacity_factor`` where
        there is none).
    """
    site_district = np.asarray(site_district, dtype=object)
    districts = pd.unique(site_district)
    years = np.asarray(period_years, dtype=np.int64)
    mix = _mix_by_district_year(inputs, demand_by_district, districts, years)  # (D + 1, T, n_seg)
    n_d, n_t, n_seg = mix.shape
    q_m = np.asarray(module_capacity_kg_per_day, float)
    rows = np.repeat(mix.reshape(-1, n_seg), len(q_m), axis=0)  # (D+1)*T*M rows: distinct mixes only
    cap = np.tile(q_m, n_d * n_t)
    share_dm = (usable_kg_per_day(inputs, rows, cap, max_capacity_factor) / cap).reshape(n_d, n_t, len(q_m))
    di = pd.Index(districts).get_indexer(site_district)
    module_share = share_dm[di].transpose(0, 2, 1)  # (S, M, T)
    e = np.asarray(existing_capacity_kg_per_day, float)
    has = e > 0
    e_rows = mix[di[has]].reshape(-1, n_seg)  # (n_has * T, n_seg)
    e_cap = np.repeat(e[has], n_t)
    existing_share = np.full((len(e), n_t), float(max_capacity_factor))
    existing_share[has] = (usable_kg_per_day(inputs, e_rows, e_cap, max_capacity_factor)
                           / e_cap).reshape(-1, n_t)
    return module_share, existing_share


def size_components(inputs: PeakInputs, kg_by_segment, capacity_kg_per_day,
                    station_pressure_mpa=None) -> dict[str, np.ndarray]:
    """Peak hour and component sizes of station-years at their loads by segment.

    Parameters
    ----------
    inputs : PeakInputs
    kg_by_segment : array_like, shape (n, n_segments)
        kg/day by segment (in ``inputs.segments`` order).
    capacity_kg_per_day : array_like, shape (n,)
        Installed capacity (kg/day, 24 h basis).

    Returns
    -------
    dict of str to numpy.ndarray, shape (n,)
        ``peak_fills_per_hour`` and ``peak_kg_per_hour`` (design day's busiest hour by
        fills); ``hoses_needed`` (service level in every hour) and ``base_hoses``;
        ``compressor_kg_per_hour`` (max of base, capacity / 24, and design-day kg / 24)
        and ``base_compressor_kg_per_hour``; ``storage_kg`` (installed cascade needed:
        :func:`storage_buffer_kg` / usable share, at least the base) and
        ``base_storage_kg``; ``precooling_kw`` (refrigeration for the 70 MPa fills, HDSAM's
        one pre-cooler per hose: ``precooling_kw_per_hose`` x the hoses the 70 MPa fills
        alone need in their peak hour at the service level) and ``base_precooling_kw``
        (every base hose of a 70 MPa station, none at a 35 MPa one: ``station_pressure_mpa``,
        default 35).
    """
    q = np.asarray(kg_by_segment, float)
    cap = np.asarray(capacity_kg_per_day, float)
    fills, kg, tau = inputs.hourly(q)
    peak = np.argmax(fills, axis=1)
    rows = np.arange(len(q))
    base_comp = cap / HOURS_PER_DAY
    comp = np.maximum(base_comp, kg.sum(axis=1) / HOURS_PER_DAY)
    base_storage = inputs.storage_kg_per_kg_per_day * cap
    return {
        "peak_fills_per_hour": fills[rows, peak],
        "peak_kg_per_hour": kg[rows, peak],
        "hoses_needed": hoses_needed(fills, tau, inputs.wait_minutes, inputs.service_share).max(axis=1,
                                                                                               initial=0),
        "base_hoses": inputs.base_hoses(cap),
        "compressor_kg_per_hour": comp,
        "base_compressor_kg_per_hour": base_comp,
        "storage_kg": np.maximum(storage_buffer_kg(kg, comp) / inputs.usable_share, base_storage),
        "base_storage_kg": base_storage,
        **_precooling_kw(inputs, q, cap, station_pressure_mpa),
    }


def _precooling_kw(inputs: PeakInputs, kg_by_segment, capacity_kg_per_day, station_pressure_mpa):
    """``precooling_kw`` and ``base_precooling_kw`` of :func:`size_components`."""
    n = len(kg_by_segment)
    pressure = inputs.fill_pressure_mpa if inputs.fill_pressure_mpa is not None else np.full(
        len(inputs.segments), 35.0)
    cold = (pressure >= PRECOOLED_FILL_MPA).astype(float)
    fills, _, tau = inputs.hourly(kg_by_segment * cold[None, :])
    hoses = hoses_needed(fills, tau, inputs.wait_minutes, inputs.service_share).max(axis=1, initial=0)
    st_p = np.broadcast_to(np.asarray(35.0 if station_pressure_mpa is None else station_pressure_mpa,
                                      float), (n,))
    base = np.where(st_p >= PRECOOLED_FILL_MPA, inputs.base_hoses(capacity_kg_per_day), 0)
    return {"precooling_kw": inputs.precooling_kw_per_hose * hoses,
            "base_precooling_kw": inputs.precooling_kw_per_hose * base.astype(float)}


def extra_component_capex_cny(sizes: dict[str, np.ndarray], component_capex: dict[str, np.ndarray],
                              precooling_capex_cny_per_kw: float = 0.0):
    """Capex (CNY) of the hoses, compressor throughput, storage and pre-cooling that
    ``sizes`` (:func:`size_components`) needs beyond the base design, each at the unit
    cost of the station's own component: ``component_capex`` ``compressor``, ``storage``,
    ``dispenser``, ``precooling`` (CNY of the base design, leading draws axes allowed)
    over the base design's kg/h, kg, hoses and kW; pre-cooling at a station whose base
    design has none (35 MPa) at ``precooling_capex_cny_per_kw``."""
    def extra(name, need, base, fallback=0.0):
        with np.errstate(divide="ignore", invalid="ignore"):
            unit = np.where(base > 0, component_capex[name] / np.where(base > 0, base, 1.0), fallback)
        return unit * np.maximum(need - base, 0.0)

    out = (extra("compressor", sizes["compressor_kg_per_hour"], sizes["base_compressor_kg_per_hour"])
           + extra("storage", sizes["storage_kg"], sizes["base_storage_kg"])
           + extra("dispenser", sizes["hoses_needed"].astype(float), sizes["base_hoses"].astype(float)))
    if "precooling_kw" in sizes and "precooling" in component_capex:
        out = out + extra("precooling", sizes["precooling_kw"], sizes["base_precooling_kw"],
                          precooling_capex_cny_per_kw)
    return out


def station_segment_loads(vehicles: pd.DataFrame, assignment: pd.DataFrame) -> pd.DataFrame:
    """kg/day by station, year and segment: each demand node's flow to a station split by
    the node's kg by segment of the vehicles in service that year.

    Parameters
    ----------
    vehicles : pandas.DataFrame
        The fleet's vehicles (``segment, depot_id, purchase_year, retire_year,
        h2_kg_per_day``; :class:`h2model.fleet.FleetResult`).
    assignment : pandas.DataFrame
        ``year, depot_id, station_id, h2_kg_per_day`` (the fleet's station assignment).

    Returns
    -------
    pandas.DataFrame
        ``year, station_id, segment, h2_kg_per_day`` (rows with load only).
    """
    from .fleet import in_service_totals

    cols = ["year", "station_id", "segment", "h2_kg_per_day"]
    if not len(assignment) or not len(vehicles):
        return pd.DataFrame({c: pd.Series([], dtype=object if c in ("station_id", "segment") else float)
                             for c in cols})
    years = np.arange(int(assignment["year"].min()), int(assignment["year"].max()) + 1)
    nodes = pd.Index(pd.unique(vehicles["depot_id"].astype(object)))
    segs = pd.Index(sorted(set(vehicles["segment"].astype(str))))
    g = nodes.get_indexer(vehicles["depot_id"].astype(object)) * len(segs) + segs.get_indexer(
        vehicles["segment"].astype(str))
    kg = in_service_totals(g, len(nodes) * len(segs), vehicles["purchase_year"].to_numpy(np.int64),
                           vehicles["retire_year"].to_numpy(np.int64), years,
                           vehicles["h2_kg_per_day"].to_numpy(float))
    kg = kg.reshape(len(nodes), len(segs), len(years))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.nan_to_num(kg / kg.sum(axis=1, keepdims=True))
    ni = nodes.get_indexer(assignment["depot_id"].astype(object))
    yi = assignment["year"].to_numpy(np.int64) - years[0]
    flow = assignment["h2_kg_per_day"].to_numpy(float)[:, None] * np.where(
        (ni >= 0)[:, None], share[np.maximum(ni, 0), :, yi], 0.0)
    long = pd.DataFrame({"year": np.repeat(assignment["year"].to_numpy(np.int64), len(segs)),
                         "station_id": np.repeat(assignment["station_id"].to_numpy(object), len(segs)),
                         "segment": np.tile(segs.to_numpy(object), len(assignment)),
                         "h2_kg_per_day": flow.ravel()})
    long = long[long["h2_kg_per_day"] > 0]
    return long.groupby(["year", "station_id", "segment"], as_index=False, sort=True)["h2_kg_per_day"].sum()
