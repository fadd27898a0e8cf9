"""Well-to-wheel CO2 of fuel-cell, battery-electric and diesel vehicles, and abatement cost.

Per km, well to wheel (production and delivery of the energy plus its use):

* FCEV: hydrogen use x the CO2 of the hydrogen's source, which is the source's process
  CO2 plus the grid electricity it uses (electrolysis) at the year's grid factor, plus
  the station's own electricity for compression and cooling where the case gives it
  (``StationCosts.electricity_kwh_per_kg``); :func:`h2_co2_kg_per_kg`;
* BEV: electricity at the wheel / charging efficiency x the grid factor;
* diesel: litres x a well-to-wheel factor per litre.

The FCEV fleet's CO2 avoided is what diesel vehicles of the same segments would emit
over the same kilometres, less the FCEVs' own; the abatement cost is the TCO difference
between an FCEV and a diesel vehicle divided by the CO2 avoided over its life (both
discounted, :func:`abatement_cost_cny_per_t`). It is reported twice, because subsidies
are transfers between the state and the buyer, not resource savings: **social** (no
vehicle subsidies, hydrogen at the stations' unsubsidised break-even price) and
**private** (what the buyer sees: net of subsidies, at the subsidised price).

Not counted: hydrogen delivery (tube-trailer diesel), vehicle manufacture, and CO2
other than from fuel and electricity (a gap; see the module's report).

>>> round(float(diesel_co2_kg_per_km(30.0)), 3)
0.972
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .finance import present_value
from .fleet import OPEN_STATUSES
from .prices import year_path
from .tco import tco_from_case

#: Well-to-wheel CO2-equivalent of fossil diesel, kg CO2e/L (EN 16258:2012, Annex A:
#: 3.90 kg CO2e/kg WTW, 2.67 kg/L tank-to-wheel, at 0.832 kg/L). Chinese refining and
#: crude supply may differ by a few per cent; pass another factor to change it.
DIESEL_WTW_CO2_KG_PER_L = 3.24

#: Share of the electricity drawn from the grid that reaches the battery (-). An
#: assumption: measured losses in charging are about 10-15 % at high charging power
#: (Apostolaki-Iosifidou et al. 2017); the grid factor covers generation and networks.
BEV_CHARGING_EFFICIENCY = 0.90


def h2_co2_kg_per_kg(process_co2_kg_per_kg, electricity_kwh_per_kg, grid_co2_kg_per_kwh,
                     station_kwh_per_kg=0.0) -> np.ndarray:
    """Well-to-tank CO2 of hydrogen from one source.

    .. math:: f_{H_2} = c_p + (e_s + e_d)\\, g

    Parameters
    ----------
    process_co2_kg_per_kg : array_like
        Process CO2 of the source, :math:`c_p`, excluding grid electricity
        (kg CO2/kg H2); ``Supply.co2_kg_per_kg_h2``.
    electricity_kwh_per_kg : array_like
        Grid electricity the source uses, :math:`e_s` (kWh/kg H2).
    grid_co2_kg_per_kwh : array_like
        Grid emission factor, :math:`g` (kg CO2/kWh).
    station_kwh_per_kg : array_like, optional
        Electricity the station uses to compress, cool and dispense, :math:`e_d`
        (kWh/kg H2).

    Returns
    -------
    numpy.ndarray
        CO2 per kg of hydrogen dispensed (kg CO2/kg H2).

    Examples
    --------
    Grid electrolysis at 55 kWh/kg on a 0.5 kg/kWh grid:

    >>> float(h2_co2_kg_per_kg(0.0, 55.0, 0.5))
    27.5
    """
    return np.asarray(process_co2_kg_per_kg, dtype=float) + (
        np.asarray(electricity_kwh_per_kg, dtype=float) + np.asarray(station_kwh_per_kg)
    ) * np.asarray(grid_co2_kg_per_kwh, dtype=float)


def fcev_co2_kg_per_km(h2_kg_per_100km, h2_co2_kg_per_kg_h2) -> np.ndarray:
    """Well-to-wheel CO2 of a fuel-cell vehicle per km.

    Parameters
    ----------
    h2_kg_per_100km : array_like
        Hydrogen use (kg/100 km).
    h2_co2_kg_per_kg_h2 : array_like
        CO2 of the hydrogen (kg CO2/kg H2), see :func:`h2_co2_kg_per_kg`.

    Returns
    -------
    numpy.ndarray
        kg CO2/km.

    Examples
    --------
    >>> float(fcev_co2_kg_per_km(10.0, 5.0))
    0.5
    """
    return np.asarray(h2_kg_per_100km, dtype=float) / 100.0 * np.asarray(h2_co2_kg_per_kg_h2)


def bev_co2_kg_per_km(electricity_kwh_per_100km, grid_co2_kg_per_kwh,
                      charging_efficiency=BEV_CHARGING_EFFICIENCY) -> np.ndarray:
    """Well-to-wheel CO2 of a battery-electric vehicle per km.

    .. math:: f = \\frac{E / 100}{\\eta_c}\\, g

    Parameters
    ----------
    electricity_kwh_per_100km : array_like
        Electricity drawn from the battery, :math:`E` (kWh/100 km).
    grid_co2_kg_per_kwh : array_like
        Grid emission factor, :math:`g` (kg CO2/kWh).
    charging_efficiency : array_like, optional
        :math:`\\eta_c` (-); :data:`BEV_CHARGING_EFFICIENCY`.

    Returns
    -------
    numpy.ndarray
        kg CO2/km.

    References
    ----------
    .. [1] Apostolaki-Iosifidou, E., Codani, P., Kempton, W. (2017). Measurement of power
       loss during electric vehicle charging and discharging. Energy 127, 730-742.

    Examples
    --------
    >>> float(bev_co2_kg_per_km(90.0, 0.5))
    0.5
    """
    return (np.asarray(electricity_kwh_per_100km, dtype=float) / 100.0
            / np.asarray(charging_efficiency) * np.asarray(grid_co2_kg_per_kwh))


def diesel_co2_kg_per_km(diesel_l_per_100km, wtw_co2_kg_per_l=DIESEL_WTW_CO2_KG_PER_L) -> np.ndarray:
    """Well-to-wheel CO2 of a diesel vehicle per km.

    Parameters
    ----------
    diesel_l_per_100km : array_like
        Diesel use (L/100 km).
    wtw_co2_kg_per_l : array_like, optional
        Well-to-wheel factor (kg CO2e/L); :data:`DIESEL_WTW_CO2_KG_PER_L`.

    Returns
    -------
    numpy.ndarray
        kg CO2/km.

    References
    ----------
    .. [1] CEN (2012). EN 16258:2012 Methodology for calculation and declaration of energy
       consumption and GHG emissions of transport services (freight and passengers),
       Annex A, Table A.1 (diesel).

    Examples
    --------
    >>> float(diesel_co2_kg_per_km(100.0, 3.0))
    3.0
    """
    return np.asarray(diesel_l_per_100km, dtype=float) / 100.0 * np.asarray(wtw_co2_kg_per_l)


def abatement_cost_cny_per_t(delta_tco_cny, co2_avoided_kg_per_year, discount_rate,
                             lifetime_years) -> np.ndarray:
    """Cost of abating CO2 with a vehicle, levelised over its life.

    .. math::

        C = \\frac{\\Delta\\mathrm{TCO}}{\\sum_{t=1}^{L} a_t\\, (1 + r)^{-t} / 1000}

    Discounting the tonnes as the money is discounted (:func:`h2model.finance.present_value`:
    end of each year of life, the first year discounted, as the TCO) makes :math:`C` the
    ratio of the levelised cost difference per km to the CO2 avoided per km when both are flat.

    Parameters
    ----------
    delta_tco_cny : array_like
        TCO of the low-carbon vehicle less that of the one it replaces (CNY).
    co2_avoided_kg_per_year : array_like
        CO2 avoided by year of life on the last axis, ``(..., T)`` or ``(..., 1)``
        (kg CO2/year).
    discount_rate : array_like
        Real discount rate (1/year).
    lifetime_years : array_like of int
        Years of life :math:`L`.

    Returns
    -------
    numpy.ndarray
        CNY per tonne CO2 (negative when the low-carbon vehicle is also cheaper).

    References
    ----------
    .. [1] Friedmann, S. J., Fan, Z., Byrum, Z., Ochu, E., Bhardwaj, A., Sheerazi, H. (2020).
       Levelized cost of carbon abatement: an improved cost-assessment methodology for a
       net-zero emissions world. Columbia University Center on Global Energy Policy.

    Examples
    --------
    >>> float(abatement_cost_cny_per_t(1952.0, [1000.0], 0.25, 3))
    1000.0
    """
    tonnes = present_value(co2_avoided_kg_per_year, discount_rate, lifetime_years) / 1000.0
    return np.asarray(delta_tco_cny, dtype=float) / tonnes


# --- from the case -------------------------------------------------------------------


@dataclass
class Co2Result:
    """Tables of the emissions engine.

    Attributes
    ----------
    co2 : pandas.DataFrame
        ``year, segment, fcev_in_service, vehicle_km_per_year, h2_kg_per_year,
        h2_co2_kg_per_kg, co2_fcev_t, co2_diesel_t, co2_avoided_t``: the FCEV fleet's
        yearly CO2 and what diesel vehicles would have emitted over the same km
        (``co2_diesel_t`` NaN where the segment has no diesel row).
    co2_per_km : pandas.DataFrame
        ``year, segment, powertrain, energy_source, co2_kg_per_km``; for FCEVs one row
        per ``Supply`` source (``energy_source`` = ``supply_id``, dispensed at a station
        using the capacity-weighted station electricity of the case) and one for the
        fleet's mix (``fleet_mix``: the sources and stations that served it, see
        :func:`co2_from_case`'s ``stations``); ``grid``
        for BEV, ``diesel`` for diesel.
    abatement : pandas.DataFrame
        ``segment, purchase_year, tco_fcev_social_cny, tco_fcev_cny, tco_diesel_cny,
        co2_avoided_t_per_vehicle, abatement_cost_social_cny_per_t,
        abatement_cost_private_cny_per_t, abatement_cost_social_simple_cny_per_t`` for an
        FCEV bought in the year instead of a diesel vehicle, over its life.
        ``abatement_cost_social_cny_per_t`` is the cost to society of a tonne avoided: the
        FCEV's TCO without any subsidy, with hydrogen at the unsubsidised price
        (``tco_fcev_social_cny``), less the diesel TCO, over discounted tonnes
        (:func:`abatement_cost_cny_per_t`, levelised). ``abatement_cost_private_cny_per_t``
        is the cost to the buyer of a tonne avoided: the same with the TCO the buyer pays,
        net of vehicle subsidies and at the subsidised hydrogen price (``tco_fcev_cny``);
        subsidies being transfers, it is below the social cost by the subsidies per tonne.
        ``abatement_cost_social_simple_cny_per_t`` divides the social TCO difference by the
        undiscounted lifetime tonnes in ``co2_avoided_t_per_vehicle`` (lower, as tonnes are
        not discounted). ``tco_diesel_cny`` (no subsidies) is scaled to the FCEV's
        discounted distance where annual km or life differ. Energy prices stay as paid,
        taxes included, in both.
    """

    co2: pd.DataFrame
    co2_per_km: pd.DataFrame
    abatement: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Result tables by name."""
        return {"co2": self.co2, "co2_per_km": self.co2_per_km, "co2_abatement": self.abatement}


def _station_kwh_per_kg(case, stations: pd.DataFrame | None = None) -> np.ndarray:
    """Station electricity by station (kWh/kg), from ``StationCosts`` when present, for
    the ``station_type, pressure_mpa`` of ``stations`` (default the case's ``Stations``);
    NaN where ``StationCosts`` has no row for the type and pressure."""
    st = case.tables["Stations"] if stations is None else stations
    costs = case.tables.get("StationCosts")
    if costs is None or costs.empty:
        return np.zeros(len(st))
    c = costs.set_index(["station_type", "pressure_mpa"])["electricity_kwh_per_kg"]
    idx = pd.MultiIndex.from_arrays([st["station_type"].astype(object),
                                     pd.to_numeric(st["pressure_mpa"]).astype("int64")])
    return c.reindex(idx).to_numpy(dtype=float)


def _typical_station_kwh(case) -> float:
    """Capacity-weighted station electricity of the existing and planned stations."""
    st = case.tables["Stations"]
    kwh = np.nan_to_num(_station_kwh_per_kg(case))
    w = st["capacity_kg_per_day"].to_numpy(float) * st["status"].isin(OPEN_STATUSES).to_numpy()
    return float(np.average(kwh, weights=w)) if w.sum() > 0 else 0.0


def _sheet_mix(case, fleet, grid, years) -> tuple[np.ndarray, np.ndarray]:
    """CO2 x kg/day summed by year and kg/day by year, from the fleet's station loads and
    each station's ``Stations`` ``supply_id`` (without a station economics table)."""
    st = case.tables["Stations"]
    src = case.tables["Supply"].set_index("supply_id").reindex(st["supply_id"].astype(object))
    per_station = h2_co2_kg_per_kg(src["co2_kg_per_kg_h2"].to_numpy(float)[:, None],
                                   src["electricity_kwh_per_kg"].to_numpy(float)[:, None],
                                   grid[None, :], np.nan_to_num(_station_kwh_per_kg(case))[:, None])
    load = fleet.station_load
    w = load.pivot_table(index="station_id", columns="year", values="h2_kg_per_day", aggfunc="sum")
    w = w.reindex(index=st["station_id"].astype(object).to_numpy(), columns=years)
    w = w.fillna(0.0).to_numpy()
    return np.nansum(w * per_station, axis=0), w.sum(axis=0)


def _station_table_mix(case, stations: pd.DataFrame, grid, years,
                       station_kwh: float) -> tuple[np.ndarray, np.ndarray]:
    """CO2 x kg summed by year and kg by year, from a station economics ``stations``
    table: each station-year's hydrogen at the source it is priced at (``supply_id``),
    weighted by ``kg_sold_per_year``. Station electricity from the row's
    ``station_type`` and ``pressure_mpa`` (looked up on ``Stations`` by ``station_id``
    when the table lacks them), ``station_kwh`` where unknown."""
    need = ("year", "station_id", "supply_id", "kg_sold_per_year")
    missing = [c for c in need if c not in stations.columns]
    if missing:
        raise ValueError(f"stations: missing column(s) {', '.join(missing)}")
    t = stations[np.isin(stations["year"].to_numpy(np.int64), years)]
    sup = case.tables["Supply"].set_index("supply_id")
    unknown = sorted(set(t["supply_id"].astype(object)) - set(sup.index))
    if unknown:
        raise ValueError(f"stations: supply_id(s) not in Supply: {', '.join(map(str, unknown[:5]))}")
    src = sup.reindex(t["supply_id"].astype(object))
    if not {"station_type", "pressure_mpa"} <= set(t.columns):
        t = t.drop(columns=["station_type", "pressure_mpa"], errors="ignore").merge(
            case.tables["Stations"][["station_id", "station_type", "pressure_mpa"]], on="station_id",
            how="left")
    kwh = np.full(len(t), station_kwh)
    known = t["station_type"].notna().to_numpy() & t["pressure_mpa"].notna().to_numpy()
    kwh[known] = _station_kwh_per_kg(case, t[known])
    kwh = np.where(np.isnan(kwh), station_kwh, kwh)
    yi = np.searchsorted(years, t["year"].to_numpy(np.int64))
    fac = h2_co2_kg_per_kg(src["co2_kg_per_kg_h2"].to_numpy(float),
                           src["electricity_kwh_per_kg"].to_numpy(float), grid[yi], kwh)
    kg = np.nan_to_num(t["kg_sold_per_year"].to_numpy(float))
    n = len(years)
    return np.bincount(yi, weights=kg * fac, minlength=n), np.bincount(yi, weights=kg, minlength=n)


def _fleet_mix(case, fleet, grid, years, station_kwh, stations: pd.DataFrame | None = None) -> np.ndarray:
    """Hydrogen CO2 of the fleet's supply by year (kg CO2/kg H2).

    With a station economics ``stations`` table: the station-years' sources (the ones
    their hydrogen is priced at), weighted by kg sold (:func:`_station_table_mix`);
    without one, station loads weight the factors of the stations' ``Stations``
    sources. Years without hydrogen sold fall back to the capacity-weighted mean of
    the sources available that year (all sources when none is), with typical station
    electricity.
    """
    if stations is None:
        co2, kg = _sheet_mix(case, fleet, grid, years)
    else:
        co2, kg = _station_table_mix(case, stations, grid, years, station_kwh)
    with np.errstate(invalid="ignore", divide="ignore"):
        mix = co2 / kg
    sup = case.tables["Supply"]
    s_fac = h2_co2_kg_per_kg(sup["co2_kg_per_kg_h2"].to_numpy(float)[:, None],
                             sup["electricity_kwh_per_kg"].to_numpy(float)[:, None], grid[None, :],
                             station_kwh)
    avail = sup["available_from_year"].to_numpy(dtype=float)[:, None] <= years[None, :]
    cap = sup["capacity_t_per_day"].to_numpy(float)[:, None] * avail
    cap = np.where(cap.sum(axis=0) > 0, cap, 1.0)
    fallback = (s_fac * cap).sum(axis=0) / cap.sum(axis=0)
    return np.where(kg > 0, mix, fallback)


def co2_from_case(case, fleet, tco=None, *, stations: pd.DataFrame | None = None,
                  diesel_wtw_co2_kg_per_l=DIESEL_WTW_CO2_KG_PER_L,
                  charging_efficiency=BEV_CHARGING_EFFICIENCY, tco_social=None) -> Co2Result:
    """CO2 per km, the fleet's CO2 avoided by year, and abatement cost, for a case.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Segments``, ``Prices.grid_co2_kg_per_kwh``, ``Supply``, ``Stations``,
        ``StationCosts`` (if present) and ``Finance.discount_rate``.
    fleet : h2model.fleet.FleetResult
        Vehicle-km by year and segment, and station loads (for the hydrogen mix).
    tco : h2model.tco.TcoResult, optional
        TCO the buyer pays (with subsidies, at the subsidised hydrogen price) for the
        private abatement cost; computed with :func:`h2model.tco.tco_from_case`
        defaults when omitted.
    stations : pandas.DataFrame, optional
        Station economics' ``stations`` table (``year, station_id, supply_id,
        kg_sold_per_year`` and optionally ``station_type, pressure_mpa``): the fleet's
        hydrogen CO2 in each year is the kg-sold-weighted factor of the sources the
        station-years are priced at. Without it, the ``Stations`` sheet's sources
        weighted by the fleet's station loads.
    tco_social : h2model.tco.TcoResult, optional
        TCO without subsidies, at the unsubsidised hydrogen price, for the social
        abatement cost (``tco_from_case(case, h2_price_cny_per_kg=<unsubsidised>,
        subsidies=pandas.DataFrame())``); default: without subsidies at the ``Prices``
        sheet's retail hydrogen price.
    diesel_wtw_co2_kg_per_l : float, optional
        Diesel well-to-wheel factor (kg CO2e/L).
    charging_efficiency : float, optional
        BEV charging efficiency (-).

    Returns
    -------
    Co2Result
        Tables ``co2``, ``co2_per_km`` and ``abatement``.

    Notes
    -----
    After the last year of ``Prices`` the grid factor stays at its last value, and
    after the analysis horizon the fleet's hydrogen mix stays at its last year's.
    """
    years = np.asarray(case.years, dtype=np.int64)
    seg = case.tables["Segments"]
    r = float(case.params["Finance"]["discount_rate"])
    prices = case.tables["Prices"].set_index("year")
    grid = year_path(prices["grid_co2_kg_per_kwh"], years)
    station_kwh = _typical_station_kwh(case)
    mix = _fleet_mix(case, fleet, grid, years, station_kwh, stations)

    by_pt = {p: seg[seg["powertrain"] == p].set_index("segment") for p in ("fcev", "bev", "diesel")}
    fc, dsl = by_pt["fcev"], by_pt["diesel"]

    # per km
    sup = case.tables["Supply"]
    src = h2_co2_kg_per_kg(sup["co2_kg_per_kg_h2"].to_numpy(float)[:, None],
                           sup["electricity_kwh_per_kg"].to_numpy(float)[:, None], grid[None, :],
                           station_kwh)
    src_names = list(sup["supply_id"].astype(object)) + ["fleet_mix"]
    h2_fac = np.vstack([src, mix[None, :]])  # (sources, years)
    rows = []
    h2_use = fc["h2_kg_per_100km"].to_numpy(float)
    per = fcev_co2_kg_per_km(h2_use[:, None, None], h2_fac[None, :, :])  # (seg, src, year)
    s_i, k_i, y_i = np.meshgrid(np.arange(len(fc)), np.arange(len(src_names)), np.arange(len(years)),
                                indexing="ij")
    rows.append(pd.DataFrame({
        "year": years[y_i.ravel()], "segment": fc.index.to_numpy(object)[s_i.ravel()],
        "powertrain": "fcev", "energy_source": np.asarray(src_names, dtype=object)[k_i.ravel()],
        "co2_kg_per_km": per.ravel()}))
    for pt, source in (("bev", "grid"), ("diesel", "diesel")):
        t = by_pt[pt]
        if pt == "bev":
            v = bev_co2_kg_per_km(t["electricity_kwh_per_100km"].to_numpy(float)[:, None],
                                  grid[None, :], charging_efficiency)
        else:
            v = np.broadcast_to(diesel_co2_kg_per_km(t["diesel_l_per_100km"].to_numpy(float)[:, None],
                                                     diesel_wtw_co2_kg_per_l), (len(t), len(years)))
        si, yi = np.meshgrid(np.arange(len(t)), np.arange(len(years)), indexing="ij")
        rows.append(pd.DataFrame({
            "year": years[yi.ravel()], "segment": t.index.to_numpy(object)[si.ravel()],
            "powertrain": pt, "energy_source": source, "co2_kg_per_km": v.ravel()}))
    co2_per_km = pd.concat([x for x in rows if len(x)], ignore_index=True)
    co2_per_km = co2_per_km.astype({"segment": object, "powertrain": object, "energy_source": object})

    # the fleet by year
    f = fleet.fleet.groupby(["year", "segment"], as_index=False)[
        ["fcev_in_service", "vehicle_km_per_year"]].sum()
    yi = np.searchsorted(years, f["year"].to_numpy())
    h2_100 = fc["h2_kg_per_100km"].reindex(f["segment"]).to_numpy(float)
    d_100 = dsl["diesel_l_per_100km"].reindex(f["segment"]).to_numpy(float)
    vkm = f["vehicle_km_per_year"].to_numpy(float)
    f["h2_kg_per_year"] = vkm * h2_100 / 100.0
    f["h2_co2_kg_per_kg"] = mix[yi]
    f["co2_fcev_t"] = vkm * fcev_co2_kg_per_km(h2_100, mix[yi]) / 1000.0
    f["co2_diesel_t"] = vkm * diesel_co2_kg_per_km(d_100, diesel_wtw_co2_kg_per_l) / 1000.0
    f["co2_avoided_t"] = f["co2_diesel_t"] - f["co2_fcev_t"]
    co2 = f.astype({"segment": object})

    # abatement by purchase year
    if tco is None:
        tco = tco_from_case(case)
    if tco_social is None:
        tco_social = tco_from_case(case, subsidies=pd.DataFrame())

    def totals(t):
        return t.tco[t.tco["component"] == "total"].set_index(["segment", "powertrain", "purchase_year"])[
            "tco_cny_per_vehicle"]

    tot, tot_social = totals(tco), totals(tco_social)
    both = [s for s in fc.index if s in dsl.index]
    ab = []
    for s in both:  # a loop over the few segments with fcev and diesel rows
        life = int(fc.at[s, "lifetime_years"])
        km = float(fc.at[s, "annual_km"])
        cal = years[:, None] + np.arange(life)[None, :]
        mix_path = year_path(pd.Series(mix, index=years), cal.ravel()).reshape(cal.shape)
        avoided = km * (diesel_co2_kg_per_km(dsl.at[s, "diesel_l_per_100km"], diesel_wtw_co2_kg_per_l)
                        - fcev_co2_kg_per_km(fc.at[s, "h2_kg_per_100km"], mix_path))  # (years, life)
        idx_f = pd.MultiIndex.from_product([[s], ["fcev"], years])
        t_f, t_f_social = (t.reindex(idx_f).to_numpy(float) for t in (tot, tot_social))
        t_d = tot.reindex(pd.MultiIndex.from_product([[s], ["diesel"], years])).to_numpy(float)
        # Scale the diesel TCO to the FCEV's discounted distance when activity differs
        # (discounted years summed as the TCO sums them, h2model.tco).
        scale = (km * present_value(1.0, r, life)) / (
            float(dsl.at[s, "annual_km"]) * present_value(1.0, r, int(dsl.at[s, "lifetime_years"])))
        delta, delta_social = t_f - t_d * scale, t_f_social - t_d * scale
        ab.append(pd.DataFrame({
            "segment": s, "purchase_year": years, "tco_fcev_social_cny": t_f_social, "tco_fcev_cny": t_f,
            "tco_diesel_cny": t_d * scale,
            "co2_avoided_t_per_vehicle": avoided.sum(axis=1) / 1000.0,
            "abatement_cost_social_cny_per_t": abatement_cost_cny_per_t(delta_social, avoided, r, life),
            "abatement_cost_private_cny_per_t": abatement_cost_cny_per_t(delta, avoided, r, life),
            "abatement_cost_social_simple_cny_per_t": delta_social / (avoided.sum(axis=1) / 1000.0)}))
    abatement = (pd.concat(ab, ignore_index=True) if ab else pd.DataFrame(columns=[
        "segment", "purchase_year", "tco_fcev_social_cny", "tco_fcev_cny", "tco_diesel_cny",
        "co2_avoided_t_per_vehicle", "abatement_cost_social_cny_per_t", "abatement_cost_private_cny_per_t",
        "abatement_cost_social_simple_cny_per_t"]))
    return Co2Result(co2, co2_per_km, abatement)
