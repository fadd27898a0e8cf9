"""The engine on a draws axis: station, budget and TCO results of drawn inputs.

:class:`_Engine` holds what does not change between draws (the station-years, the
fleet's sales and the TCO pairs) and runs the deterministic model's station, subsidy
and TCO engines on a leading draws axis, in chunks that bound memory; with the
price target it is judged against (:func:`_price_target`, :func:`_meets`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .. import policy, station, tco
from ..fleet import FleetResult, in_service_totals, interpolate_stock, max_capacity_factor
from ..inputs.uncertainty import FLEET_INPUT, UncertainInput
from ..params import as_params
from ..prices import NETWORK_PRICE, calendar_path, nominal
from ..station.pricing import _sum_by_year
from ..targets import meets

# FCEV Segments columns that also change hydrogen demand, hence station sales.
_DEMAND_COLUMNS = ("h2_kg_per_100km", "annual_km")
# Draws per chunk: elements of the largest per-chunk temporaries.
_CHUNK_ELEMENTS = 4_000_000


# --- the engine on a draws axis ------------------------------------------------------------


class _Engine:
    """The deterministic structure of one Monte Carlo setting, and its evaluation at
    any matrix of input draws ``X (m, K)`` (NaN = the input at its base).

    With ``full``, ``network`` (station economics' network table of the same fleet and
    plan) and ``price_path`` (the run's hydrogen price path, :func:`network_price_path`)
    give the base network price of years not drawn and the vehicle subsidies; they are
    the deterministic run's, not recomputed here.

    ``loads`` and ``segment_loads`` are what the deterministic run's stations sell
    (:func:`h2model.model.station_loads`; default the fleet's ``station_load``, no
    segment mix). Drawn fleet and demand inputs scale the part of a station's sales that
    comes from the fleet's assignment; sales from outside the fleet (the corridor
    stations' trucks) stay at their base.
    """

    def __init__(self, case, inputs: Sequence[UncertainInput], years, fl: FleetResult, built,
                 *, full: bool, station_capacity: pd.DataFrame | None = None,
                 station_supply: pd.DataFrame | None = None, network: pd.DataFrame | None = None,
                 price_path: pd.Series | None = None, loads: pd.DataFrame | None = None,
                 segment_loads: pd.DataFrame | None = None):
        self.case, self.inputs, self.full = case, list(inputs), full
        self.params = as_params(case)  # the base numbers; each chunk draws on top of them
        self.accessed: set[tuple[str, str]] = set()  # inputs the engines read, for check_read
        self.sy = sy = station.station_years(self.params, loads=fl.station_load if loads is None else loads,
                                             built=built, year=years, station_capacity=station_capacity,
                                             station_supply=station_supply, segment_loads=segment_loads)
        self.years = sy.years
        si, yi = sy.station_index, sy.year_index
        self.cap_row = sy.capacity_kg_per_day  # installed in the row's year, kg/day
        self.fleet_k = [j for j, u in enumerate(inputs) if u.sheet == "Fleet"]
        demand = [u for u in inputs if u.sheet == "Segments" and u.column in _DEMAND_COLUMNS]
        self.scales_load = bool(self.fleet_k or demand)
        if self.scales_load:
            self._demand_structure(fl)
        if not full:
            return
        cy = sy.stations["commissioning_year"].to_numpy(float)
        self.commissioning_row = (sy.years[yi] == cy[si]).astype(float)
        self.tco_years = self.years[np.isin(self.years, case.years)]
        prices = case["Prices"]
        self.price_years = prices["year"].to_numpy(np.int64)
        self.pos = {int(y): j for j, y in enumerate(self.price_years)}
        net = network.set_index("year")[NETWORK_PRICE]
        self.base_net = net.reindex(self.price_years).to_numpy(float)
        subs = policy.vehicle_subsidy_rates_from_case(case, price_path)
        self.purchase_sub, self.op_sub = tco.vehicle_subsidies(case, self.tco_years, subs)
        self.pairs = tco.parity_pairs(case)
        vb = policy.vehicle_budget(subs, fl.vehicles, case.years)
        self.vehicle_budget = vb.groupby("year")["outlay_cny"].sum().reindex(self.years, fill_value=0.0) \
            .to_numpy(float)

    def _demand_structure(self, fl: FleetResult) -> None:
        """Station sales split by segment (and the share from each Fleet input's rows),
        for scaling sales by drawn demand factors."""
        case, sy = self.case, self.sy
        years_all = np.asarray(case.years, dtype=np.int64)
        v = fl.vehicles
        seg_names = sorted(set(v["segment"].astype(object)))
        groups = pd.MultiIndex.from_arrays([v["district"].astype(object), v["segment"].astype(object)])
        g_code, g_index = pd.factorize(groups)
        n_g = len(g_index)
        seg_of_g = pd.Index(seg_names).get_indexer(g_index.get_level_values(1))
        dep_ids = pd.Index(pd.unique(fl.demand_by_depot["depot_id"].astype(object)))
        d_code = dep_ids.get_indexer(v["depot_id"].astype(object))
        dem = in_service_totals(d_code * n_g + g_code, len(dep_ids) * n_g, v["purchase_year"].to_numpy(),
                                v["retire_year"].to_numpy(), years_all,
                                v["h2_kg_per_day"].to_numpy(float)).reshape(len(dep_ids), n_g, -1)
        total = dem.sum(axis=1)  # (depots, years)
        a = fl.assignment
        ids = sy.stations["station_id"].to_numpy(object)
        s_a = pd.Index(ids).get_indexer(a["station_id"].astype(object))
        d_a = dep_ids.get_indexer(a["depot_id"].astype(object))
        y_a = pd.Index(years_all).get_indexer(a["year"].to_numpy(np.int64))
        keep = (s_a >= 0) & (d_a >= 0) & (y_a >= 0)
        s_a, d_a, y_a = s_a[keep], d_a[keep], y_a[keep]
        flow = a["h2_kg_per_day"].to_numpy(float)[keep]
        tot = total[d_a, y_a]
        share = np.where(tot > 0, flow / np.where(tot > 0, tot, 1.0), 0.0)
        load = np.zeros((len(ids), len(years_all), n_g))
        np.add.at(load, (s_a, y_a), share[:, None] * dem[d_a, :, y_a])
        row_year = pd.Index(years_all).get_indexer(sy.years)[sy.year_index]
        rows_g = load[sy.station_index, row_year]  # (R, groups)
        one_hot = np.zeros((n_g, len(seg_names)))
        one_hot[np.arange(n_g), seg_of_g] = 1.0
        self.w0 = rows_g @ one_hot  # (R, segments) kg/day
        # Stock ratio of each Fleet input's rows by (district, segment) group and year.
        fleet = case["Fleet"]
        keys, stock = interpolate_stock(fleet, years_all)
        k_idx = pd.MultiIndex.from_frame(keys).get_indexer(g_index)
        self.wk, self.stock_ratio = [], []
        for j in self.fleet_k:
            masked = fleet.copy()
            keep_rows = np.zeros(len(fleet), dtype=bool)
            keep_rows[self.inputs[j].rows] = True
            masked["fcev_in_service"] = masked["fcev_in_service"].where(keep_rows, 0)
            _, st_k = interpolate_stock(masked, years_all)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(stock > 0, st_k / np.where(stock > 0, stock, 1.0), 0.0)
            rho = np.where(k_idx[:, None] >= 0, ratio[np.maximum(k_idx, 0)], 0.0)  # (groups, years)
            self.wk.append((rows_g * rho[:, row_year].T) @ one_hot)
            self.stock_ratio.append(ratio)
        self.stock = stock
        self.stock_year = pd.Index(years_all).get_indexer(self.years)
        # FCEV Segments row of each segment, for demand factors.
        seg = case["Segments"]
        fc = seg[seg["powertrain"] == "fcev"]
        self.seg_rows = fc.index.to_numpy()[pd.Index(fc["segment"].astype(object)).get_indexer(seg_names)]

    def values(self, x: np.ndarray) -> dict[tuple[str, str], np.ndarray]:
        """Drawn inputs for :meth:`h2model.params.Params.with_draws`: ``(sheet, column)``
        -> ``(m, n_rows)``, ``(sheet, key)`` -> ``(m,)``; Fleet inputs excluded (they
        scale sales, :meth:`kg_per_year`)."""
        m = x.shape[0]
        out: dict[tuple[str, str], np.ndarray] = {}
        for j, u in enumerate(self.inputs):
            if u.sheet == "Fleet":
                continue
            xj = x[:, j]
            base = np.isnan(xj)
            if u.is_params:
                cur = out.get(u.target)
                if cur is None:
                    cur = np.full(m, float(u.base[0]))
                new = cur * xj if u.relative else xj
                out[u.target] = np.where(base, cur, new)
            else:
                cur = out.get(u.target)
                if cur is None:
                    base_col = self.params.col(u.sheet, u.column)
                    cur = np.broadcast_to(base_col, (m, len(base_col))).copy()
                sub = cur[:, u.rows]
                new = sub * xj[:, None] if u.relative else np.broadcast_to(xj[:, None], sub.shape)
                cur[:, u.rows] = np.where(base[:, None], sub, new)
                out[u.target] = cur
        return out

    def fleet_factors(self, x: np.ndarray) -> list[np.ndarray]:
        """Fleet factors ``u - 1`` per Fleet input, (m,); 0 at the base."""
        return [np.where(np.isnan(x[:, j]), 1.0, x[:, j]) - 1.0 for j in self.fleet_k]

    def fleet_scale(self, x: np.ndarray, years=None) -> np.ndarray:
        """FCEVs in service under the draws over the base count, ``(m, len(years))`` (default
        the engine's years): each Fleet input's factor weighted by its rows' share of the
        year's stock; 1 without Fleet inputs."""
        years_all = np.asarray(self.case.years, dtype=np.int64)
        years = self.years if years is None else np.asarray(years, dtype=np.int64)
        if not self.fleet_k:
            return np.ones((x.shape[0], len(years)))
        yi = pd.Index(years_all).get_indexer(years)
        st = self.stock[:, yi]
        den = st.sum(axis=0)
        num = np.broadcast_to(den, (x.shape[0], len(years)))
        for fk, ratio in zip(self.fleet_factors(x), self.stock_ratio, strict=True):
            num = num + fk[:, None] * (st * ratio[:, yi]).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)

    def kg_per_year(self, x: np.ndarray, vals) -> np.ndarray:
        """Sales (kg/year) of each row under the draws, capped at capacity."""
        kg_day = self.sy.kg_per_day
        if not self.scales_load:
            return np.broadcast_to(kg_day * station.DAYS_PER_YEAR, (x.shape[0], len(kg_day)))
        base = self.case["Segments"]
        h = np.ones((x.shape[0], self.w0.shape[1]))
        for col in _DEMAND_COLUMNS:
            if ("Segments", col) in vals:
                b = base[col].to_numpy(float)[self.seg_rows]
                h = h * (vals[("Segments", col)][:, self.seg_rows] / b)
        f = self.fleet_factors(x)
        num = np.zeros((x.shape[0], self.w0.shape[0]))
        den = np.zeros(self.w0.shape[0])
        for s in range(self.w0.shape[1]):  # a loop over the few segments
            term = np.broadcast_to(self.w0[:, s], num.shape)
            for fk, wk in zip(f, self.wk, strict=True):
                term = term + fk[:, None] * wk[:, s]
            num = num + h[:, s, None] * term
            den = den + self.w0[:, s]
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)
        kg = np.minimum(kg_day * factor, np.maximum(self.cap_row * max_capacity_factor(self.case), kg_day))
        return kg * station.DAYS_PER_YEAR

    def evaluate(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Every result of a chunk of draws ``x (m, K)``, with the draws axis first."""
        m = x.shape[0]
        vals = self.values(x)
        drawn = self.params.with_draws(vals)
        kg = self.kg_per_year(x, vals)
        costs = station.station_year_costs(drawn, self.sy)
        pr = station.station_year_prices(drawn, self.sy, costs, kg)
        net = station.network_price(self.sy, kg, pr.annualised_cost_with_subsidy_cny_per_year)
        out = {"network_with": net}
        if not self.full:
            return out
        with_sub = np.broadcast_to(pr.breakeven_price_with_subsidy_cny_per_kg, kg.shape)
        without = np.broadcast_to(pr.breakeven_price_cny_per_kg, kg.shape)
        out.update(station_with=with_sub, station_without=without, kg=kg,
                   network_without=station.network_price(self.sy, kg, pr.annualised_cost_cny_per_year))
        # Budget by year: capital grants in commissioning years, per-kg subsidies on sales,
        # vehicle subsidies scaled by the drawn fleet.
        grants, per_kg = policy.station_outlays_cny(pr.capital_subsidy_by_programme_cny,
                                                    pr.operating_subsidy_now_by_programme_cny_per_kg, kg,
                                                    self.commissioning_row)
        g, h2 = np.broadcast_to(grants.sum(axis=-1), kg.shape), per_kg.sum(axis=-1)
        veh = self.vehicle_budget * self.fleet_scale(x)
        sums = _sum_by_year
        out["budget"] = np.stack([sums(self.sy, g), sums(self.sy, h2), veh], axis=-1)
        # TCO with each draw's hydrogen price path.
        if len(self.tco_years) and self.pairs:
            out.update(self._tco(net, drawn, m))
        self.accessed |= drawn.accessed
        if self.fleet_k:
            self.accessed.add(FLEET_INPUT)
        return out

    def _tco(self, net: np.ndarray, drawn, m: int) -> dict[str, np.ndarray]:
        net_all = np.broadcast_to(self.base_net, (m, len(self.price_years))).copy()
        for j, y in enumerate(self.years):
            if int(y) in self.pos:
                net_all[:, self.pos[int(y)]] = net[:, j]
        retail = drawn.col("Prices", "h2_retail_cny_per_kg")
        path = np.where(np.isfinite(net_all), net_all, retail)
        paths = tco.energy_paths(drawn, self.tco_years)
        n_life = paths["bev"].shape[-1]
        calendar = self.tco_years[:, None] + np.arange(n_life)[None, :]
        paths["fcev"] = calendar_path(self.price_years, path, calendar)
        arr = tco.tco_arrays(drawn, self.tco_years, paths, self.purchase_sub, self.op_sub)
        total_km = arr.total_cny_per_km
        dist = arr.discounted_km
        use = arr.energy_per_km
        excl_h2 = arr.components["total"] - arr.components["energy"]
        fc, alt, be = [], [], []
        for i, _, j in self.pairs:
            f_km, a_km = total_km[..., i, :], total_km[..., j, :]
            d_i = dist[..., i, :]
            fc.append(f_km)
            alt.append(a_km)
            be.append(tco.breakeven_h2_price(excl_h2[..., i, :], d_i * use[..., i, None], a_km * d_i))
        shape = (m, len(self.pairs), len(self.tco_years))

        def stack(xs):
            return np.broadcast_to(np.stack(np.broadcast_arrays(*xs), axis=-2), shape)

        return {"fcev_km": stack(fc), "alternative_km": stack(alt), "breakeven_h2": stack(be)}

    def chunk_size(self) -> int:
        """Draws per chunk so that the largest temporaries stay near
        :data:`_CHUNK_ELEMENTS` elements."""
        L = int(self.case.finance["station_life_years"])
        per = 3 * len(self.sy.year_index) * L
        if self.full:
            n_life = int(self.case["Segments"]["lifetime_years"].max())
            per += 4 * len(self.case["Segments"]) * max(len(self.tco_years), 1) * n_life
        return max(1, _CHUNK_ELEMENTS // max(per, 1))

    def run(self, x: np.ndarray, keys: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """:meth:`evaluate` over chunks of draws, concatenated along the draws axis."""
        step = self.chunk_size()
        parts: dict[str, list[np.ndarray]] = {}
        for start in range(0, x.shape[0], step):  # a loop over chunks of draws, not draws
            got = self.evaluate(x[start:start + step])
            for k, v in got.items():
                if keys is None or k in keys:
                    parts.setdefault(k, []).append(np.array(v, dtype=v.dtype))
        return {k: np.concatenate(v, axis=0) for k, v in parts.items()}


def _meets(case, price, year, target: float, comparator: str) -> np.ndarray:
    """A real price (CNY/kg of the price year) meets the target's comparator in nominal
    CNY of ``year``, as the plan states its target (NaN never does)."""
    return meets(nominal(case, price, year), target, comparator)


def _price_target(case) -> tuple[int, float, str]:
    """(year, value, comparator) of the Targets sheet's price target (the earliest)."""
    t = case["Targets"]
    t = t[t["target_id"] == "price"].sort_values("year")
    if t.empty:
        raise ValueError("the Targets sheet has no price target")
    r = t.iloc[0]
    return int(r["year"]), float(r["value"]), str(r["comparator"])
