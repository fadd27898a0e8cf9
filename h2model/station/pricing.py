"""Station-year prices: break-even, subsidies and the network price.

The break-even retail price of every station-year with and without the subsidies it is
paid, the price-conditional subsidies resolved by fixed-point rounds
(:class:`StationPrices`, :func:`station_year_prices`), the annualised cost of a station
(:func:`annualised_costs`), and the yearly network price and sellers' volume-weighted
price over the station-years (:func:`network_price`,
:func:`sellers_volume_weighted_price`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .. import policy as pol
from ..finance import FinanceAssumptions, breakeven_price, nominal_cny
from ..params import as_params
from .years import StationYears


@dataclasses.dataclass(frozen=True)
class StationPrices:
    """Break-even prices and subsidies of station-years (:func:`station_year_prices`).

    Every array has the leading (draws) axes of the inputs, then the rows of the
    :class:`StationYears`; prices are NaN where a row sells nothing.

    Attributes
    ----------
    kg_per_year : numpy.ndarray
        Sales, kg/year.
    capital_subsidy_cny : numpy.ndarray
        One-off capital subsidy, nominal CNY of the commissioning year (price
        conditions tested at the row's price).
    operating_subsidy_cny_per_kg : numpy.ndarray, shape (..., n_rows, L)
        Per-kg subsidy in each operating year of the life, nominal CNY/kg.
    operating_subsidy_now_cny_per_kg : numpy.ndarray
        The same in the row's own year, nominal CNY/kg.
    price_ex_vat_cny_per_kg, price_with_subsidy_ex_vat_cny_per_kg : numpy.ndarray
        Break-even price ex VAT without and with the subsidies, real CNY/kg.
    vat_rate : float or numpy.ndarray
        VAT rate (fraction), broadcasting against the rows.
    finance : FinanceAssumptions
        The finance assumptions used (ramp-up off).
    rebase : numpy.ndarray
        Factor from nominal subsidy CNY to the finance engine's money basis.
    annualised_cost_cny_per_year, annualised_cost_with_subsidy_cny_per_year : numpy.ndarray
        Annualised cost incl. VAT without and with the subsidies, real CNY/year, for
        every row, idle ones included (:func:`annualised_costs` times :math:`1 + v`);
        where a row sells, the retail break-even price times kg sold.
    capital_programmes, operating_programmes : h2model.policy.StationProgrammes
        The ``station_capex`` and per-kg programmes (``Pc`` and ``Ph`` of them).
    capital_subsidy_by_programme_cny : numpy.ndarray, shape (..., n_rows, Pc)
        ``capital_subsidy_cny`` by programme, after the all-level cap.
    operating_subsidy_now_by_programme_cny_per_kg : numpy.ndarray, shape (..., n_rows, Ph)
        ``operating_subsidy_now_cny_per_kg`` by programme.
    """

    kg_per_year: np.ndarray
    capital_subsidy_cny: np.ndarray
    operating_subsidy_cny_per_kg: np.ndarray
    operating_subsidy_now_cny_per_kg: np.ndarray
    price_ex_vat_cny_per_kg: np.ndarray
    price_with_subsidy_ex_vat_cny_per_kg: np.ndarray
    vat_rate: Any
    finance: FinanceAssumptions
    rebase: np.ndarray
    annualised_cost_cny_per_year: np.ndarray
    annualised_cost_with_subsidy_cny_per_year: np.ndarray
    capital_programmes: Any = None
    operating_programmes: Any = None
    capital_subsidy_by_programme_cny: Any = None
    operating_subsidy_now_by_programme_cny_per_kg: Any = None

    @property
    def breakeven_price_cny_per_kg(self) -> np.ndarray:
        """Retail break-even price incl. VAT without subsidies, CNY/kg."""
        return self.price_ex_vat_cny_per_kg * (1.0 + self.vat_rate)

    @property
    def breakeven_price_with_subsidy_cny_per_kg(self) -> np.ndarray:
        """Retail break-even price incl. VAT with subsidies, CNY/kg."""
        return self.price_with_subsidy_ex_vat_cny_per_kg * (1.0 + self.vat_rate)


def _finance_with(p) -> FinanceAssumptions:
    """The finance assumptions of :class:`h2model.params.Params` ``p``, drawn rates
    shaped ``(..., 1)`` against the row axis."""
    m = dict(p.finance)
    for key in m:
        if ("Finance", key) in p.draws:
            m[key] = p.par("Finance", key)
    return FinanceAssumptions.from_mapping(m)


def station_year_prices(params, sy: StationYears, costs: dict[str, np.ndarray], kg_per_year, *,
                        finance: FinanceAssumptions | None = None) -> StationPrices:
    r"""Break-even prices of station-years with self-consistent price-conditional subsidies.

    The engine of :func:`station_economics` (conventions in the module docstring):
    one :func:`h2model.finance.breakeven_price` call per eligibility round for all
    rows and draws at once, with the capital grants (:func:`h2model.policy.station_grants_cny`,
    all-level cap included) and per-kg subsidies
    (:func:`h2model.policy.per_kg_subsidies_cny_per_kg`) re-tested
    at each round's price until no programme-year changes, then one call without
    subsidies. Per-kg programmes with a ``min_capacity_kg_per_day`` test the row's
    capacity (``sy.capacity_kg_per_day``); capital ones the station's capacity at
    commissioning (its ``capacity_kg_per_day``), as the budget pays them.

    Parameters
    ----------
    params : h2model.params.Params or Case
        Reads ``Policy, Finance`` and the price year; drawn ``Finance`` rates add
        leading axes.
    sy : StationYears
        From :func:`station_years`.
    costs : dict
        From :func:`station_year_costs`.
    kg_per_year : array_like, shape (..., n_rows)
        Sales of each row, kg/year (the leading axes may be draws).
    finance : FinanceAssumptions, optional
        Overrides the case's (and the drawn) finance assumptions.

    Returns
    -------
    StationPrices
        Prices, subsidies and sales with the leading axes of the inputs.
    """
    p = as_params(params)
    fin_case = finance if finance is not None else _finance_with(p)
    fin = dataclasses.replace(fin_case, ramp_up_years=0, ramp_start_share=1.0)
    L, C = fin.station_life_years, fin.construction_years
    base = 1 if fin.convention == "profast" else 0
    infl = fin.inflation_rate if np.ndim(fin.inflation_rate) else float(fin.inflation_rate)
    vat = fin.vat_rate if np.ndim(fin.vat_rate) else float(fin.vat_rate)
    py = p.price_year
    st = sy.stations
    yi, si = sy.year_index, sy.station_index
    cy = st["commissioning_year"].to_numpy(float)
    cap_row = sy.capacity_kg_per_day
    cap_open = st["capacity_kg_per_day"].to_numpy(float)  # at commissioning
    stype = st["station_type"].to_numpy(object)
    dist = st["district"].to_numpy(object)
    kg = np.asarray(kg_per_year, dtype=float)
    selling = kg > 0
    K, F, c = costs["capex_cny"], costs["fixed_cny_per_year"], costs["variable_cny_per_kg"]
    lease, rep_variant = costs["land_lease_cny_per_year"], costs["replacement_share"]
    K_equip, land = costs["capex_excl_land_cny"], costs["land_cny"]
    vi = costs["variant_index"]

    # Subsidies: eligible programme-years shrink until the price is self-consistent.
    policy = p.tables.get("Policy")
    caps = p.params.get("PolicyCaps")
    cap_progs = pol.station_programmes(policy, pol.STATION_KINDS, caps)
    h2_progs = pol.station_programmes(policy, pol.H2_KINDS, caps)
    y0 = cy[si] - C  # calendar year of the engine's year 0
    rebase = (1.0 + infl) ** (py - (y0 + base))  # nominal CNY -> the engine's money basis
    cal = cy[si, None] + np.arange(L)[None, :]  # calendar year of each operating year
    # Per-kg programmes pay only in the calendar years they cover: evaluate them at those
    # (row, operating year) pairs only; elsewhere the subsidy is 0.
    pr_, pk_ = np.nonzero(pol.programme_years(h2_progs, cal).any(axis=-1))
    cal_p = cal[pr_, pk_]
    # retail incl. VAT in nominal CNY of the year paid (the one real -> nominal conversion)
    to_nominal_cal = nominal_cny(1.0 + vat, cal_p, py, infl)
    to_nominal_com = nominal_cny(1.0 + vat, cy[si], py, infl)
    n_conditional = int(cap_progs.conditional.sum() + h2_progs.conditional.sum())
    # The finance engine sees rows that sell in some draw only.
    sel = np.flatnonzero(selling.reshape(-1, selling.shape[-1]).any(axis=0)) if selling.ndim > 1 \
        else np.flatnonzero(selling)
    # Land is not depreciated but recovered at the end of the life (finance engine's land_cny).
    fin_args = (K_equip[..., sel], F[..., sel], c[..., sel], kg[..., sel], fin)
    common = {"land_lease_cny_per_year": lease[..., sel], "land_cny": land[..., sel],
              "replacement_share": rep_variant[..., vi[sel], :]}
    rebase_sel = rebase[..., sel]
    # Paid (row, operating year) pairs of selling rows, as positions in the selling rows.
    sel_pos = np.full(len(si), -1)
    sel_pos[sel] = np.arange(len(sel))
    in_sel = sel_pos[pr_] >= 0
    ps_, pks_ = sel_pos[pr_][in_sel], pk_[in_sel]
    pr_sel = pr_[in_sel]
    rebase_paid = rebase[..., pr_sel]
    rest = np.flatnonzero(sel_pos < 0)

    def spread(x):
        full = np.full(x.shape[:-1] + (len(si),), np.nan)
        full[..., sel] = x
        return np.where(selling, full, np.nan)

    # Price-independent parts of the programmes (h2model.policy), once; each round
    # re-tests the price of the selling rows (rows that never sell have no price: their
    # subsidies are fixed). Capital grants test the capacity at commissioning; per-kg
    # programmes the capacity installed in the row's year.
    def cap_terms(r):
        ok = pol.station_eligible(cap_progs, stype[si][r], cap_open[si][r], cy[si][r], dist[si][r])
        return pol.station_grant_amounts_cny(cap_progs, K[..., r]), ok, K[..., r]

    def op_terms(r, k):
        ok = pol.station_eligible(h2_progs, stype[si][r], cap_row[r], cal[r, k], dist[si][r])
        return pol.per_kg_rates_cny_per_kg(h2_progs, kg[..., r]), ok

    cap_sel, op_sel = cap_terms(sel), op_terms(pr_sel, pk_[in_sel])
    G_rest_by = pol.station_grants_paid_cny(cap_progs, *cap_terms(rest), np.full(len(rest), np.nan))
    ops_rest_by = pol.paid_cny(*op_terms(pr_[~in_sel], pk_[~in_sel]), h2_progs,
                               np.full(int((~in_sel).sum()), np.nan))
    com_sel, cal_sel = to_nominal_com[..., sel], to_nominal_cal[..., in_sel]
    # First round: every price condition met (-inf); rows without sales never meet one (NaN).
    price = np.where(selling, -np.inf, np.nan)
    prev = None
    for _ in range(n_conditional * (L + 1) + 2):  # a bound never reached: a few rounds suffice
        G_by = pol.station_grants_paid_cny(cap_progs, *cap_sel, price[..., sel] * com_sel)
        paid_by = pol.paid_cny(*op_sel, h2_progs, price[..., pr_sel] * cal_sel)
        if prev is not None and np.array_equal(G_by, prev[0]) and np.array_equal(paid_by, prev[1]):
            break
        G_sel, paid = G_by.sum(axis=-1), paid_by.sum(axis=-1)
        paid_reb = paid * rebase_paid
        ops_sel = np.zeros(paid_reb.shape[:-1] + (len(sel), L))
        ops_sel[..., ps_, pks_] = paid_reb
        price = spread(breakeven_price(*fin_args, capital_subsidy_cny=G_sel * rebase_sel,
                                       operating_subsidy_cny_per_kg=ops_sel, **common))
        prev = (G_by, paid_by)
    else:  # pragma: no cover - eligibility only shrinks, so the loop ends early
        raise RuntimeError("subsidy eligibility did not converge")
    lead = np.broadcast_shapes(G_by.shape[:-2], paid_by.shape[:-2], G_rest_by.shape[:-2],
                               ops_rest_by.shape[:-2])
    G_full = np.zeros(lead + (len(si), len(cap_progs)))
    G_full[..., sel, :] = G_by
    G_full[..., rest, :] = G_rest_by
    G = G_full.sum(axis=-1)
    pairs_by = np.zeros(lead + (len(pr_), len(h2_progs)))  # per-kg subsidy of each paid pair
    pairs_by[..., in_sel, :] = paid_by
    pairs_by[..., ~in_sel, :] = ops_rest_by
    ops = np.zeros(lead + cal.shape)
    ops[..., pr_, pk_] = pairs_by.sum(axis=-1)
    p_none = spread(breakeven_price(*fin_args, **common))
    k_now = (sy.years[yi] - cy[si]).astype(np.int64)
    ops_now = np.where(k_now < L, ops[..., np.arange(len(si)), np.minimum(k_now, L - 1)], 0.0)
    pos = np.full(cal.shape, -1)
    pos[pr_, pk_] = np.arange(len(pr_))
    now = np.where(k_now < L, pos[np.arange(len(si)), np.minimum(k_now, L - 1)], -1)
    ops_now_by = np.where((now >= 0)[:, None], pairs_by[..., np.maximum(now, 0), :], 0.0) if len(pr_) \
        else np.zeros(lead + (len(si), len(h2_progs)))
    cost_none, cost_sub = annualised_costs(K_equip, F, c, kg, fin, land_lease_cny_per_year=lease,
                                           land_cny=land,
                                           replacement_share=rep_variant[..., vi, :],
                                           capital_subsidy_cny=G * rebase,
                                           operating_subsidy_cny_per_kg=ops * rebase[..., None])
    return StationPrices(kg_per_year=kg, capital_subsidy_cny=G, operating_subsidy_cny_per_kg=ops,
                         operating_subsidy_now_cny_per_kg=ops_now, price_ex_vat_cny_per_kg=p_none,
                         price_with_subsidy_ex_vat_cny_per_kg=price, vat_rate=vat, finance=fin,
                         rebase=rebase, annualised_cost_cny_per_year=cost_none * (1.0 + vat),
                         annualised_cost_with_subsidy_cny_per_year=cost_sub * (1.0 + vat),
                         capital_programmes=cap_progs, operating_programmes=h2_progs,
                         capital_subsidy_by_programme_cny=G_full,
                         operating_subsidy_now_by_programme_cny_per_kg=ops_now_by)


def annualised_costs(capex_cny, fixed_cny_per_year, variable_cny_per_kg, kg_per_year,
                     finance: FinanceAssumptions, *, land_lease_cny_per_year=None, land_cny=None,
                     replacement_share=None, capital_subsidy_cny=None,
                     operating_subsidy_cny_per_kg=None) -> tuple[np.ndarray, np.ndarray]:
    r"""Annualised cost ex VAT of station-years, without and with subsidies, CNY/year.

    The annualised cost of a station-year is the constant real annual revenue ex VAT
    (CNY of the price year per year) at which the station's equity NPV over its life is
    zero if it sold every year what it sells this year: the revenue requirement of the
    break-even convention. It is finite for every station-year, idle ones included, and
    where the station sells :math:`q > 0` kg/year it equals :math:`P^* q` exactly.

    Because every cash flow of :func:`h2model.finance.breakeven_price` is linear in sales
    at flat sales, :math:`P^*(q)\,q = \mathcal{B}(q)/(\mathcal{A}(q)/q)`; the function
    evaluates the engine at one kg a year with the year's variable cost and per-kg
    subsidies scaled by :math:`q` (``variable * q`` CNY, ``subsidy * q`` CNY per year),
    which gives that quotient in one call, for idle rows (:math:`q = 0`) as well.

    Parameters
    ----------
    capex_cny, fixed_cny_per_year, variable_cny_per_kg, kg_per_year : array_like
        As for :func:`h2model.finance.breakeven_price` (kg/year flat, no year axis).
    finance : FinanceAssumptions
        With the ramp-up off (the station-year convention).
    land_lease_cny_per_year, land_cny, replacement_share, capital_subsidy_cny : array_like, optional
        As for :func:`h2model.finance.breakeven_price` (``capex_cny`` then excludes land;
        subsidies in the engine's money basis).
    operating_subsidy_cny_per_kg : array_like, shape (..., L), optional
        Per-kg subsidy in each operating year, in the engine's money basis, CNY/kg.

    Returns
    -------
    tuple of numpy.ndarray
        Annualised cost ex VAT without subsidies and with them, CNY/year.

    Examples
    --------
    Equity only, no tax or inflation: capital recovery plus O&M plus variable cost.

    >>> fin = FinanceAssumptions(discount_rate=0.08, station_life_years=20)
    >>> none, _ = annualised_costs(8e6, 6e5, 25.0, np.array([0.0, 365_000.0]), fin)
    >>> from h2model.finance import capital_recovery_factor
    >>> fixed = 8e6 * capital_recovery_factor(0.08, 20) + 6e5
    >>> bool(np.allclose(none, [fixed, fixed + 25.0 * 365_000.0], rtol=1e-12))
    True
    """
    kg = np.asarray(kg_per_year, dtype=float)
    common = {"land_lease_cny_per_year": land_lease_cny_per_year, "land_cny": land_cny,
              "replacement_share": replacement_share}
    variable = np.asarray(variable_cny_per_kg, dtype=float) * kg
    none = breakeven_price(capex_cny, fixed_cny_per_year, variable, 1.0, finance, **common)
    ops = None if operating_subsidy_cny_per_kg is None else (
        np.asarray(operating_subsidy_cny_per_kg, dtype=float) * kg[..., None])
    with_sub = breakeven_price(capex_cny, fixed_cny_per_year, variable, 1.0, finance,
                               capital_subsidy_cny=capital_subsidy_cny, operating_subsidy_cny_per_kg=ops,
                               **common)
    return none, with_sub


def network_price(sy: StationYears, kg_per_year, annualised_cost_cny_per_year) -> np.ndarray:
    r"""Network price of each year: the price that recovers the cost of every operating station.

    .. math::

        \bar P_y = \frac{\sum_s C_{s,y}}{\sum_s q_{s,y}}

    over **all** station-years operating in year :math:`y`, idle ones (:math:`q = 0`)
    included, where :math:`C_{s,y}` is the annualised cost (:func:`annualised_costs`,
    incl. VAT) and :math:`q_{s,y}` kg sold. It is the average retail price at which the
    network as a whole breaks even; the volume-weighted break-even price of the stations
    that sell (:func:`sellers_volume_weighted_price`) leaves out idle stations' costs.

    Parameters
    ----------
    sy : StationYears
        Rows (sorted by year).
    kg_per_year : array_like, shape (..., n_rows)
        Sales :math:`q`, kg/year.
    annualised_cost_cny_per_year : array_like, shape (..., n_rows)
        Annualised cost :math:`C`, CNY/year.

    Returns
    -------
    numpy.ndarray, shape (..., n_years)
        Network price, CNY/kg; NaN in years without sales.
    """
    q = np.asarray(kg_per_year, dtype=float)
    cost = _sum_by_year(sy, np.asarray(annualised_cost_cny_per_year, dtype=float))
    kg = _sum_by_year(sy, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(kg > 0, cost / np.where(kg > 0, kg, 1.0), np.nan)


def sellers_volume_weighted_price(sy: StationYears, kg_per_year, price_cny_per_kg) -> np.ndarray:
    r"""Volume-weighted break-even price of each year over the station-years that **sell**.

    .. math::

        \bar P^{sell}_y = \frac{\sum_s q_{s,y} P_{s,y}}{\sum_s q_{s,y}}, \qquad s : q_{s,y} > 0

    It leaves out the cost of idle stations, so it is not the city's price (that is
    :func:`network_price`); it is kept as a diagnostic of the stations that sell.

    Parameters
    ----------
    sy : StationYears
        Rows (sorted by year).
    kg_per_year : array_like, shape (..., n_rows)
        Sales :math:`q`, kg/year.
    price_cny_per_kg : array_like, shape (..., n_rows)
        Prices :math:`P`, CNY/kg (ignored where nothing is sold).

    Returns
    -------
    numpy.ndarray, shape (..., n_years)
        Volume-weighted price, CNY/kg; NaN in years without sales.
    """
    q = np.asarray(kg_per_year, dtype=float)
    p = np.asarray(price_cny_per_kg, dtype=float)
    sell = q > 0
    qw = np.where(sell, q, 0.0)
    qp = np.where(sell, q * np.where(sell, p, 0.0), 0.0)
    num, den = _sum_by_year(sy, qp), _sum_by_year(sy, qw)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _sum_by_year(sy: StationYears, x: np.ndarray) -> np.ndarray:
    """Sum of ``x (..., n_rows)`` over each year's rows (a loop over the few years)."""
    starts = sy.year_starts
    out = np.zeros(x.shape[:-1] + (len(sy.years),))
    for j in range(len(sy.years)):
        out[..., j] = x[..., starts[j]:starts[j + 1]].sum(axis=-1)
    return out
