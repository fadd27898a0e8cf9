r"""Discounted-cash-flow finance engine: break-even hydrogen price and its parts.

The engine answers one question for many stations at once: *at what constant
real hydrogen price (CNY/kg) is the investor's net present value zero?* Every
function broadcasts over any number of leading axes (stations, scenarios,
Monte Carlo draws); inputs that vary by operating year carry one trailing year
axis. There is no Python loop over stations, scenarios or draws.

Public API
----------
- :class:`FinanceAssumptions` -- the Finance sheet as a frozen dataclass.
- :func:`breakeven_price` -- break-even price ex VAT, CNY/kg (closed form).
- :func:`breakeven_price_incl_vat` -- the same price including output VAT.
- :func:`levelised_cost` -- the break-even price split into cost components.
- :func:`cash_flows` -- the explicit year-by-year equity cash-flow table.
- :func:`ex_vat` -- a VAT-inclusive price net of its creditable input VAT.
- :func:`discount_factors`, :func:`present_value`, :func:`annuity_factor`,
  :func:`capital_recovery_factor`, :func:`npv`, :func:`period_discount_factors`
  -- the model's one set of discounting helpers (each states its timing: end-of-year
  amounts, first year discounted or not); every other module calls them.
- :func:`nominal_rate`, :func:`depreciation_weights`, :func:`ramp_up_shares` --
  identities and helpers.

Timing conventions (``convention="h2model"``, the default)
-----------------------------------------------------------
- Years are indexed :math:`t = 0, 1, \dots, C + L - 1` with :math:`C` =
  ``construction_years`` (at least 1) and :math:`L` = ``station_life_years``.
  Every cash flow happens at the **end** of its year and is discounted by
  :math:`(1+\rho)^{-t}`: year 0 is not discounted, so present values are in
  money of the end of year 0 (the investment date).
- Construction takes years :math:`0 \dots C-1`; capital is spent in equal
  real shares in those years (all of it in year 0 when :math:`C = 1`).
  Operation runs in years :math:`C \dots C+L-1`; "operating year
  :math:`k`" is :math:`t = C - 1 + k`, :math:`k = 1 \dots L`.
- Money inputs are real CNY of the case's price year (= year 0) and escalate
  with general inflation :math:`i`: a real amount :math:`X` is
  :math:`X (1+i)^t` nominal in year :math:`t`. Subsidies are the exception:
  they are **nominal** CNY as stated by the policy (they do not inflate).
- ``discount_rate`` :math:`r` is the real, after-tax return required on
  equity; cash flows are discounted at the nominal rate
  :math:`\rho = (1+r)(1+i) - 1`. With ``debt_share = 0`` it is simply the
  project discount rate. Debt is modelled explicitly (flow-to-equity): a
  share of construction capital is borrowed at ``debt_rate`` (nominal) and
  repaid as a level annuity over ``debt_tenor_years``, starting the year after
  each draw; interest is tax-deductible.
- Income tax is linear in taxable income: **tax losses are assumed usable**
  (consolidated with the owner's other profits, as ProFAST's "tax losses
  monetized"), so a loss year yields a tax credit. This keeps NPV linear in
  price, which is what makes the closed form exact.
- Depreciation is straight-line over ``depreciation_years`` (or Chinese
  double-declining balance, see :func:`depreciation_weights`) on nominal cost,
  starting in the first operating year for construction capital and in the
  year of spending for replacements; book value left at the end of the life
  is written off (deducted) in the final year.
- Fixed O&M and land lease are paid in operating years only and do not ramp;
  sales (and so revenue and variable cost) follow the ramp-up. Working
  capital, a share of each operating year's revenue, is held at the year's
  end and released at the end of the life; it is a nominal item, so it costs
  more with inflation. Salvage is real, received at the end of the life and
  taxed on its gain over the remaining book value.
- Land purchase (``land_cny``) follows the H2A convention: bought with the
  construction capital, never depreciated, and recovered at its real value at
  the end of the life; only its nominal (inflation) gain is taxed.
- A one-off capital grant is, under Chinese income tax (Caishui [2011] No. 70),
  either taxable income on receipt (the asset is depreciated in full) or a
  non-taxable special-purpose fund whose spending is not deductible (excluded
  from the depreciable base); ``FinanceAssumptions.capital_grant_taxable``
  chooses, default the latter.
- The price :math:`P` is constant in real terms (its nominal value rises with
  general inflation) and excludes VAT. Output VAT is passed through to the
  tax authority: it neither adds to revenue nor to cost, so the retail price
  is :math:`P(1+v)`. Every cost input must be **ex VAT**: the station reclaims
  the input VAT on what it buys, so VAT-inclusive tariffs are divided by
  :math:`1 +` their rate before they get here (:func:`ex_vat`).

The break-even price
--------------------
Because every cash flow is linear in :math:`P`,
:math:`\mathrm{NPV}(P) = P\,\mathcal{A} - \mathcal{B}` and

.. math::

    P^* = \frac{\mathcal{B}}{\mathcal{A}}, \qquad
    \mathcal{A} = (1-\tau)\sum_t q_t u_t - w\,\frac{\rho}{1+\rho}
        \sum_{t<t_\mathrm{end}} q_t u_t, \qquad
    u_t = (1+i)^{t-b} (1+\rho)^{-t} = \frac{(1+i)^{-b}}{(1+r)^{t}},

where :math:`q_t` is kg sold in year :math:`t`, :math:`\tau` the income tax
rate, :math:`w` the working-capital share of revenue and :math:`b` the money
base year (0 here). :math:`\mathcal{B}` is the present value of all other
equity cash flows, each reduced to a handful of per-case present-value factors
(see :func:`breakeven_price`). :func:`cash_flows` builds the same cash flows
year by year instead; the tests check that the two agree (NPV zero, IRR equal
to the discount rate at :math:`P^*`).

ProFAST convention (``convention="profast"``)
---------------------------------------------
NREL's ProFAST [1]_ makes different but equally defensible choices. With
``convention="profast"`` the engine follows them so that its prices can be
checked against ProFAST to rounding:

- all construction capital is spent at :math:`t = 0` at its stated value
  (ProFAST's ``installation months`` = :math:`12(C-1)` then delay the start
  of operation to :math:`t = C`);
- money inputs and the price are in money of year 1 (ProFAST's "analysis
  start year"): :math:`b = 1`, so a real amount is :math:`X(1+i)^{t-1}`;
  replacement capital ("refurbishment") is not escalated;
- the loan ("One time loan") is :math:`\delta (K - G)`: the debt share of
  capital net of the one-off capital subsidy :math:`G`, drawn at
  :math:`t = 0` and repaid in **monthly** level instalments summed by year;
- the one-off capital subsidy is received at :math:`t = 0`.

ProFAST has no working capital as a share of revenue and no salvage share (set
them to zero when comparing), treats sales tax as an expense fraction
:math:`s` of gross sales (:math:`s = v/(1+v)` reproduces the VAT-inclusive
price), and refuses cases whose depreciation runs past the end of the life.
With these, prices agree with ProFAST to about :math:`10^{-14}` (tests).

One ProFAST behaviour is **not** emulated: when a later capital outlay (a
replacement) exceeds the year's cash, ProFAST borrows the shortfall at the
initial debt share on a new loan. The shortfall is :math:`\max(0, \cdot)` of
a price-dependent amount, so NPV is no longer linear in price; h2model funds
replacements from equity in both conventions. With debt and a compressor
replacement the break-even price is slightly higher than ProFAST's (0.08 %
in the test case ``debt_and_replacement``, at most 0.35 % over 200 random
benchmark cases).

References
----------
.. [1] Kee, J. and Penev, M. (2023). ProFAST: Production Financial Analysis
   Scenario Tool. National Renewable Energy Laboratory, SWR-23-88.
   https://github.com/NREL/ProFAST
.. [2] Short, W., Packey, D. J. and Holt, T. (1995). A Manual for the Economic
   Evaluation of Energy Efficiency and Renewable Energy Technologies.
   NREL/TP-462-5173, National Renewable Energy Laboratory.
.. [3] Brealey, R. A., Myers, S. C. and Allen, F. (2020). Principles of
   Corporate Finance, 13th ed., McGraw-Hill, ch. 19 (flow-to-equity valuation).
.. [4] State Taxation Administration of China (2009). Notice on accelerated
   depreciation of fixed assets, Guo Shui Fa [2009] No. 81 (double-declining
   balance with straight-line amortisation in the last two years).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy_financial as npf

__all__ = [
    "CONVENTIONS",
    "CashFlows",
    "FinanceAssumptions",
    "LevelisedCost",
    "TIMINGS",
    "annuity_factor",
    "breakeven_price",
    "breakeven_price_incl_vat",
    "capital_recovery_factor",
    "cash_flows",
    "depreciation_weights",
    "discount_factors",
    "ex_vat",
    "irr",
    "levelised_cost",
    "nominal_cny",
    "nominal_rate",
    "npv",
    "period_discount_factors",
    "present_value",
    "ramp_up_shares",
]

#: Supported timing conventions, see the module docstring.
CONVENTIONS = ("h2model", "profast")

# Fields of FinanceAssumptions that may be arrays (broadcast over leading axes).
_RATE_FIELDS = (
    "discount_rate",
    "inflation_rate",
    "income_tax_rate",
    "vat_rate",
    "debt_share",
    "debt_rate",
    "working_capital_share",
    "salvage_share",
    "ramp_start_share",
)
# Fields that shape the year axis: scalar integers.
_YEAR_FIELDS = (
    "debt_tenor_years",
    "depreciation_years",
    "construction_years",
    "station_life_years",
    "ramp_up_years",
)
# Keys of the workbook's Finance sheet, in sheet order.
_SHEET_KEYS = (
    "discount_rate",
    "inflation_rate",
    "income_tax_rate",
    "vat_rate",
    "debt_share",
    "debt_rate",
    "debt_tenor_years",
    "depreciation_years",
    "declining_balance",
    "construction_years",
    "station_life_years",
    "working_capital_share",
    "salvage_share",
    "ramp_up_years",
    "ramp_start_share",
)
# Finance keys with a default when a mapping lacks them (added after the others).
_OPTIONAL_SHEET_KEYS = {"capital_grant_taxable": 0}

# (year x case) elements evaluated at once: 4096 cases of a 20-year life. Small
# chunks keep the temporaries in cache and the (profiles x years) @ (years x
# cases) products below OpenBLAS's threading threshold; threaded, these skinny
# products ran up to 50x slower on a 2-core machine (benchmarks/bench_finance.py).
_CHUNK_ELEMENTS = 4096 * 21


@dataclasses.dataclass(frozen=True)
class FinanceAssumptions:
    r"""Finance assumptions of a case (the workbook's Finance sheet).

    Rate fields may be floats or arrays that broadcast against the leading
    (station, scenario, draw) axes of the cost inputs, e.g. a Monte Carlo draw
    of the discount rate. Year counts shape the time axis and must be scalar
    integers.

    Parameters
    ----------
    discount_rate : float or array_like
        Real after-tax return required on equity, per year (fraction). With
        ``debt_share = 0`` this is the project's real discount rate.
    station_life_years : int
        Operating life :math:`L`, years.
    inflation_rate : float or array_like, default 0
        General inflation, per year (fraction). 0 gives a real analysis.
    income_tax_rate : float or array_like, default 0
        Corporate income tax rate (fraction of taxable income); losses are
        assumed usable against other profits.
    vat_rate : float or array_like, default 0
        VAT rate on retail hydrogen sales (fraction of the ex-VAT price).
    debt_share : float or array_like, default 0
        Share of construction capital financed by the loan (fraction).
    debt_rate : float or array_like, default 0
        Nominal loan interest rate, per year (fraction).
    debt_tenor_years : int, default 0
        Loan tenor, years (at least 1 if ``debt_share > 0``; at most
        ``station_life_years``).
    depreciation_years : int, optional
        Tax depreciation period, years. Defaults to ``station_life_years``.
    declining_balance : bool, default False
        Use double-declining-balance depreciation (Chinese rule, see
        :func:`depreciation_weights`) instead of straight-line.
    construction_years : int, default 1
        Construction period :math:`C` in years; operation starts in year
        :math:`C`.
    working_capital_share : float or array_like, default 0
        Working capital held during operation, as a share of the year's
        revenue ex VAT (fraction); released at the end of the life.
    salvage_share : float or array_like, default 0
        Salvage value at the end of the life as a share of (real) capex
        (fraction); taxed as a gain over the remaining book value.
    ramp_up_years : int, default 0
        Years over which utilisation ramps linearly to 1.
    ramp_start_share : float or array_like, default 1
        Utilisation share in the first operating year (fraction); share in
        operating year :math:`k` is :math:`s_0 + (1 - s_0)(k-1)/R` for
        :math:`k \le R` and 1 afterwards (see :func:`ramp_up_shares`).
    capital_grant_taxable : bool, default False
        Tax treatment of one-off capital grants under Chinese income tax rules
        (Caishui [2011] No. 70), one or the other: ``False`` (default) -- a
        non-taxable special-purpose fund: the grant is not income and the
        spending it pays for is not deductible, so it is excluded from the
        depreciable base; ``True`` -- the grant is taxable income when received
        and the asset is depreciated in full. The default of the
        ``capital_subsidy_taxable`` argument of :func:`breakeven_price`.
    convention : {"h2model", "profast"}, default "h2model"
        Timing conventions; see the module docstring.

    Examples
    --------
    >>> fin = FinanceAssumptions.from_mapping(
    ...     {"discount_rate": 0.08, "inflation_rate": 0.02, "income_tax_rate": 0.25,
    ...      "vat_rate": 0.13, "debt_share": 0.5, "debt_rate": 0.045,
    ...      "debt_tenor_years": 10, "depreciation_years": 10, "declining_balance": 0,
    ...      "construction_years": 1, "station_life_years": 20,
    ...      "working_capital_share": 0.05, "salvage_share": 0.0, "ramp_up_years": 2,
    ...      "ramp_start_share": 0.5, "price_year": 2024, "usd_cny": 7.1})
    >>> fin.station_life_years, fin.declining_balance
    (20, False)
    >>> round(fin.nominal_discount_rate, 4)
    0.1016
    """

    discount_rate: Any
    station_life_years: int
    inflation_rate: Any = 0.0
    income_tax_rate: Any = 0.0
    vat_rate: Any = 0.0
    debt_share: Any = 0.0
    debt_rate: Any = 0.0
    debt_tenor_years: int = 0
    depreciation_years: int | None = None
    declining_balance: bool = False
    construction_years: int = 1
    working_capital_share: Any = 0.0
    salvage_share: Any = 0.0
    ramp_up_years: int = 0
    ramp_start_share: Any = 1.0
    capital_grant_taxable: bool = False
    convention: str = "h2model"

    def __post_init__(self) -> None:
        setattr_ = functools.partial(object.__setattr__, self)
        if self.depreciation_years is None:
            setattr_("depreciation_years", self.station_life_years)
        for name in _YEAR_FIELDS:
            setattr_(name, _as_year_count(name, getattr(self, name)))
        setattr_("declining_balance", _as_flag("declining_balance", self.declining_balance))
        setattr_("capital_grant_taxable", _as_flag("capital_grant_taxable", self.capital_grant_taxable))
        for name in _RATE_FIELDS:
            value = getattr(self, name)
            arr = np.asarray(value, dtype=float)
            setattr_(name, float(arr) if arr.ndim == 0 else arr)
        if self.convention not in CONVENTIONS:
            raise ValueError(f"convention={self.convention!r}: must be one of {CONVENTIONS}")
        checks = (
            ("discount_rate", self.discount_rate, "> -1", lambda x: x > -1),
            ("inflation_rate", self.inflation_rate, "> -1", lambda x: x > -1),
            ("income_tax_rate", self.income_tax_rate, "in [0, 1)", lambda x: (x >= 0) & (x < 1)),
            ("vat_rate", self.vat_rate, ">= 0", lambda x: x >= 0),
            ("debt_share", self.debt_share, "in [0, 1]", lambda x: (x >= 0) & (x <= 1)),
            ("debt_rate", self.debt_rate, "> -1", lambda x: x > -1),
            ("working_capital_share", self.working_capital_share, ">= 0", lambda x: x >= 0),
            ("salvage_share", self.salvage_share, ">= 0", lambda x: x >= 0),
            ("ramp_start_share", self.ramp_start_share, "in [0, 1]", lambda x: (x >= 0) & (x <= 1)),
        )
        for name, value, rule, ok in checks:
            if not np.all(ok(np.asarray(value))):
                raise ValueError(f"{name}={_short(value)}: must be {rule}")
        for name in ("construction_years", "station_life_years", "depreciation_years"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)}: must be >= 1")
        if self.debt_tenor_years > self.station_life_years:
            raise ValueError(
                f"debt_tenor_years={self.debt_tenor_years}: must be <= "
                f"station_life_years={self.station_life_years}"
            )
        if self.debt_tenor_years < 1 and np.any(np.asarray(self.debt_share) > 0):
            raise ValueError(f"debt_tenor_years={self.debt_tenor_years}: must be >= 1 when debt_share > 0")

    @classmethod
    def from_mapping(cls, d: Mapping[str, float], *, convention: str = "h2model") -> FinanceAssumptions:
        """Build from the Finance sheet's key -> value mapping.

        Parameters
        ----------
        d : mapping of str to float
            Must contain every Finance key (the field names above, except
            ``convention`` and ``capital_grant_taxable``, which defaults to 0);
            other keys (``price_year``, analysis years, ``usd_cny``, ...) are
            ignored. Year counts and the 0/1 flags must be whole numbers.
        convention : {"h2model", "profast"}, default "h2model"
            Timing conventions.

        Returns
        -------
        FinanceAssumptions

        Raises
        ------
        KeyError
            If a Finance key is missing.
        """
        missing = [k for k in _SHEET_KEYS if k not in d]
        if missing:
            raise KeyError(f"Finance keys missing: {', '.join(missing)}")
        optional = {k: d.get(k, default) for k, default in _OPTIONAL_SHEET_KEYS.items()}
        return cls(**{k: d[k] for k in _SHEET_KEYS}, **optional, convention=convention)

    @property
    def nominal_discount_rate(self) -> Any:
        r"""Nominal equity discount rate :math:`\rho = (1+r)(1+i) - 1`, per year."""
        return nominal_rate(self.discount_rate, self.inflation_rate)

    @property
    def years(self) -> int:
        """Length of the year axis, :math:`C + L`."""
        return self.construction_years + self.station_life_years


def _as_year_count(name: str, value: Any) -> int:
    arr = np.asarray(value)
    if arr.ndim != 0:
        raise ValueError(f"{name}={_short(value)}: year counts must be scalars")
    x = float(arr)
    if not math.isfinite(x) or x != int(x) or x < 0:
        raise ValueError(f"{name}={value!r}: must be a whole number of years >= 0")
    return int(x)


def _as_flag(name: str, value: Any) -> bool:
    if value in (0, 1, True, False):
        return bool(value)
    raise ValueError(f"{name}={value!r}: must be 0 or 1")


def _short(value: Any) -> str:
    arr = np.asarray(value)
    return repr(float(arr)) if arr.ndim == 0 else f"array(shape={arr.shape})"


# ---------------------------------------------------------------------------
# Small identities
# ---------------------------------------------------------------------------


def nominal_rate(real_rate: Any, inflation_rate: Any) -> Any:
    r"""Nominal rate from a real rate and inflation (Fisher relation).

    .. math:: \rho = (1 + r)(1 + i) - 1

    Parameters
    ----------
    real_rate : float or array_like
        Real rate :math:`r`, per year (fraction).
    inflation_rate : float or array_like
        General inflation :math:`i`, per year (fraction).

    Returns
    -------
    float or numpy.ndarray
        Nominal rate :math:`\rho`, per year (fraction).

    References
    ----------
    Short, W., Packey, D. J. and Holt, T. (1995). A Manual for the Economic
    Evaluation of Energy Efficiency and Renewable Energy Technologies.
    NREL/TP-462-5173.

    Examples
    --------
    >>> round(nominal_rate(0.08, 0.02), 6)
    0.1016
    """
    rho = (1.0 + np.asarray(real_rate, dtype=float)) * (1.0 + np.asarray(inflation_rate, dtype=float)) - 1.0
    return float(rho) if rho.ndim == 0 else rho


def nominal_cny(real_cny: Any, year: Any, price_year: int, inflation_rate: Any) -> Any:
    r"""Real CNY of the price year to nominal CNY of ``year``: :math:`X(1+i)^{y-p}`.

    The one conversion from the case's real money to money of a calendar year (price
    targets and subsidy amounts are nominal). A pandas Series stays a Series.

    >>> round(float(nominal_cny(35.0, 2026, 2024, 0.02)), 4)
    36.414
    """
    factor = (1.0 + np.asarray(inflation_rate, dtype=float)) ** (np.asarray(year, dtype=float) - price_year)
    if hasattr(real_cny, "index") and hasattr(real_cny, "to_numpy"):
        return real_cny * factor
    return np.asarray(real_cny, dtype=float) * factor
def ex_vat(price_incl_vat: Any, vat_rate: Any) -> Any:
    r"""Price net of VAT, for a VAT-inclusive tariff whose input VAT is credited.

    .. math:: p_\mathrm{ex} = \frac{p_\mathrm{incl}}{1 + v}

    A VAT taxpayer (a refuelling station) deducts the input VAT on what it buys
    from the output VAT on its sales, so its cost is the price ex VAT. Use this
    wherever a VAT-inclusive input (electricity and diesel tariffs) becomes a
    station cost; vehicle operators' costs (TCO) stay on the prices they pay.

    Parameters
    ----------
    price_incl_vat : float or array_like
        Price including VAT, any unit (e.g. CNY/kWh).
    vat_rate : float or array_like
        VAT rate :math:`v` on that good (fraction).

    Returns
    -------
    float or numpy.ndarray
        Price excluding VAT, same unit.

    Examples
    --------
    >>> round(ex_vat(0.8, 0.13), 6)  # 0.8 CNY/kWh incl. 13 % VAT
    0.707965
    """
    p = np.asarray(price_incl_vat, dtype=float) / (1.0 + np.asarray(vat_rate, dtype=float))
    return float(p) if p.ndim == 0 else p


# ---------------------------------------------------------------------------
# Discounting: the model's one set of discounting helpers
# ---------------------------------------------------------------------------
#
# Every discounting step of h2model (vehicle TCO, abatement, tube-trailer capital,
# station finance, the network plan's period weights) calls these. All take the rate
# as an argument (they never read a case) and broadcast over leading axes (draws,
# stations); a year axis, where there is one, is last. Amounts are paid at the end of
# their year; what differs between helpers is the valuation date, stated in each.

#: Timing conventions of :func:`discount_factors`: ``"end"`` discounts year 1 by
#: one year (valuation at the start of year 1); ``"start"`` leaves the first year
#: undiscounted (valuation at the end of year 0, as :func:`npv`).
TIMINGS = ("end", "start")


def discount_factors(rate: Any, years: int, *, timing: str = "end") -> np.ndarray:
    r"""Discount factors of ``years`` consecutive years, on a trailing year axis.

    .. math::

        d_t = (1 + r)^{-t}, \qquad
        t = 1, \dots, T \ (\texttt{"end"}) \quad\text{or}\quad
        t = 0, \dots, T - 1 \ (\texttt{"start"})

    ``timing="end"`` (default, the vehicle TCO's convention): the amount of year
    :math:`t` is paid at its end and valued at the start of year 1, so even the
    first year is discounted by one year. ``timing="start"`` (:func:`npv`'s and
    the finance engine's convention, year 0 = the investment year): the first
    year is not discounted.

    Parameters
    ----------
    rate : float or array_like
        Discount rate :math:`r`, per year (fraction), any leading shape (draws).
    years : int
        Number of years :math:`T`.
    timing : {"end", "start"}
        Whether the first year is discounted by one year (``"end"``) or not.

    Returns
    -------
    numpy.ndarray
        Shape ``np.shape(rate) + (years,)`` (-).

    Examples
    --------
    >>> discount_factors(0.25, 3).tolist()
    [0.8, 0.64, 0.512]
    >>> discount_factors(0.25, 3, timing="start").tolist()
    [1.0, 0.8, 0.64]
    >>> discount_factors([0.0, 1.0], 2).tolist()
    [[1.0, 1.0], [0.5, 0.25]]
    """
    if timing not in TIMINGS:
        raise ValueError(f"timing={timing!r}: must be one of {TIMINGS}")
    r = np.asarray(rate, dtype=float)
    t = np.arange(1, years + 1) if timing == "end" else np.arange(years)
    return (1.0 + r[..., None]) ** -t


def present_value(per_year: Any, rate: Any, lifetime_years: Any) -> np.ndarray:
    r"""Present value of a yearly path over its first ``lifetime_years`` years.

    .. math:: PV = \sum_{t=1}^{L} c_t \, (1 + r)^{-t}

    End-of-year amounts valued at the start of year 1 (:func:`discount_factors`
    with ``timing="end"``): the first year is discounted by one year. Years of
    life beyond ``lifetime_years`` are ignored, so one path can serve several
    lifetimes.

    Parameters
    ----------
    per_year : array_like
        Amounts :math:`c_t` paid at the end of years 1, 2, ... of life, with the years
        on the last axis, shape ``(..., T)``; a last axis of length 1 (or a scalar) is
        the same amount every year. ``T`` must cover the longest lifetime (any unit,
        e.g. CNY/year).
    rate : float or array_like
        Discount rate :math:`r` (1/year), broadcastable with the leading axes.
    lifetime_years : int or array_like of int
        Years :math:`L` counted, broadcastable with the leading axes (years).

    Returns
    -------
    numpy.ndarray
        Present value over the broadcast leading shape (unit of ``per_year`` times year).

    Raises
    ------
    ValueError
        If ``per_year`` covers fewer years than the longest lifetime.

    Examples
    --------
    >>> float(present_value([[100.0, 100.0, 100.0]], 0.25, 2)[0])  # 80 + 64
    144.0
    >>> present_value(1.0, [0.0, 0.25], 3).tolist()  # the annuity factor, summed year by year
    [3.0, 1.952]
    """
    c = np.asarray(per_year, dtype=float)
    life = np.asarray(lifetime_years)
    n = max(int(np.max(life)), 1) if life.size else 1
    if c.ndim == 0:
        c = c[None]
    if c.shape[-1] == 1:
        c = np.broadcast_to(c, c.shape[:-1] + (n,))
    elif c.shape[-1] < n:
        raise ValueError(f"per_year covers {c.shape[-1]} years; the longest lifetime is {n}")
    else:
        c = c[..., :n]
    cum = np.cumsum(c * discount_factors(rate, n), axis=-1)
    cum = np.concatenate([np.zeros(cum.shape[:-1] + (1,)), cum], axis=-1)
    shape = np.broadcast_shapes(cum.shape[:-1], life.shape)
    idx = np.clip(np.broadcast_to(life, shape).astype(np.int64), 0, n)[..., None]
    return np.take_along_axis(np.broadcast_to(cum, shape + (n + 1,)), idx, axis=-1)[..., 0]


def annuity_factor(rate: Any, years: Any) -> Any:
    r"""Present value of 1 a year for ``years`` years (closed form).

    .. math::

        A(r, n) = \sum_{t=1}^{n} (1 + r)^{-t} = \frac{1 - (1 + r)^{-n}}{r},
        \qquad A(0, n) = n

    End-of-year payments valued at the start of year 1 (as :func:`present_value`
    with a flat path, to rounding). Computed as a geometric series with
    ``expm1``/``log1p``, so it is exact at :math:`r = 0` and accepts a
    non-integer :math:`n`.

    Parameters
    ----------
    rate : float or array_like
        Discount rate :math:`r`, per year (fraction).
    years : float or array_like
        Number of annual payments :math:`n`.

    Returns
    -------
    numpy.ndarray
        Annuity factor (years), the broadcast shape of ``rate`` and ``years``.

    Examples
    --------
    >>> float(annuity_factor(0.25, 3))  # 0.8 + 0.64 + 0.512
    1.952
    >>> annuity_factor([0.0, 0.08], 10).round(4).tolist()
    [10.0, 6.7101]
    """
    rate = np.asarray(rate, dtype=float)
    return _geom_sum(-rate / (1.0 + rate), years) / (1.0 + rate)


def capital_recovery_factor(rate: Any, years: Any) -> Any:
    r"""Capital recovery factor: the level annual payment that repays 1 CNY.

    .. math:: \mathrm{CRF}(r, n) = \frac{1}{A(r, n)} = \frac{r}{1 - (1+r)^{-n}}, \qquad
              \mathrm{CRF}(0, n) = \frac{1}{n}

    The reciprocal of :func:`annuity_factor`: payments at the end of years
    :math:`1 \dots n` repay 1 CNY at the start of year 1.

    Parameters
    ----------
    rate : float or array_like
        Discount rate :math:`r`, per year (fraction).
    years : int or array_like
        Number of annual payments :math:`n` (at least 1).

    Returns
    -------
    float or numpy.ndarray
        CRF, 1/year.

    References
    ----------
    Short, W., Packey, D. J. and Holt, T. (1995). A Manual for the Economic
    Evaluation of Energy Efficiency and Renewable Energy Technologies.
    NREL/TP-462-5173.

    Examples
    --------
    >>> round(float(capital_recovery_factor(0.08, 20)), 8)
    0.10185221
    >>> float(capital_recovery_factor(0.0, 4))
    0.25
    """
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    return 1.0 / annuity_factor(rate, years)


def npv(rate: Any, cash_flows_cny: Any) -> Any:
    r"""Net present value of cash flows on a trailing year axis.

    .. math:: \mathrm{NPV} = \sum_{t=0}^{N-1} \frac{CF_t}{(1+\rho)^t}

    Year 0 is not discounted (end-of-year convention with the valuation date
    at the end of year 0; :func:`discount_factors` with ``timing="start"``), as
    :func:`numpy_financial.npv`, but vectorised over leading axes.

    Parameters
    ----------
    rate : float or array_like
        Nominal discount rate :math:`\rho` per year (fraction), broadcasting
        against the leading axes of ``cash_flows_cny``.
    cash_flows_cny : array_like, shape (..., N)
        Nominal cash flows, CNY, year axis last.

    Returns
    -------
    numpy.ndarray or float
        NPV in CNY of year 0, shape of the leading axes.

    Examples
    --------
    >>> round(float(npv(0.1, [-100.0, 60.0, 60.0])), 4)
    4.1322
    >>> bool(np.isclose(npv(0.1, [-100.0, 60.0, 60.0]), npf.npv(0.1, [-100.0, 60.0, 60.0])))
    True
    >>> npv([0.0, 0.1], [[-100.0, 60.0, 60.0]]).round(4)
    array([20.    ,  4.1322])
    """
    cf = np.asarray(cash_flows_cny, dtype=float)
    return np.sum(cf * discount_factors(rate, cf.shape[-1], timing="start"), axis=-1)


def irr(cash_flows_cny: Any, *, near: float = 0.0, low: float = -0.95, high: float = 10.0,
        grid: int = 1000) -> np.ndarray:
    r"""Internal rate of return of cash flows on a trailing year axis, vectorised.

    The rate :math:`\rho` at which :func:`npv` is zero. Flows whose sign changes more
    than once (a grant or a loan in the construction year, a late replacement) can have
    several; the one nearest ``near`` is returned (``near = 0`` is the choice of
    :func:`numpy_financial.irr`). The NPV is evaluated on a grid of ``grid`` rates from
    ``low`` to ``high`` for every row at once, the sign change nearest ``near`` is
    bracketed and refined by bisection (to about :math:`10^{-13}`). NaN where the NPV
    does not change sign in the range (e.g. flows that are all negative).

    Parameters
    ----------
    cash_flows_cny : array_like, shape (..., N)
        Cash flows, year 0 first (undiscounted), year axis last.
    near : float
        Of several roots, the one nearest this rate (e.g. the discount rate).
    low, high : float
        Range of rates searched (per year, fraction).
    grid : int
        Rates evaluated to bracket the roots.

    Returns
    -------
    numpy.ndarray
        IRR per year (fraction), shape of the leading axes.

    Examples
    --------
    >>> round(float(irr([-100.0, 60.0, 60.0])), 6) == round(float(npf.irr([-100.0, 60.0, 60.0])), 6)
    True
    >>> irr([[-100.0, 110.0], [-100.0, -1.0]]).round(6).tolist()
    [0.1, nan]
    """
    cf = np.asarray(cash_flows_cny, dtype=float)
    lead, n = cf.shape[:-1], cf.shape[-1]
    flat = cf.reshape(-1, n)
    rates = np.linspace(low, high, grid)
    powers = (1.0 + rates)[:, None] ** -np.arange(n)[None, :]  # (grid, N)
    values = flat @ powers.T  # (rows, grid)
    sign = np.sign(values)
    change = (sign[:, :-1] * sign[:, 1:] <= 0) & (sign[:, :-1] != 0)
    # of the brackets with a sign change, the one whose midpoint is nearest ``near``
    mid = np.abs((rates[:-1] + rates[1:]) / 2.0 - near)
    pick = np.argmin(np.where(change, mid[None, :], np.inf), axis=1)
    found = change[np.arange(len(flat)), pick]
    a, b = rates[pick].copy(), rates[pick + 1].copy()
    fa = values[np.arange(len(flat)), pick]
    t = np.arange(n)
    for _ in range(60):  # bisection halves the bracket: 60 rounds reach machine precision
        m = (a + b) / 2.0
        fm = np.sum(flat * (1.0 + m)[:, None] ** -t[None, :], axis=1)
        left = np.sign(fm) == np.sign(fa)
        a, fa = np.where(left, m, a), np.where(left, fm, fa)
        b = np.where(left, b, m)
    return np.where(found, (a + b) / 2.0, np.nan).reshape(lead)


def period_discount_factors(period_year: Any, period_weight_years: Any, rate: float):
    r"""Discount factors of planning periods that stand for several years each.

    .. math::

        S_t = v^{\,y_t - w_t + 1 - y_0}, \qquad
        A_t = \sum_{y = y_t - w_t + 1}^{y_t} v^{\,y - y_0}
            = S_t \, \frac{1 - v^{w_t}}{1 - v}, \qquad v = \frac{1}{1 + r}

    with :math:`y_0 = y_1 - w_1 + 1` the first year of the first period. The
    timing is ``"start"`` (:func:`discount_factors`): the first year of the
    horizon is not discounted. :math:`S_t` discounts a one-off amount (a build)
    in the first year of period :math:`t`; :math:`A_t` a yearly amount over all
    :math:`w_t` years of the period (:math:`A_t = w_t` at :math:`r = 0`). With
    one-year periods, :math:`S_t = A_t` = ``discount_factors(r, T, timing="start")``
    to rounding. Used by the network plan (:mod:`h2model.network.build`).

    Parameters
    ----------
    period_year : array_like of int, shape (T,)
        Last year of each period.
    period_weight_years : array_like of int, shape (T,)
        Years each period stands for.
    rate : float
        Real discount rate *r*, fraction per year.

    Returns
    -------
    start_factor, annual_factor : numpy.ndarray, shape (T,)
        :math:`S_t` (dimensionless) and :math:`A_t` (years).

    Examples
    --------
    >>> s, a = period_discount_factors([2021, 2023], [1, 2], 0.1)
    >>> [round(float(v), 6) for v in s], [round(float(v), 6) for v in a]  # a[1] = 1/1.1 + 1/1.1**2
    ([1.0, 0.909091], [1.0, 1.735537])
    """
    year = np.asarray(period_year, dtype=float)
    weight = np.asarray(period_weight_years, dtype=float)
    first = year - weight + 1.0
    y0 = first[0]
    v = 1.0 / (1.0 + rate)
    start = v ** (first - y0)
    if rate == 0:
        annual = weight.copy()
    else:
        annual = start * (1.0 - v**weight) / (1.0 - v)
    return start, annual


@functools.lru_cache(maxsize=64)
def _depreciation_weights_cached(years: int, declining_balance: bool) -> np.ndarray:
    n = int(years)
    if not declining_balance or n <= 2:
        w = np.full(n, 1.0 / n)
    else:
        w = np.empty(n)
        book = 1.0
        for j in range(n - 2):
            w[j] = book * 2.0 / n
            book -= w[j]
        w[n - 2 :] = book / 2.0
    w.setflags(write=False)
    return w


def depreciation_weights(years: int, declining_balance: bool = False) -> np.ndarray:
    r"""Share of an asset's cost depreciated in each year of its tax life.

    Straight-line: :math:`w_j = 1/n`. Double-declining balance, as allowed for
    accelerated depreciation in China [1]_: :math:`w_j = (2/n)(1 - 2/n)^{j-1}`
    for :math:`j \le n - 2`, and the remaining book value is spread evenly
    over the last two years (for :math:`n \le 2` this is straight-line).
    The weights sum to 1.

    Parameters
    ----------
    years : int
        Tax depreciation period :math:`n`, years (at least 1).
    declining_balance : bool, default False
        Double-declining balance instead of straight-line.

    Returns
    -------
    numpy.ndarray, shape (years,)
        Weights :math:`w_1 \dots w_n` (fraction of cost per year), read-only.

    References
    ----------
    .. [1] State Taxation Administration of China (2009), Guo Shui Fa [2009]
       No. 81, art. 4.

    Examples
    --------
    >>> depreciation_weights(4)
    array([0.25, 0.25, 0.25, 0.25])
    >>> depreciation_weights(5, declining_balance=True).round(4)
    array([0.4  , 0.24 , 0.144, 0.108, 0.108])
    """
    n = _as_year_count("years", years)
    if n < 1:
        raise ValueError(f"years={years!r}: must be >= 1")
    return _depreciation_weights_cached(n, bool(declining_balance))


def ramp_up_shares(finance: FinanceAssumptions) -> np.ndarray:
    r"""Utilisation share in each operating year from the ramp-up assumptions.

    .. math:: s_k = \begin{cases} s_0 + (1 - s_0)\dfrac{k-1}{R} & k \le R \\
              1 & k > R \end{cases}, \qquad k = 1 \dots L

    With :math:`s_0 = 1/(R+1)` this is ProFAST's ``demand rampup`` of
    :math:`R` years.

    Parameters
    ----------
    finance : FinanceAssumptions
        Uses ``ramp_up_years`` :math:`R`, ``ramp_start_share`` :math:`s_0`
        and ``station_life_years`` :math:`L`.

    Returns
    -------
    numpy.ndarray, shape (..., L)
        Share of the long-run annual sales in each operating year (fraction);
        leading axes are those of ``ramp_start_share``.

    Examples
    --------
    >>> fin = FinanceAssumptions(0.08, 5, ramp_up_years=2, ramp_start_share=0.5)
    >>> ramp_up_shares(fin)
    array([0.5 , 0.75, 1.  , 1.  , 1.  ])
    """
    p1, p2 = _ramp_profiles(finance.station_life_years, finance.ramp_up_years)
    s0 = np.asarray(finance.ramp_start_share, dtype=float)
    return p1 + s0[..., None] * p2


def _ramp_profiles(life: int, ramp_years: int) -> tuple[np.ndarray, np.ndarray]:
    """Share profile = p1 + s0 * p2 over operating years (affine in s0)."""
    k = np.arange(1, life + 1, dtype=float)
    if ramp_years == 0:
        return np.ones(life), np.zeros(life)
    frac = np.minimum((k - 1.0) / ramp_years, 1.0)
    return frac, 1.0 - frac


# ---------------------------------------------------------------------------
# Closed-form engine
# ---------------------------------------------------------------------------


def _geom_sum(x: Any, n: Any) -> Any:
    r"""Stable :math:`\sum_{k=0}^{n-1} (1+x)^k = ((1+x)^n - 1)/x` (``n`` at 0)."""
    x = np.asarray(x, dtype=float)
    zero = x == 0.0
    safe = np.where(zero, 1.0, x)
    return np.where(zero, n, np.expm1(n * np.log1p(safe)) / safe)


def _loan_factor(rho, debt_rate, tenor, tax, periods):
    r"""Net value to equity of borrowing 1 CNY, at the draw date.

    :math:`\varphi = 1 - \sum_{j=1}^n [(1-\tau) A + \tau P_j] (1+\rho)^{-j}`:
    the loan proceeds less the present value of the after-tax debt service
    (yearly payment :math:`A`, of which principal :math:`P_j`; the interest
    :math:`A - P_j` is deductible). ``periods`` level instalments per year
    (1, or 12 for ProFAST); the principal of a level annuity grows
    geometrically, so both sums are geometric series.
    """
    m = np.asarray(debt_rate, dtype=float) / periods
    n_inst = periods * tenor
    a_m = -npf.pmt(m, n_inst, 1.0)  # level instalment per unit borrowed
    pay_year = periods * a_m
    growth = np.expm1(periods * np.log1p(m))  # (1+m)^periods - 1
    principal_pv = (
        (a_m - m) * _geom_sum(m, periods) / (1.0 + rho) * _geom_sum((growth - rho) / (1.0 + rho), tenor)
    )
    service_pv = (1.0 - tax) * pay_year * annuity_factor(rho, tenor) + tax * principal_pv
    return 1.0 - service_pv


@dataclasses.dataclass(frozen=True)
class _Spec:
    """Integer structure of the time axis and constant profiles (cached)."""

    convention: str
    C: int
    L: int
    T: int
    base: int
    periods: int
    tenor: int
    u_rows: np.ndarray  # (6, T): op, p1, p2, p1 w/o last year, p2 w/o last year, capex spend
    v_rows: np.ndarray  # (2, T): depreciation PV of capex placed at C, one-hot subsidy year
    dep_matrix: np.ndarray  # (T, T): M[tau, p] depreciation at tau per unit placed at p
    p1_op: np.ndarray  # (L,)
    p2_op: np.ndarray  # (L,)


@functools.lru_cache(maxsize=64)
def _spec(convention, C, L, dep_years, declining, ramp_years, tenor) -> _Spec:
    T = C + L
    w = _depreciation_weights_cached(dep_years, declining)
    M = np.zeros((T, T))
    for p in range(T):
        for j, wj in enumerate(w):
            M[min(p + j, T - 1), p] += wj
    p1, p2 = _ramp_profiles(L, ramp_years)
    u_rows = np.zeros((6, T))
    u_rows[0, C:] = 1.0
    u_rows[1, C:] = p1
    u_rows[2, C:] = p2
    u_rows[3, C : T - 1] = p1[:-1]
    u_rows[4, C : T - 1] = p2[:-1]
    u_rows[5, :C] = 1.0 / C
    v_rows = np.zeros((2, T))
    v_rows[0] = M[:, C]
    v_rows[1, C - 1] = 1.0
    profast = convention == "profast"
    for a in (u_rows, v_rows, M, p1, p2):
        a.setflags(write=False)
    return _Spec(
        convention=convention,
        C=C,
        L=L,
        T=T,
        base=1 if profast else 0,
        periods=12 if profast else 1,
        tenor=tenor,
        u_rows=u_rows,
        v_rows=v_rows,
        dep_matrix=M,
        p1_op=p1,
        p2_op=p2,
    )


def _spec_of(fin: FinanceAssumptions) -> _Spec:
    return _spec(
        fin.convention,
        fin.construction_years,
        fin.station_life_years,
        fin.depreciation_years,
        fin.declining_balance,
        fin.ramp_up_years,
        fin.debt_tenor_years,
    )


def _powers(x: Any, T: int) -> np.ndarray:
    """``x**t`` for t = 0..T-1, year axis FIRST: shape (T,) + x.shape."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        return float(x) ** np.arange(T, dtype=float)
    out = np.empty((T,) + x.shape)
    out[0] = 1.0
    for t in range(1, T):  # fixed, short loop over years; vectorised over cases
        np.multiply(out[t - 1], x, out=out[t])
    return out


def _rows_dot(rows: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``rows @ Y`` over the leading (year) axis of Y: (k, T) x (T, ...) -> (k, ...)."""
    if Y.ndim == 1:
        return rows @ Y
    return (rows @ Y.reshape(Y.shape[0], -1)).reshape((rows.shape[0],) + Y.shape[1:])


def _ydot(x: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Sum over years of x (..., n; year last) times Y (n, ...; year first)."""
    if Y.ndim == 1:
        return x @ Y
    if x.ndim == 1:
        return _rows_dot(x[None, :], Y)[0]
    return np.einsum("...t,t...->...", x, Y)


_PART_KEYS = ("price", "Q", "U", "spend", "rep_gross", "salvage", "ops", "capsub", "land")


def _parts(K, F, c, kg, land, rep, G, chi_g, ops, chi_o, land_k, beta, rates, spec, kg_year, want_all):
    """Present-value factors of one chunk; see breakeven_price for the algebra.

    Discount factors are built year-first, shape (T,) + rate shape, and every
    sum over years is one small matrix product with the constant profiles in
    ``spec`` (plus rows for replacement and subsidy profiles shared by all
    cases); per-case year profiles fall back to an einsum.
    """
    r, i, tax = rates["discount_rate"], rates["inflation_rate"], rates["income_tax_rate"]
    D, rd, w = rates["debt_share"], rates["debt_rate"], rates["working_capital_share"]
    sal, s0 = rates["salvage_share"], rates["ramp_start_share"]
    C, T = spec.C, spec.T
    profast = spec.convention == "profast"

    # Year-first arrays have shape (T,) + the broadcast shape of r and i; every
    # other rate multiplies only after the sum over years.
    ri_shape = np.broadcast_shapes(np.shape(r), np.shape(i))
    r, i = np.broadcast_to(r, ri_shape), np.broadcast_to(i, ri_shape)
    one_i = 1.0 + i
    one_rho = (1.0 + r) * one_i
    rho = one_rho - 1.0
    V = _powers(1.0 / one_rho, T)  # nominal discount factors v_t
    Ur = _powers(1.0 / (1.0 + r), T)  # real discount factors (1+r)^-t
    u = Ur / one_i if profast else Ur  # u_t = (1+i)^(t-b) v_t

    # Profiles shared by all cases become extra rows of the two matrix products.
    u_rows, v_rows = [spec.u_rows], [spec.v_rows]
    rep_shared = rep is not None and rep.ndim == 1
    ops_shared = ops is not None and ops.ndim == 1 and not kg_year
    if rep_shared:
        nz = np.flatnonzero(rep)
        rep_row = np.zeros((1, T))
        rep_row[0, C:] = rep
        (v_rows if profast else u_rows).append(rep_row)
        v_rows.append(spec.dep_matrix[:, C + nz].T)
    if ops_shared:
        ops_rows = np.zeros((2, T))
        ops_rows[0, C:] = ops * spec.p1_op
        ops_rows[1, C:] = ops * spec.p2_op
        v_rows.append(ops_rows)
    uP = _rows_dot(np.concatenate(u_rows), u)
    vP = _rows_dot(np.concatenate(v_rows), V)
    nu, nv = spec.u_rows.shape[0], spec.v_rows.shape[0]

    U_op = uP[0]
    u_op = u[C:]
    if kg_year:
        Q = _ydot(kg, u_op)
        Qw = _ydot(kg[..., :-1], u[C : T - 1])
    else:
        Q = kg * (uP[1] + s0 * uP[2])
        Qw = kg * (uP[3] + s0 * uP[4])

    if profast:
        spend, basis, v_cs = 1.0, 1.0, 1.0
    else:
        spend, basis, v_cs = uP[5], _geom_sum(i, C) / C, vP[1]
    if spec.tenor > 0:
        Dphi = D * _loan_factor(rho, rd, spec.tenor, tax, spec.periods)
    else:
        Dphi = 0.0
    u_end, v_end = u[-1], V[-1]

    cap_factor = (1.0 - Dphi) * spend - tax * basis * vP[0] - (1.0 - tax) * sal * u_end
    cost = (1.0 - tax) * (c * Q + (F + land) * U_op) + K * cap_factor

    # Land purchase: spent and borrowed like construction capital, not depreciated,
    # sold at its real value at the end of the life; the nominal gain is taxed.
    pv_land = 0.0
    if land_k is not None:
        pv_land = land_k * (spend - u_end)
        cost = cost + land_k * ((1.0 - Dphi) * spend - (1.0 - tax) * u_end - tax * basis * v_end)

    # Replacements: pre-tax present value and the present value of their depreciation.
    rep_gross = 0.0
    if rep_shared:
        if profast:
            gross, nv = vP[nv], nv + 1
            dep = sum(rep[k] * vP[nv + j] for j, k in enumerate(nz))
        else:
            gross, nu = uP[nu], nu + 1
            dep = sum(rep[k] * one_i ** float(C + k) * vP[nv + j] for j, k in enumerate(nz))
        nv += len(nz)
        cost = cost + K * (gross - tax * dep)
        rep_gross = K * gross
    elif rep is not None:
        dep_op = _rows_dot(spec.dep_matrix[:, C:].T, V)  # Delta_p, p = C..T-1
        if profast:
            gross, dep = _ydot(rep, V[C:]), _ydot(rep, dep_op)
        else:
            gross, dep = _ydot(rep, u_op), _ydot(rep, _powers(one_i, T)[C:] * dep_op)
        cost = cost + K * (gross - tax * dep)
        rep_gross = K * gross

    pv_ops = 0.0
    if ops_shared:
        pv_ops = kg * (vP[nv] + s0 * vP[nv + 1])
    elif ops is not None:
        V_op = V[C:]
        if kg_year:
            pv_ops = _ydot(ops * kg, V_op)
        else:
            p1, p2 = (_year_first(p, V_op) for p in (spec.p1_op, spec.p2_op))
            pv_ops = kg * (_ydot(ops, p1 * V_op) + s0 * _ydot(ops, p2 * V_op))
    if ops is not None:
        cost = cost - (1.0 - tax * chi_o) * pv_ops

    pv_capsub = 0.0
    if G is not None:
        pv_capsub = G * v_cs
        cost = cost - G * ((1.0 - tax * chi_g) * v_cs - (Dphi if profast else 0.0))
        # A grant excluded from the depreciable base (up to the nominal construction cost).
        cost = cost + tax * beta * np.minimum(G, K * basis) * vP[0]

    A = (1.0 - tax) * Q - w * (rho / one_rho) * Qw
    with np.errstate(divide="ignore", invalid="ignore"):
        price = cost / A
    if not want_all:
        return {"price": price}
    return {
        "price": price,
        "Q": Q,
        "U": U_op,
        "spend": spend,
        "rep_gross": rep_gross,
        "salvage": sal * u_end,
        "ops": pv_ops,
        "capsub": pv_capsub,
        "land": pv_land,
    }


def _year_first(profile: np.ndarray, like: np.ndarray) -> np.ndarray:
    """View a (years,) profile with trailing unit axes to multiply a year-first array."""
    return profile.reshape(profile.shape + (1,) * (like.ndim - 1))


def _prepare(capex_cny, fixed_cny_per_year, variable_cny_per_kg, kg_per_year, finance, kw):
    """Validate and convert inputs; returns positional args, rates and core-ndims."""
    if not isinstance(finance, FinanceAssumptions):
        raise TypeError(f"finance must be FinanceAssumptions, not {type(finance).__name__}")
    L = finance.station_life_years
    kg_year = bool(kw["kg_has_year_axis"])

    def arr(name, value, year_axis=False):
        if value is None:
            return None
        a = np.asarray(value, dtype=float)
        if year_axis:
            if a.ndim == 0:
                a = a[None]
            if a.shape[-1] not in (1, L):
                raise ValueError(
                    f"{name}: trailing year axis has length {a.shape[-1]}, expected "
                    f"station_life_years={L} (or 1)"
                )
            if a.shape[-1] == 1 and L > 1:
                a = np.broadcast_to(a, a.shape[:-1] + (L,))
        return a

    K = arr("capex_cny", capex_cny)
    F = arr("fixed_cny_per_year", fixed_cny_per_year)
    c = arr("variable_cny_per_kg", variable_cny_per_kg)
    kg = arr("kg_per_year", kg_per_year, year_axis=kg_year)
    land = arr("land_lease_cny_per_year", kw["land_lease_cny_per_year"])
    rep = arr("replacement_share", kw["replacement_share"], year_axis=True)
    G = arr("capital_subsidy_cny", kw["capital_subsidy_cny"])
    ops = arr("operating_subsidy_cny_per_kg", kw["operating_subsidy_cny_per_kg"], year_axis=True)
    taxable = kw["capital_subsidy_taxable"]
    chi_g = np.asarray(finance.capital_grant_taxable if taxable is None else taxable, dtype=float)
    # Caishui [2011] No. 70: a grant is taxable or its spending is not deductible.
    reduces = kw["capital_subsidy_reduces_basis"]
    beta = 1.0 - chi_g if reduces is None else np.asarray(reduces, dtype=float)
    chi_o = np.asarray(kw["operating_subsidy_taxable"], dtype=float)
    land_k = arr("land_cny", kw["land_cny"])
    for name, a in (("capex_cny", K), ("kg_per_year", kg), ("replacement_share", rep), ("land_cny", land_k)):
        if a is not None and np.any(a < 0):
            raise ValueError(f"{name}: must be >= 0")
    if land is None:
        land = np.zeros(())
    args = [K, F, c, kg, land, rep, G, chi_g, ops, chi_o, land_k, beta]
    core = [0, 0, 0, int(kg_year), 0, 1, 0, 0, 1, 0, 0, 0]
    rates = {name: np.asarray(getattr(finance, name), dtype=float) for name in _RATE_FIELDS}
    return args, core, rates, kg_year


def _leading_shape(args, core, rates) -> tuple[int, ...]:
    shapes = [a.shape[: a.ndim - k] for a, k in zip(args, core, strict=True) if a is not None]
    shapes += [v.shape for v in rates.values()]
    return np.broadcast_shapes(*shapes)


def _slice(a, core_ndim, S_ndim, axis, sl):
    if a is None:
        return None
    lead = a.ndim - core_ndim
    ax = axis - (S_ndim - lead)
    if ax < 0 or a.shape[ax] == 1:
        return a
    return a[(slice(None),) * ax + (sl,)]


def _evaluate(capex_cny, fixed, variable, kg, finance, kw, want_all):
    """Run the closed form, in chunks along the longest leading axis if large."""
    args, core, rates, kg_year = _prepare(capex_cny, fixed, variable, kg, finance, kw)
    spec = _spec_of(finance)
    S = _leading_shape(args, core, rates)
    n_cases = math.prod(S)
    chunk_cases = max(1, _CHUNK_ELEMENTS // spec.T)
    # (year x case) temporaries arise only from per-case rates or per-case year profiles.
    per_case_years = any(v.ndim for v in rates.values()) or any(
        a is not None and k and a.ndim > 1 for a, k in zip(args, core, strict=True)
    )
    if n_cases <= chunk_cases or not per_case_years:
        out = _parts(*args, rates, spec, kg_year, want_all)
        return {k: np.broadcast_to(v, S).copy() if np.shape(v) != S else v for k, v in out.items()}
    axis = int(np.argmax(S))
    per_row = n_cases // S[axis]
    step = max(1, chunk_cases // per_row)
    result: dict[str, np.ndarray] = {}
    for start in range(0, S[axis], step):
        sl = slice(start, min(start + step, S[axis]))
        c_args = [_slice(a, k, len(S), axis, sl) for a, k in zip(args, core, strict=True)]
        c_rates = {n: _slice(v, 0, len(S), axis, sl) for n, v in rates.items()}
        part = _parts(*c_args, c_rates, spec, kg_year, want_all)
        if not result:
            result = {k: np.empty(S) for k in part}
        idx = (slice(None),) * axis + (sl,)
        for k, v in part.items():
            result[k][idx] = v
    return result


def _kw(
    land_lease_cny_per_year=None,
    replacement_share=None,
    capital_subsidy_cny=None,
    capital_subsidy_taxable=None,
    operating_subsidy_cny_per_kg=None,
    operating_subsidy_taxable=True,
    kg_has_year_axis=False,
    land_cny=None,
    capital_subsidy_reduces_basis=None,
):
    return dict(locals())


def breakeven_price(
    capex_cny: Any,
    fixed_cny_per_year: Any,
    variable_cny_per_kg: Any,
    kg_per_year: Any,
    finance: FinanceAssumptions,
    *,
    land_lease_cny_per_year: Any = None,
    replacement_share: Any = None,
    capital_subsidy_cny: Any = None,
    capital_subsidy_taxable: Any = None,
    operating_subsidy_cny_per_kg: Any = None,
    operating_subsidy_taxable: Any = True,
    kg_has_year_axis: bool = False,
    land_cny: Any = None,
    capital_subsidy_reduces_basis: Any = None,
) -> np.ndarray:
    r"""Break-even hydrogen price **ex VAT**: the price at which equity NPV is zero.

    The price is constant in real terms (in CNY of the price year; its nominal
    value rises with general inflation). All arrays broadcast over any leading
    axes (stations, scenarios, draws); year-axis inputs put the operating year
    last. Timing and tax conventions are in the module docstring; in short:
    year 0 is the construction/investment year, operation runs in years
    :math:`C \dots C+L-1` (from year 1 when :math:`C = 1`), cash flows are at
    year ends and discounted to the end of year 0.

    Parameters
    ----------
    capex_cny : array_like
        Initial capital cost :math:`K`, real CNY of the price year (spent over
        the construction years).
    fixed_cny_per_year : array_like
        Fixed operating cost :math:`F` (O&M, staff, insurance) in each
        operating year, real CNY/year.
    variable_cny_per_kg : array_like
        Variable cost :math:`c` per kg sold (purchased hydrogen delivered,
        electricity for compression, ...), real CNY/kg.
    kg_per_year : array_like
        Long-run hydrogen sales, kg/year; the ramp-up of ``finance`` is
        applied (:func:`ramp_up_shares`). With ``kg_has_year_axis=True``,
        shape (..., L): sales in each operating year, kg/year, taken as given
        (no ramp-up applied).
    finance : FinanceAssumptions
        Discounting, tax, debt, ramp-up and timing assumptions.
    land_lease_cny_per_year : array_like, optional
        Land lease :math:`\Lambda` in each operating year, real CNY/year
        (deductible; kept apart from ``fixed_cny_per_year`` for reporting).
    replacement_share : array_like, shape (..., L), optional
        Component replacement cost in each operating year as a share of
        ``capex_cny`` (e.g. a compressor at year 10 costing 15 % of capex:
        ``np.eye(L)[9] * 0.15``), fraction; real (escalates with inflation);
        capitalised and depreciated from the year it is spent; equity-funded.
    capital_subsidy_cny : array_like, optional
        One-off capital subsidy :math:`G`, **nominal** CNY, received at the end
        of the last construction year (year :math:`C-1`).
    capital_subsidy_taxable : bool or array_like, optional
        Whether :math:`G` is taxable income when received (:math:`\chi_g`).
        Default: ``finance.capital_grant_taxable``.
    operating_subsidy_cny_per_kg : array_like, shape (..., L), optional
        Per-kg operating subsidy in each operating year, **nominal** CNY/kg
        (zeros where the programme does not pay).
    operating_subsidy_taxable : bool or array_like, default True
        Whether the operating subsidy is taxable income.
    kg_has_year_axis : bool, default False
        Read the last axis of ``kg_per_year`` as the operating year.
    land_cny : array_like, optional
        Land purchase :math:`K_\ell`, real CNY of the price year (not part of
        ``capex_cny``). H2A convention [4]_: land is bought with the
        construction capital (same spending years and debt share), is **not
        depreciated**, and is recovered at its real value
        :math:`K_\ell(1+i)^{t_\mathrm{end}-b}` at the end of the life; the
        nominal gain over the purchase cost (inflation only) is taxed as income.
        It takes no salvage share and no replacement.
    capital_subsidy_reduces_basis : bool or array_like, optional
        Whether :math:`G` is excluded from the depreciable base (:math:`\beta`;
        the base is reduced by :math:`\min(G,` nominal construction capital)).
        Default: ``not capital_subsidy_taxable`` -- Chinese income tax allows one
        or the other (Caishui [2011] No. 70, see
        :class:`FinanceAssumptions`); pass both to model other regimes (ProFAST's
        untaxed, fully depreciable grant is ``False, False``).

    Returns
    -------
    numpy.ndarray
        Break-even price ex VAT, CNY/kg (real, price-year money; for
        ``convention="profast"`` the year-1 price), shape of the broadcast
        leading axes. ``inf`` or ``nan`` where nothing is sold. Multiply by
        :math:`1 + v` for the retail price (:func:`breakeven_price_incl_vat`).

    Notes
    -----
    With nominal discount factors :math:`v_t = (1+\rho)^{-t}`, real ones
    :math:`u_t = (1+i)^{t-b}v_t`, sales :math:`q_t`, tax rate :math:`\tau`,
    debt share :math:`\delta`, working-capital share :math:`w` and salvage
    share :math:`\sigma`, equity NPV is :math:`P\mathcal{A} - \mathcal{B}`:

    .. math::

        \mathcal{A} &= (1-\tau)\sum_{t\ge C} q_t u_t
            - w\frac{\rho}{1+\rho}\sum_{C\le t<t_\mathrm{end}} q_t u_t \\
        \mathcal{B} &= (1-\tau)\sum_{t\ge C}(c\,q_t + F + \Lambda)\,u_t
            + K\kappa + K\sum_k x_k\,(u_{t_k} - \tau g_{t_k}\Delta_{t_k})
            - (1-\tau\chi_o)\sum_{t\ge C} o_t q_t v_t
            - G (1-\tau\chi_g) v_{C-1} + \tau\beta\min(G, \bar K)\Delta_C
            + K_\ell\lambda \\
        \kappa &= (1-\delta\varphi)\,\frac{1}{C}\sum_{s<C} u_s
            - \tau\,\Delta_C\,\frac{1}{C}\sum_{s<C}(1+i)^s
            - (1-\tau)\,\sigma\,u_{t_\mathrm{end}} \\
        \lambda &= (1-\delta\varphi)\,\frac{1}{C}\sum_{s<C} u_s
            - (1-\tau)\,u_{t_\mathrm{end}}
            - \tau\,v_{t_\mathrm{end}}\frac{1}{C}\sum_{s<C}(1+i)^s

    where :math:`\bar K = K\frac{1}{C}\sum_{s<C}(1+i)^s` is the nominal
    construction capital placed in service, :math:`g_t = (1+i)^t`, :math:`x_k`
    is the replacement share in operating year :math:`k` (year :math:`t_k`), :math:`o_t` the operating
    subsidy, :math:`\Delta_p = \sum_j w_j v_{\min(p+j-1,\,t_\mathrm{end})}`
    the present value of depreciating 1 CNY placed in service in year
    :math:`p` (weights from :func:`depreciation_weights`, book value left at
    the end written off), and :math:`\varphi` the value to equity of
    borrowing 1 CNY,

    .. math::

        \varphi = 1 - (1-\tau)\,A\,a(n,\rho) - \tau\sum_{j=1}^{n}
            \frac{A_j^\mathrm{principal}}{(1+\rho)^j},\qquad
        A = \mathrm{CRF}(r_d, n),

    with :math:`a(n,\rho) = \sum_{j=1}^n(1+\rho)^{-j}`, computed in closed form
    (geometric series; the level payment from :func:`numpy_financial.pmt`).
    Then :math:`P^* = \mathcal{B}/\mathcal{A}`. Without tax, inflation or
    debt and with flat sales :math:`q` and :math:`C = 1` this reduces to the
    textbook :math:`P^* = (K\,\mathrm{CRF}(r, L) + F + \Lambda)/q + c`.
    Every term is a product of a per-case input and a present-value factor
    that depends only on the finance assumptions, so :math:`10^6` cases take
    a fraction of a second (``benchmarks/bench_finance.py``).

    References
    ----------
    .. [1] Short, W., Packey, D. J. and Holt, T. (1995). A Manual for the
       Economic Evaluation of Energy Efficiency and Renewable Energy
       Technologies. NREL/TP-462-5173.
    .. [2] Brealey, R. A., Myers, S. C. and Allen, F. (2020). Principles of
       Corporate Finance, 13th ed., ch. 19.
    .. [3] Kee, J. and Penev, M. (2023). ProFAST. NREL SWR-23-88.
    .. [4] Steward, D. et al. (2008). H2A Production Model, Version 2 User Guide.
       NREL/TP-560-43983 (land: non-depreciable, value recovered at the end of
       the analysis period).

    Examples
    --------
    Equity only, no tax or inflation: capital recovery plus O&M per kg.

    >>> fin = FinanceAssumptions(discount_rate=0.08, station_life_years=20)
    >>> p = breakeven_price(8e6, 6e5, 25.0, 365_000.0, fin)
    >>> hand = (8e6 * capital_recovery_factor(0.08, 20) + 6e5) / 365_000.0 + 25.0
    >>> bool(np.isclose(p, hand, rtol=1e-12)), round(float(p), 4)
    (True, 28.8762)

    Stations along one axis, scenarios along another:

    >>> capex = np.array([[6e6], [8e6], [1.2e7]])      # 3 stations
    >>> kg = np.array([300_000.0, 500_000.0])            # 2 scenarios
    >>> breakeven_price(capex, 6e5, 25.0, kg, fin).round(2)
    array([[29.04, 27.42],
           [29.72, 27.83],
           [31.07, 28.64]])
    """
    kw = _kw(
        land_lease_cny_per_year=land_lease_cny_per_year,
        replacement_share=replacement_share,
        capital_subsidy_cny=capital_subsidy_cny,
        capital_subsidy_taxable=capital_subsidy_taxable,
        operating_subsidy_cny_per_kg=operating_subsidy_cny_per_kg,
        operating_subsidy_taxable=operating_subsidy_taxable,
        kg_has_year_axis=kg_has_year_axis,
        land_cny=land_cny,
        capital_subsidy_reduces_basis=capital_subsidy_reduces_basis,
    )
    return _evaluate(capex_cny, fixed_cny_per_year, variable_cny_per_kg, kg_per_year, finance, kw, False)[
        "price"
    ]


def breakeven_price_incl_vat(
    capex_cny: Any,
    fixed_cny_per_year: Any,
    variable_cny_per_kg: Any,
    kg_per_year: Any,
    finance: FinanceAssumptions,
    **optional: Any,
) -> np.ndarray:
    r"""Break-even retail price **including VAT**, CNY/kg.

    .. math:: P^*_\mathrm{retail} = (1 + v)\,P^*

    with :math:`v` = ``finance.vat_rate`` and :math:`P^*` from
    :func:`breakeven_price`, which documents all parameters (VAT is passed
    through: collected on sales and remitted, not a project cost).

    Returns
    -------
    numpy.ndarray
        Break-even price incl. VAT, CNY/kg (real, price-year money).

    Examples
    --------
    >>> fin = FinanceAssumptions(0.08, 20, vat_rate=0.13)
    >>> ex = breakeven_price(8e6, 6e5, 25.0, 365_000.0, fin)
    >>> round(float(breakeven_price_incl_vat(8e6, 6e5, 25.0, 365_000.0, fin) / ex), 12)
    1.13
    """
    p = breakeven_price(capex_cny, fixed_cny_per_year, variable_cny_per_kg, kg_per_year, finance, **optional)
    return p * (1.0 + np.asarray(finance.vat_rate, dtype=float))


@dataclasses.dataclass(frozen=True)
class LevelisedCost:
    r"""Break-even price ex VAT split into levelised components, CNY/kg.

    Each component is a present value divided by :math:`Q = \sum_t q_t u_t`,
    the present value of kg sold (real-escalated, discounted at the equity
    rate), so the components sum exactly to :func:`breakeven_price`.

    Attributes
    ----------
    capital_cny_per_kg : numpy.ndarray
        Construction capital plus replacements less salvage, before tax and
        financing.
    fixed_om_cny_per_kg : numpy.ndarray
        Fixed operating cost.
    land_cny_per_kg : numpy.ndarray
        Land lease, plus land purchase less its recovery at the end of the life.
    variable_cny_per_kg : numpy.ndarray
        Variable cost (purchased hydrogen, energy); equals the input.
    financing_and_tax_cny_per_kg : numpy.ndarray
        Income tax (net of depreciation and interest shields), net cost of
        debt relative to equity, and working capital.
    subsidy_cny_per_kg : numpy.ndarray
        Capital and operating subsidies before tax (negative or zero); the tax
        on taxable subsidies sits in ``financing_and_tax_cny_per_kg``.
    """

    capital_cny_per_kg: np.ndarray
    fixed_om_cny_per_kg: np.ndarray
    land_cny_per_kg: np.ndarray
    variable_cny_per_kg: np.ndarray
    financing_and_tax_cny_per_kg: np.ndarray
    subsidy_cny_per_kg: np.ndarray

    @property
    def total_cny_per_kg(self) -> np.ndarray:
        """Sum of the components: the break-even price ex VAT, CNY/kg."""
        return (
            self.capital_cny_per_kg
            + self.fixed_om_cny_per_kg
            + self.land_cny_per_kg
            + self.variable_cny_per_kg
            + self.financing_and_tax_cny_per_kg
            + self.subsidy_cny_per_kg
        )

    def as_dict(self) -> dict[str, np.ndarray]:
        """Components as ``{field name: array}``, in field order."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def levelised_cost(
    capex_cny: Any,
    fixed_cny_per_year: Any,
    variable_cny_per_kg: Any,
    kg_per_year: Any,
    finance: FinanceAssumptions,
    **optional: Any,
) -> LevelisedCost:
    r"""Levelised cost components of the break-even price ex VAT, CNY/kg.

    Parameters are those of :func:`breakeven_price`. With
    :math:`Q = \sum_t q_t u_t`:

    .. math::

        \text{capital} &= K\Big(\tfrac{1}{C}\sum_{s<C}u_s
            + \sum_k x_k u_{t_k} - \sigma u_{t_\mathrm{end}}\Big)/Q, \quad
        \text{fixed} = F\sum_{t\ge C}u_t/Q, \quad
        \text{land} = \Big(\Lambda\sum_{t\ge C}u_t
            + K_\ell\big(\tfrac{1}{C}\sum_{s<C}u_s - u_{t_\mathrm{end}}\big)\Big)/Q, \\
        \text{variable} &= c, \quad
        \text{subsidy} = -\Big(\sum_t o_t q_t v_t + G v_{C-1}\Big)/Q, \quad
        \text{financing and tax} = P^* - \text{(the others)}.

    Because :math:`P^*Q` equals the present value of all pre-tax costs plus
    tax, debt and working-capital flows, the last term is exactly
    :math:`[\mathrm{PV(tax)} + \mathrm{PV(debt\ service - draws)} +
    \mathrm{PV}(\Delta W)]/Q` (checked in the tests).

    Returns
    -------
    LevelisedCost
        Components, each shaped like the break-even price.

    Examples
    --------
    >>> fin = FinanceAssumptions(0.08, 20, income_tax_rate=0.25)
    >>> lc = levelised_cost(8e6, 6e5, 25.0, 365_000.0, fin, land_lease_cny_per_year=1e5)
    >>> {k: round(float(v), 3) for k, v in lc.as_dict().items()}  # doctest: +NORMALIZE_WHITESPACE
    {'capital_cny_per_kg': 2.232, 'fixed_om_cny_per_kg': 1.644, 'land_cny_per_kg': 0.274,
     'variable_cny_per_kg': 25.0, 'financing_and_tax_cny_per_kg': 0.379,
     'subsidy_cny_per_kg': 0.0}
    >>> p = breakeven_price(8e6, 6e5, 25.0, 365_000.0, fin, land_lease_cny_per_year=1e5)
    >>> bool(np.isclose(lc.total_cny_per_kg, p, rtol=1e-13))
    True
    """
    kw = _kw(**optional)
    parts = _evaluate(capex_cny, fixed_cny_per_year, variable_cny_per_kg, kg_per_year, finance, kw, True)
    args, _, _, _ = _prepare(capex_cny, fixed_cny_per_year, variable_cny_per_kg, kg_per_year, finance, kw)
    K, F, c, land = args[0], args[1], args[2], args[4]
    S = parts["price"].shape
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_q = 1.0 / parts["Q"]
        capital = (K * (parts["spend"] - parts["salvage"]) + parts["rep_gross"]) * inv_q
        fixed = F * parts["U"] * inv_q
        land_c = (land * parts["U"] + parts["land"]) * inv_q
        subsidy = (0.0 - parts["ops"] - parts["capsub"]) * inv_q
    variable = np.broadcast_to(c, S).astype(float)
    capital, fixed, land_c, subsidy = (
        np.broadcast_to(x, S).astype(float) for x in (capital, fixed, land_c, subsidy)
    )
    with np.errstate(invalid="ignore"):  # zero sales give inf - inf: NaN, as documented
        fin_tax = parts["price"] - (capital + fixed + land_c + variable + subsidy)
    return LevelisedCost(
        capital_cny_per_kg=capital,
        fixed_om_cny_per_kg=fixed,
        land_cny_per_kg=land_c,
        variable_cny_per_kg=variable,
        financing_and_tax_cny_per_kg=fin_tax,
        subsidy_cny_per_kg=subsidy,
    )


# ---------------------------------------------------------------------------
# Explicit year-by-year cash flows (reference implementation and reporting)
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CashFlows:
    r"""Year-by-year nominal cash flows of the equity investor, CNY.

    Every array has shape (..., C + L) with the year :math:`t` last; amounts
    are positive in the direction their name says (a cost is a positive
    number). The net cash flow to equity is

    .. math::

        E_t = R_t - V_t - F_t - \Lambda_t + O_t + G_t - K_t - X_t + S_t
              - K_{\ell,t} + S_{\ell,t} + B_t - I_t - M_t - \Delta W_t - \mathrm{Tax}_t

    with :math:`\mathrm{Tax}_t = \tau\,\Pi_t` (negative in loss years) and
    :math:`\Pi_t = R_t - V_t - F_t - \Lambda_t + \chi_o O_t + \chi_g G_t
    - D_t - I_t + S_t + [t = t_\mathrm{end}](S_{\ell,t} - \sum_s K_{\ell,s})`;
    depreciation :math:`D_t` is of the construction capital less
    :math:`\beta\min(G, \sum_s K_s)` (a grant excluded from the base) and of
    the replacements.

    Attributes
    ----------
    year : numpy.ndarray, shape (C + L,)
        Year index :math:`t`; operation starts at :math:`t = C`.
    kg : numpy.ndarray
        Hydrogen sold, kg/year.
    price_cny_per_kg : numpy.ndarray
        Nominal price ex VAT, CNY/kg (zero before operation).
    revenue_cny, variable_cost_cny, fixed_cost_cny, land_lease_cny : numpy.ndarray
        :math:`R_t, V_t, F_t, \Lambda_t`, CNY/year.
    operating_subsidy_cny, capital_subsidy_cny : numpy.ndarray
        :math:`O_t, G_t`, CNY/year.
    capex_cny, replacement_cny, salvage_cny : numpy.ndarray
        Construction capital :math:`K_t`, replacements :math:`X_t`, salvage
        proceeds :math:`S_t`, CNY/year.
    land_purchase_cny, land_sale_cny : numpy.ndarray
        Land bought with the construction capital :math:`K_{\ell,t}` and sold at
        its real value at the end of the life :math:`S_{\ell,t}`, CNY/year (not
        depreciated; the sale's gain over the nominal purchase cost is taxable).
    depreciation_cny : numpy.ndarray
        Tax depreciation :math:`D_t` incl. final write-off, CNY/year (non-cash).
    debt_drawdown_cny, interest_cny, principal_cny : numpy.ndarray
        Loan draws :math:`B_t`, interest :math:`I_t`, repayments :math:`M_t`.
    working_capital_change_cny : numpy.ndarray
        Increase in working capital :math:`\Delta W_t` (negative = release).
    taxable_income_cny, income_tax_cny : numpy.ndarray
        :math:`\Pi_t` and :math:`\mathrm{Tax}_t`, CNY/year.
    vat_output_cny : numpy.ndarray
        Output VAT collected and passed on, CNY/year (not in :math:`E_t`).
    equity_cny : numpy.ndarray
        Net cash flow to equity :math:`E_t`, CNY/year.
    """

    year: np.ndarray
    kg: np.ndarray
    price_cny_per_kg: np.ndarray
    revenue_cny: np.ndarray
    variable_cost_cny: np.ndarray
    fixed_cost_cny: np.ndarray
    land_lease_cny: np.ndarray
    operating_subsidy_cny: np.ndarray
    capital_subsidy_cny: np.ndarray
    capex_cny: np.ndarray
    replacement_cny: np.ndarray
    salvage_cny: np.ndarray
    land_purchase_cny: np.ndarray
    land_sale_cny: np.ndarray
    depreciation_cny: np.ndarray
    debt_drawdown_cny: np.ndarray
    interest_cny: np.ndarray
    principal_cny: np.ndarray
    working_capital_change_cny: np.ndarray
    taxable_income_cny: np.ndarray
    income_tax_cny: np.ndarray
    vat_output_cny: np.ndarray
    equity_cny: np.ndarray


def _col(x: Any) -> np.ndarray:
    """``x`` as a float array with a trailing year axis of length 1."""
    return np.asarray(x, dtype=float)[..., None]


def _capital_lines(K, rep, sal, land_k, i, g, C, S, profast):
    r"""Capital lines of :class:`CashFlows`, nominal CNY/year, shape S + (C + L,).

    Construction capital :math:`K_t` (spread evenly over the *C* construction years
    and escalated at inflation *i*; all in year 0 for ``profast``), replacements
    :math:`X_t` (share ``rep`` of *K* per operating year), salvage :math:`S_t` (share
    ``sal`` of *K* in the last year), land bought with the construction capital
    :math:`K_{\ell,t}` and sold at its real value in the last year :math:`S_{\ell,t}`;
    ``g`` is the real-to-nominal escalation of each year.

    Returns
    -------
    capex, replacement, salvage, land_buy, land_sale : numpy.ndarray
    """
    T = g.shape[-1]
    t = np.arange(T)
    end = T - 1
    col = _col

    def zeros():
        return np.zeros(S + (T,))

    capex = zeros()
    if profast:
        capex[..., 0] = K
    else:
        capex[..., :C] = col(K) / C * (1.0 + col(i)) ** t[:C]
    replacement = zeros()
    if rep is not None:
        replacement[..., C:] = col(K) * rep * (1.0 if profast else g[..., C:])
    salvage = zeros()
    salvage[..., end] = K * sal * g[..., end]
    # Land: bought with the construction capital, never depreciated, sold at its real value.
    land_buy = zeros()
    land_sale = zeros()
    if land_k is not None:
        if profast:
            land_buy[..., 0] = land_k
        else:
            land_buy[..., :C] = col(land_k) / C * (1.0 + col(i)) ** t[:C]
        land_sale[..., end] = land_k * g[..., end]
    return capex, replacement, salvage, land_buy, land_sale


def _depreciation_line(capex, replacement, G, beta, finance, C):
    """Tax depreciation :math:`D_t` incl. the final write-off, CNY/year (see :class:`CashFlows`)."""
    T = capex.shape[-1]
    end = T - 1

    def zeros():
        return np.zeros(capex.shape)

    # Depreciation: each year's placements depreciate from their in-service year;
    # book value left at the end of the life is written off in the final year. A grant
    # excluded from the depreciable base (Caishui [2011] No. 70) reduces the placement.
    placed = zeros()
    placed[..., C] = capex.sum(axis=-1)
    if G is not None:
        placed[..., C] -= beta * np.minimum(G, placed[..., C])
    placed += replacement
    weights = depreciation_weights(finance.depreciation_years, finance.declining_balance)
    depreciation = zeros()
    for p in range(C, T):
        cost = placed[..., p]
        claimed = 0.0
        for j, wj in enumerate(weights):
            if p + j > end:
                break
            depreciation[..., p + j] += cost * wj
            claimed += wj
        depreciation[..., end] += cost * (1.0 - claimed)
    return depreciation


def _debt_lines(K, G, D, rd, capex, land_buy, finance, per_year, C, profast):
    r"""Loan draws :math:`B_t`, interest :math:`I_t` and repayments :math:`M_t`, CNY/year.

    A share *D* of the construction capital and land (less the grant for
    ``profast``) is borrowed as it is spent and repaid in level annuities at rate
    ``rd`` (``per_year`` payments a year) over ``finance.debt_tenor_years`` from the
    year after each draw.
    """
    col = _col

    def zeros():
        return np.zeros(capex.shape)

    # Debt: level annuities from the year after each draw.
    draws = zeros()
    interest = zeros()
    principal = zeros()
    n = finance.debt_tenor_years
    if n > 0:
        if profast:
            draws[..., 0] = D * (K + land_buy[..., 0] - (G if G is not None else 0.0))
        else:
            draws[..., :C] = col(D) * (capex[..., :C] + land_buy[..., :C])
        per = np.arange(1, per_year * n + 1)
        rate = col(rd) / per_year
        with np.errstate(divide="ignore", invalid="ignore"):  # npf evaluates rate == 0 branches
            for s in range(C if not profast else 1):
                pv = draws[..., s][..., None]
                ip = -npf.ipmt(rate, per, per_year * n, pv)
                pp = -npf.ppmt(rate, per, per_year * n, pv)
                shape = ip.shape[:-1] + (n, per_year)
                interest[..., s + 1 : s + n + 1] += ip.reshape(shape).sum(axis=-1)
                principal[..., s + 1 : s + n + 1] += pp.reshape(shape).sum(axis=-1)
    return draws, interest, principal


def cash_flows(
    price_cny_per_kg: Any,
    capex_cny: Any,
    fixed_cny_per_year: Any,
    variable_cny_per_kg: Any,
    kg_per_year: Any,
    finance: FinanceAssumptions,
    **optional: Any,
) -> CashFlows:
    r"""Explicit year-by-year equity cash flows at a given price.

    The reference implementation the closed form of :func:`breakeven_price`
    is tested against: it builds every line year by year (loan schedules with
    :func:`numpy_financial.ipmt` / :func:`numpy_financial.ppmt`, depreciation
    by tracking book value, working capital by differencing), so that
    ``npv(finance.nominal_discount_rate, cf.equity_cny)`` is zero at the
    break-even price. Use it also to report a station's cash flows.

    Parameters
    ----------
    price_cny_per_kg : array_like
        Price ex VAT, real CNY/kg of the price year (year 1 for
        ``convention="profast"``), constant in real terms.
    capex_cny, fixed_cny_per_year, variable_cny_per_kg, kg_per_year, finance
        As in :func:`breakeven_price`.
    **optional
        The keyword arguments of :func:`breakeven_price`.

    Returns
    -------
    CashFlows
        Nominal CNY per year, shape (..., C + L).

    Examples
    --------
    >>> fin = FinanceAssumptions(0.08, 3, income_tax_rate=0.25)
    >>> p = breakeven_price(1e6, 1e5, 10.0, 1e5, fin)
    >>> cf = cash_flows(p, 1e6, 1e5, 10.0, 1e5, fin)
    >>> cf.equity_cny.round(0)
    array([-1000000.,   388034.,   388034.,   388034.])
    >>> cf.income_tax_cny.round(0)
    array([    0., 18233., 18233., 18233.])
    >>> bool(abs(npv(fin.nominal_discount_rate, cf.equity_cny)) < 1e-6)
    True
    """
    kw = _kw(**optional)
    args, core, rates, kg_year = _prepare(
        capex_cny, fixed_cny_per_year, variable_cny_per_kg, kg_per_year, finance, kw
    )
    K, F, c, kg, land, rep, G, chi_g, ops, chi_o, land_k, beta = args
    spec = _spec_of(finance)
    P = np.asarray(price_cny_per_kg, dtype=float)
    S = np.broadcast_shapes(_leading_shape(args, core, rates), P.shape)
    C, T, b = spec.C, spec.T, spec.base
    profast = spec.convention == "profast"
    i, tax, sal = rates["inflation_rate"], rates["income_tax_rate"], rates["salvage_share"]
    D, rd, w = rates["debt_share"], rates["debt_rate"], rates["working_capital_share"]

    t = np.arange(T)
    op = t >= C
    end = T - 1

    def zeros():
        return np.zeros(S + (T,))

    def col(x):
        return np.asarray(x, dtype=float)[..., None]

    g = (1.0 + col(i)) ** (t - b)  # real -> nominal escalation
    kg_t = zeros()
    if kg_year:
        kg_t[..., C:] = kg
    else:
        kg_t[..., C:] = col(kg) * ramp_up_shares(finance)

    price_t = col(P) * g * op
    revenue = price_t * kg_t
    variable = col(c) * g * kg_t
    fixed = col(F) * g * op + zeros()
    land_t = col(land) * g * op + zeros()
    op_sub = zeros()
    if ops is not None:
        op_sub[..., C:] = ops * kg_t[..., C:]
    cap_sub = zeros()
    if G is not None:
        cap_sub[..., 0 if profast else C - 1] = G

    capex, replacement, salvage, land_buy, land_sale = _capital_lines(
        K, rep, sal, land_k, i, g, C, S, profast
    )
    land_gain = land_sale - land_buy.sum(axis=-1, keepdims=True) * (t == end)

    depreciation = _depreciation_line(capex, replacement, G, beta, finance, C)

    draws, interest, principal = _debt_lines(K, G, D, rd, capex, land_buy, finance, spec.periods, C, profast)

    # Working capital: a share of revenue held through each operating year but the last.
    wc = col(w) * revenue * (op & (t < end))
    wc_change = np.diff(wc, axis=-1, prepend=0.0)

    taxable = (
        revenue
        - variable
        - fixed
        - land_t
        + col(chi_o) * op_sub
        + col(chi_g) * cap_sub
        - depreciation
        - interest
        + salvage
        + land_gain
    )
    income_tax = col(tax) * taxable
    equity = (
        revenue
        - variable
        - fixed
        - land_t
        + op_sub
        + cap_sub
        - capex
        - replacement
        + salvage
        - land_buy
        + land_sale
        + draws
        - interest
        - principal
        - wc_change
        - income_tax
    )
    vat = col(rates["vat_rate"]) * revenue

    def full(x):
        return np.broadcast_to(x, S + (T,)).astype(float)

    return CashFlows(
        year=t,
        kg=full(kg_t),
        price_cny_per_kg=full(price_t),
        revenue_cny=full(revenue),
        variable_cost_cny=full(variable),
        fixed_cost_cny=full(fixed),
        land_lease_cny=full(land_t),
        operating_subsidy_cny=full(op_sub),
        capital_subsidy_cny=full(cap_sub),
        capex_cny=full(capex),
        replacement_cny=full(replacement),
        salvage_cny=full(salvage),
        land_purchase_cny=full(land_buy),
        land_sale_cny=full(land_sale),
        depreciation_cny=full(depreciation),
        debt_drawdown_cny=full(draws),
        interest_cny=full(interest),
        principal_cny=full(principal),
        working_capital_change_cny=full(wc_change),
        taxable_income_cny=full(taxable),
        income_tax_cny=full(income_tax),
        vat_output_cny=full(vat),
        equity_cny=full(equity),
    )
