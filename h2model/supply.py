"""Delivered hydrogen cost: production + purification + delivery, source x station.

Delivery by 20 MPa tube trailer is costed from first principles (trailer and tractor
capital, payload, trips per day, driver and fuel) and depends on road distance;
liquid hydrogen is the alternative. :func:`delivery_cost` is the model's one delivery
rule (station economics, the network plan and the pair table call it) and
:func:`road_km` its one road distance. Everything broadcasts: pass arrays of any
shape (sources x stations x years, draws x ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .finance import capital_recovery_factor, ex_vat
from .params import as_params

#: Mean Earth radius, km (IUGG mean radius R1).
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lon1, lat1, lon2, lat2):
    r"""Great-circle distance between points, km (vectorised, broadcasting).

    .. math::

        d = 2R \arcsin\sqrt{\sin^2\frac{\phi_2-\phi_1}{2}
            + \cos\phi_1\cos\phi_2\sin^2\frac{\lambda_2-\lambda_1}{2}}

    Parameters
    ----------
    lon1, lat1 : array_like
        Longitude and latitude of the first points, degrees.
    lon2, lat2 : array_like
        Longitude and latitude of the second points, degrees; broadcast against
        the first.

    Returns
    -------
    numpy.ndarray
        Distance, km, with :data:`EARTH_RADIUS_KM` as the radius *R*.

    References
    ----------
    .. [1] R. W. Sinnott, "Virtues of the Haversine", Sky and Telescope 68(2), 159 (1984).

    Examples
    --------
    One degree of latitude:

    >>> round(float(haversine_km(113.0, 23.0, 113.0, 24.0)), 3)
    111.195
    >>> round(float(haversine_km(113.26, 23.13, 113.46, 23.10)), 1)  # Tianhe to Huangpu
    20.7
    """
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def road_km(lon1, lat1, lon2, lat2, circuity):
    """Road distance estimated as great-circle distance times a circuity factor, km.

    The model's one road-distance rule (delivery, the network plan's detours and the
    fleet's depot-to-station distances).

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : array_like
        Coordinates, degrees (see :func:`haversine_km`).
    circuity : float or array_like
        Ratio of road to straight-line distance, dimensionless (about 1.2-1.4 in
        cities; ``Delivery.road_circuity_factor``); broadcasts.

    Returns
    -------
    numpy.ndarray
        Road distance, km.

    References
    ----------
    .. [1] D. Ballou, H. Rahardja, N. Sakai, "Selected country circuity factors for
       road travel distance estimation", Transportation Research Part A 36 (2002)
       843-848.

    Examples
    --------
    >>> round(float(road_km(113.0, 23.0, 113.0, 24.0, circuity=1.3)), 2)
    144.55
    """
    return np.asarray(circuity, dtype=float) * haversine_km(lon1, lat1, lon2, lat2)


@dataclass(frozen=True)
class TubeTrailer:
    """20 MPa tube-trailer delivery parameters (the Delivery sheet's keys).

    All money in CNY of the case's price year.
    """

    trailer_payload_kg: float
    trailer_capex_cny: float
    tractor_capex_cny: float
    trailer_life_years: float
    tractor_life_years: float
    trailer_om_share_per_year: float
    truck_speed_km_per_h: float
    load_unload_h_per_trip: float
    operating_hours_per_day: float
    operating_days_per_year: float
    driver_cny_per_h: float
    truck_diesel_l_per_100km: float
    filling_cny_per_kg: float

    @classmethod
    def from_mapping(cls, d: dict) -> TubeTrailer:
        return cls(**{k: float(d[k]) for k in cls.__dataclass_fields__})


def tube_trailer_cny_per_kg(distance_km, trailer: TubeTrailer, discount_rate, diesel_cny_per_l):
    r"""Cost of delivering hydrogen by 20 MPa tube trailer, CNY/kg (broadcasting).

    A trailer set (tractor + tube trailer) shuttles between source and station. One
    round trip takes :math:`t = 2d/v + t_{lu}` hours, so a set makes
    :math:`n = H/t` trips a day on :math:`D` days a year and delivers
    :math:`K = n D P` kg a year with payload :math:`P`.

    .. math::

        c = \frac{(C_{tr}\,\mathrm{CRF}_{tr} + C_{tc}\,\mathrm{CRF}_{tc})
                  + m (C_{tr} + C_{tc})}{K}
            + \frac{w t + 2 d f p_d / 100}{P} + c_{fill}

    Parameters
    ----------
    distance_km : array_like
        One-way road distance, km.
    trailer : TubeTrailer
        Trailer parameters (payload kg, capex CNY, lives years, O&M share/year, speed
        km/h, load/unload h/trip, hours/day, days/year, driver CNY/h, diesel L/100 km,
        filling CNY/kg).
    discount_rate : float or array_like
        Real discount rate, 1/year.
    diesel_cny_per_l : float or array_like
        Diesel price, CNY/L.

    Returns
    -------
    numpy.ndarray
        Delivery cost, CNY/kg, shaped like the broadcast inputs.

    References
    ----------
    Structure after the tube-trailer module of Argonne's HDSAM (Hydrogen Delivery
    Scenario Analysis Model); parameter values from the Delivery sheet's sources.

    >>> tt = TubeTrailer(300, 1.2e6, 4e5, 20, 10, 0.03, 50, 3, 20, 330, 60, 30, 1.5)
    >>> c = tube_trailer_cny_per_kg([10, 50, 100], tt, 0.08, 7.5)
    >>> bool(c[0] < c[1] < c[2])
    True
    """
    t = trailer
    d = np.asarray(distance_km, dtype=float)
    trip_h = 2.0 * d / t.truck_speed_km_per_h + t.load_unload_h_per_trip
    trips_per_year = t.operating_hours_per_day / trip_h * t.operating_days_per_year
    kg_per_year = trips_per_year * t.trailer_payload_kg
    capital = (t.trailer_capex_cny * capital_recovery_factor(discount_rate, t.trailer_life_years)
               + t.tractor_capex_cny * capital_recovery_factor(discount_rate, t.tractor_life_years))
    om = t.trailer_om_share_per_year * (t.trailer_capex_cny + t.tractor_capex_cny)
    per_trip = t.driver_cny_per_h * trip_h + 2.0 * d * t.truck_diesel_l_per_100km / 100.0 * np.asarray(
        diesel_cny_per_l, dtype=float)
    return (capital + om) / kg_per_year + per_trip / t.trailer_payload_kg + t.filling_cny_per_kg


def liquid_cny_per_kg(distance_km, fixed_cny_per_kg, cny_per_kg_per_100km) -> np.ndarray:
    """Liquid-hydrogen delivery cost, CNY/kg: liquefaction/terminal plus haul by distance.

    >>> float(liquid_cny_per_kg(200.0, 9.5, 1.0))
    11.5
    """
    return fixed_cny_per_kg + cny_per_kg_per_100km * np.asarray(distance_km, dtype=float) / 100.0


# --- the delivery rule ------------------------------------------------------------------

#: Delivery modes (:func:`delivery_mode`).
DELIVERY_MODES = ("onsite", "tube_trailer", "liquid")


@dataclass(frozen=True)
class DeliveryCost:
    """Delivery of hydrogen from sources to stations (see :func:`delivery_cost`).

    All arrays have the broadcast shape of the (source, station, year) arguments,
    led by the axes of any drawn inputs.

    Attributes
    ----------
    cny_per_kg : numpy.ndarray
        Delivery cost, CNY/kg: zero for a station's own on-site production, else the
        cheaper of tube trailer and liquid hydrogen.
    distance_km : numpy.ndarray
        Road distance from the source to the station, km.
    own : numpy.ndarray of bool
        The source is the station's own on-site production.
    liquid : numpy.ndarray of bool
        Liquid hydrogen is the cheaper mode (never for own production).
    """

    cny_per_kg: np.ndarray
    distance_km: np.ndarray
    own: np.ndarray
    liquid: np.ndarray

    @property
    def mode(self) -> np.ndarray:
        """Delivery mode of each element (:func:`delivery_mode`)."""
        return delivery_mode(self.own, self.liquid)


def delivery_mode(own, liquid) -> np.ndarray:
    """Delivery mode, ``onsite``, ``tube_trailer`` or ``liquid`` (object array), from
    :class:`DeliveryCost`'s ``own`` and ``liquid`` flags.

    >>> delivery_mode([True, False, False], [False, False, True]).tolist()
    ['onsite', 'tube_trailer', 'liquid']
    """
    code = np.where(own, 0, np.where(liquid, 2, 1))
    return np.asarray(DELIVERY_MODES, dtype=object)[code]


def own_supply_rows(case, stations: pd.DataFrame | None = None) -> np.ndarray:
    """Row of ``Supply`` that is each station's own on-site production, -1 where none.

    A station produces on site when its ``station_type`` is ``onsite_electrolysis``;
    its own source is its ``supply_id`` in the case's ``Stations`` sheet (the
    station row's own ``supply_id`` for a station not in the sheet), so that a
    station bought elsewhere by a plan does not turn that purchase into on-site
    production.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Stations`` and ``Supply``.
    stations : pandas.DataFrame, optional
        ``station_id, station_type, supply_id`` of the stations; default the case's
        ``Stations``.

    Returns
    -------
    numpy.ndarray of int, shape (n_stations,)

    Examples
    --------
    >>> from h2model.inputs import load_case, DEFAULT_CASE
    >>> case = load_case(DEFAULT_CASE)
    >>> st = case["Stations"]
    >>> rows = own_supply_rows(case)[st["station_id"].isin(["NS-P05", "HP-E1"]).to_numpy()]
    >>> case["Supply"]["supply_id"].to_numpy()[rows[rows >= 0]].tolist(), int(rows.min())
    (['nansha_onsite_grid'], -1)
    """
    st = case["Stations"] if stations is None else stations
    sheet = case["Stations"].set_index("station_id")["supply_id"].astype(object)
    ids = st["station_id"].astype(object)
    own_id = sheet.reindex(ids).to_numpy(object)
    own_id = np.where(pd.isna(own_id), st["supply_id"].to_numpy(object), own_id)
    j = pd.Index(case["Supply"]["supply_id"].astype(object)).get_indexer(own_id)
    onsite = st["station_type"].to_numpy(object) == "onsite_electrolysis"
    return np.where(onsite & (j >= 0), j, -1).astype(np.int64)


def delivery_cost(params, source, station, year, *, stations: pd.DataFrame | None = None,
                  discount_rate=None) -> DeliveryCost:
    """Delivery cost of hydrogen from sources to stations in calendar years, CNY/kg.

    The one delivery rule of the model: zero exactly when the source is the
    station's own on-site production (:func:`own_supply_rows`); otherwise the cheaper
    of a 20 MPa tube trailer (:func:`tube_trailer_cny_per_kg`, at the year's
    ``Prices.diesel_cny_per_l`` ex VAT (``Finance.diesel_vat_rate``) and
    the discount rate: ``discount_rate``, default ``Finance.discount_rate``) and liquid hydrogen
    (:func:`liquid_cny_per_kg`), over the road distance (:func:`road_km` with
    ``Delivery.road_circuity_factor``). Station economics, the network plan and the
    source-station table (:func:`delivered_cost_from_case`) all call it.

    Parameters
    ----------
    params : h2model.params.Params or Case
        Reads ``Supply``, ``Stations``, ``Delivery``, ``Prices`` and ``Finance``. Drawn
        ``Delivery`` keys and ``Finance.discount_rate`` (arrays ``(...)``) and
        ``Prices.diesel_cny_per_l`` (``(..., n_rows of Prices)``) add leading (draws)
        axes to every output.
    source : array_like of int
        Row of ``Supply`` of each element.
    station : array_like of int
        Row of ``stations`` of each element.
    year : array_like of int
        Calendar year of each element (clamped to the years of ``Prices``).
        ``source``, ``station`` and ``year`` broadcast against each other.
    stations : pandas.DataFrame, optional
        ``station_id, station_type, supply_id, longitude, latitude`` of the stations
        (e.g. :func:`h2model.station.analysed_stations`); default the case's
        ``Stations``.
    discount_rate : float or array_like, optional
        Real discount rate of the trailer's capital (1/year), broadcastable against
        the output ``(..., *source.shape)`` (e.g. the finance engine's rates ``(..., 1)``
        against a row axis). Default: ``Finance.discount_rate`` of ``params`` (drawn or
        not). Station economics passes the rate of
        its ``finance`` here, so the capital of the station and of its delivery are
        charged at one rate.

    Returns
    -------
    DeliveryCost

    Examples
    --------
    NS-P05 produces on site from ``nansha_onsite_grid`` and pays no delivery for it;
    from the Nansha by-product source 8.5 road-km away it pays the tube trailer:

    >>> from h2model.inputs import load_case, DEFAULT_CASE
    >>> case = load_case(DEFAULT_CASE)
    >>> sup, st = case["Supply"]["supply_id"].tolist(), case["Stations"]["station_id"].tolist()
    >>> d = delivery_cost(case, [sup.index("nansha_onsite_grid"), sup.index("nansha_chem_byproduct")],
    ...                   st.index("NS-P05"), 2025)
    >>> d.mode.tolist(), round(float(d.cny_per_kg[0]), 2), round(float(d.distance_km[1]), 1)
    (['onsite', 'tube_trailer'], 0.0, 8.5)
    """
    p = as_params(params)
    st = p["Stations"] if stations is None else stations
    sup = p["Supply"]
    source, station, year = np.broadcast_arrays(np.asarray(source, dtype=np.int64),
                                                np.asarray(station, dtype=np.int64),
                                                np.asarray(year, dtype=np.int64))
    n = source.ndim

    def par(key, sheet="Delivery"):
        return p.par(sheet, key, trailing=n)

    km = road_km(sup["longitude"].to_numpy(float)[source], sup["latitude"].to_numpy(float)[source],
                 st["longitude"].to_numpy(float)[station], st["latitude"].to_numpy(float)[station],
                 par("road_circuity_factor"))
    trailer = TubeTrailer(**{k: par(k) for k in TubeTrailer.__dataclass_fields__})
    # Ex VAT: delivery is a station cost and the diesel's input VAT is credited.
    diesel = ex_vat(p.by_year("diesel_cny_per_l", year), par("diesel_vat_rate", "Finance"))
    rate = par("discount_rate", "Finance") if discount_rate is None else discount_rate
    tube = tube_trailer_cny_per_kg(km, trailer, rate, diesel)
    liquid = liquid_cny_per_kg(km, par("liquid_fixed_cny_per_kg"), par("liquid_cny_per_kg_per_100km"))
    own = np.broadcast_to(own_supply_rows(p, st)[station] == source, tube.shape)
    return DeliveryCost(cny_per_kg=np.where(own, 0.0, np.minimum(tube, liquid)),
                        distance_km=np.broadcast_to(km, tube.shape), own=own, liquid=~own & (liquid < tube))


def delivered_cost_from_case(case, year: int | None = None) -> pd.DataFrame:
    """Delivered hydrogen cost for every (supply source, station) pair in one year.

    Production and purification of the source plus its delivery to the station
    (:func:`delivery_cost`) in ``year`` (default the case's price year).
    Costs are ex VAT (a station cost): the VAT-inclusive diesel price is divided by
    ``1 + Finance.diesel_vat_rate`` (:func:`delivery_cost`).

    Returns
    -------
    pandas.DataFrame
        Columns ``supply_id, station_id, distance_km, production_cny_per_kg,
        purification_cny_per_kg, delivery_cny_per_kg, delivered_cny_per_kg,
        delivery_mode``; one row per pair (sources x stations).
    """
    p = as_params(case)
    sup = p["Supply"]
    st = p["Stations"]
    year = int(year if year is not None else p.price_year)
    n_s, n_t = len(sup), len(st)
    d = delivery_cost(p, np.arange(n_s)[:, None], np.arange(n_t)[None, :], year)
    production = np.repeat(p.col("Supply", "production_cost_cny_per_kg"), n_t)
    purification = np.repeat(p.col("Supply", "purification_cost_cny_per_kg"), n_t)
    return pd.DataFrame({
        "supply_id": np.repeat(sup["supply_id"].to_numpy(), n_t),
        "station_id": np.tile(st["station_id"].to_numpy(), n_s),
        "distance_km": d.distance_km.ravel(),
        "production_cny_per_kg": production,
        "purification_cny_per_kg": purification,
        "delivery_cny_per_kg": d.cny_per_kg.ravel(),
        "delivered_cny_per_kg": production + purification + d.cny_per_kg.ravel(),
        "delivery_mode": d.mode.ravel(),
    })
