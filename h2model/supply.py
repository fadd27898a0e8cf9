"""Delivered hydrogen cost: production + purification + delivery, source x station.

Delivery by 20 MPa tube trailer is costed from first principles (trailer and tractor
capital, payload, trips per day, driver and fuel) and depends on road distance;
liquid hydrogen and pipeline are alternatives. Everything broadcasts: pass arrays of
distances of any shape (sources x stations, draws x sources x stations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .finance import capital_recovery_factor, ex_vat

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


def road_distance_km(lon1, lat1, lon2, lat2, circuity: float) -> np.ndarray:
    """Road distance in km: great-circle distance times a circuity factor (-)."""
    return haversine_km(lon1, lat1, lon2, lat2) * circuity


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
    """Liquid-hydrogen delivery cost, CNY/kg: liquefaction/terminal plus haul by distance."""
    return fixed_cny_per_kg + cny_per_kg_per_100km * np.asarray(distance_km, dtype=float) / 100.0


def pipeline_cny_per_kg(distance_km, kg_per_day, capex_cny_per_km, om_share, life_years,
                        discount_rate) -> np.ndarray:
    """Pipeline delivery cost, CNY/kg, for a dedicated line carrying ``kg_per_day``."""
    d = np.asarray(distance_km, dtype=float)
    annual = d * capex_cny_per_km * (capital_recovery_factor(discount_rate, life_years) + om_share)
    with np.errstate(divide="ignore"):
        return annual / (np.asarray(kg_per_day, dtype=float) * 365.0)


def delivered_cost_from_case(case, year: int | None = None) -> pd.DataFrame:
    """Delivered hydrogen cost for every (supply source, station) pair.

    Tube trailer is the delivery mode (the mode of every Guangzhou station today);
    the cheaper of tube trailer and liquid is taken where liquid is cheaper (long
    distances). Stations producing on site (``onsite_electrolysis``) pay no delivery
    from their own source. Costs are ex VAT (a station cost): the VAT-inclusive
    diesel price is divided by ``1 + Finance.diesel_vat_rate``.

    Returns
    -------
    pandas.DataFrame
        Columns ``supply_id, station_id, distance_km, production_cny_per_kg,
        purification_cny_per_kg, delivery_cny_per_kg, delivered_cny_per_kg,
        delivery_mode``; one row per pair (sources x stations).
    """
    sup = case["Supply"]
    st = case["Stations"]
    dl = case.params["Delivery"]
    fin = case.finance
    prices = case["Prices"].set_index("year")
    year = int(year if year is not None else fin["price_year"])
    year = min(max(year, int(prices.index.min())), int(prices.index.max()))
    # Ex VAT: the delivery cost is a station cost and its diesel input VAT is credited.
    diesel = ex_vat(float(prices.loc[year, "diesel_cny_per_l"]), fin["diesel_vat_rate"])
    dist = road_distance_km(
        sup["longitude"].to_numpy()[:, None], sup["latitude"].to_numpy()[:, None],
        st["longitude"].to_numpy()[None, :], st["latitude"].to_numpy()[None, :],
        dl["road_circuity_factor"])
    tube = tube_trailer_cny_per_kg(dist, TubeTrailer.from_mapping(dl), fin["discount_rate"], diesel)
    liquid = liquid_cny_per_kg(dist, dl["liquid_fixed_cny_per_kg"], dl["liquid_cny_per_kg_per_100km"])
    onsite = ((st["station_type"].to_numpy() == "onsite_electrolysis")[None, :]
              & (sup["supply_id"].to_numpy()[:, None] == st["supply_id"].to_numpy()[None, :]))
    delivery = np.where(onsite, 0.0, np.minimum(tube, liquid))
    mode = np.where(onsite, "onsite", np.where(liquid < tube, "liquid", "tube_trailer"))
    n_s, n_t = dist.shape
    production = np.repeat(sup["production_cost_cny_per_kg"].to_numpy(), n_t)
    purification = np.repeat(sup["purification_cost_cny_per_kg"].to_numpy(), n_t)
    return pd.DataFrame({
        "supply_id": np.repeat(sup["supply_id"].to_numpy(), n_t),
        "station_id": np.tile(st["station_id"].to_numpy(), n_s),
        "distance_km": dist.ravel(),
        "production_cny_per_kg": production,
        "purification_cny_per_kg": purification,
        "delivery_cny_per_kg": delivery.ravel(),
        "delivered_cny_per_kg": production + purification + delivery.ravel(),
        "delivery_mode": mode.ravel(),
    })
