"""Subsidy designer (h2model.design): optimum against a grid search, re-check on fresh draws,
infeasible bounds, discounting and the Design rows.

Small setting: the default case without the network plan (its stations, nearest-station
assignment), a few dozen draws, and the price target raised so that the bounds can reach it.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from h2model import design as D
from h2model.inputs import DEFAULT_CASE, load_case


def _row(**kw):
    base = dict(programme_id="d_h2", kind="h2_sales_per_kg", level="municipal", station_type="all",
                start_year=2025, end_year=2030, min_amount_cny=0.0, max_amount_cny=20.0, may_change=1,
                combined_cap_group=np.nan, source_key="asm_design")
    return {**base, **kw}


@pytest.fixture(scope="module")
def case():
    c = load_case(DEFAULT_CASE)
    t = c.tables["Targets"].copy()
    t.loc[t["target_id"] == "price", "value"] = 55.0  # reachable without the plan's stations
    return dataclasses.replace(c, tables={**c.tables, "Targets": t})


@pytest.fixture(scope="module")
def st(case):
    return D.setting(case, plan_network=False)


def test_one_lever_optimum_equals_grid_search(case, st):
    lv = D.levers(case, pd.DataFrame([_row()]))
    n, p = 40, 0.75
    res = D.design(st, lv, p=p, n=n, seed=3, check_n=40)
    a = res.amounts[0]
    # brute force: the engine on the same draws at every grid amount; outlay grows with the
    # amount, so the cheapest feasible grid point is the smallest one meeting the share.
    ev = D._Evaluator(st, lv, 2025)
    chunks = ev.load(ev.draws(n, 3))
    target = D._price_target(case)
    grid = np.arange(0.0, 20.0 + 1e-9, 0.5)
    share = np.array([ev.meets(ev.evaluate(chunks, [g])["price"], target).mean() for g in grid])
    ok = grid[share >= p]
    assert len(ok) and ok[0] > 0  # the target binds inside the bounds
    assert ok[0] - 0.5 < a <= ok[0] + 1e-6
    outlay = ev.outlay(ev.evaluate(chunks, [a])).sum(axis=1).mean()
    assert res.summary["discounted_outlay_cny"].iloc[0] == pytest.approx(outlay, rel=1e-9)
    assert res.summary["share_design_draws"].iloc[0] >= p


def test_two_levers_not_worse_than_grid(case, st):
    rows = [_row(max_amount_cny=10.0),
            _row(programme_id="d_grant", kind="station_capex", start_year=2024, end_year=2025,
                 max_amount_cny=1.5e6, combined_cap_group="station_grant")]
    lv = D.levers(case, pd.DataFrame(rows))
    n, p = 30, 0.7
    res = D.design(st, lv, p=p, n=n, seed=5, check_n=30)
    ev = D._Evaluator(st, lv, 2025)
    chunks = ev.load(ev.draws(n, 5))
    target = D._price_target(case)
    best = np.inf
    for a in np.linspace(0, 10, 6):
        for b in np.linspace(0, 1.5e6, 6):
            e = ev.evaluate(chunks, [a, b])
            if ev.meets(e["price"], target).mean() >= p:
                best = min(best, ev.outlay(e).sum(axis=1).mean())
    got = res.summary["discounted_outlay_cny"].iloc[0]
    assert np.isfinite(best)
    assert got <= best * (1 + 1e-9)  # at least as cheap as every feasible grid point
    assert res.summary["share_design_draws"].iloc[0] >= p


def test_recheck_on_fresh_draws_within_tolerance(case, st):
    lv = D.levers(case, pd.DataFrame([_row()]))
    p = 0.8
    res = D.design(st, lv, p=p, n=200, seed=0, check_n=400, check_seed=11)
    s = res.summary.iloc[0]
    assert s["check_seed"] == 11 and s["check_draws"] == 400
    assert s["check_tolerance"] == pytest.approx(3 * np.sqrt(p * (1 - p) / 400))
    # the design meets p on its own draws (by at most a few draws more); fresh draws within 3 s.e.
    assert p <= s["share_design_draws"] <= p + 0.05
    assert abs(s["share_check_draws"] - p) <= s["check_tolerance"] + (s["share_design_draws"] - p)


def test_infeasible_bounds_name_the_target_and_the_gap(case, st):
    lv = D.levers(case, pd.DataFrame([_row(max_amount_cny=0.5)]))
    with pytest.raises(D.DesignInfeasible, match=r"price target 2025 < 55 CNY/kg .* cannot hold in 80% of"
                                                 r" draws .*d_h2 = 0\.5 CNY/kg.* CNY/kg above the target"):
        D.design(st, lv, p=0.8, n=30, seed=0)


def test_discounted_cny_hand_calculation(case):
    fin = case.finance
    y0, r, i, py = int(fin["analysis_start_year"]), float(fin["discount_rate"]), \
        float(fin["inflation_rate"]), case.price_year
    got = D.discounted_cny(case, [100.0, 200.0], [y0, y0 + 2])
    want = 100.0 / (1 + i) ** (y0 - py) + 200.0 / (1 + i) ** (y0 + 2 - py) / (1 + r) ** 2
    assert got == pytest.approx(want, rel=1e-12)
    with pytest.raises(ValueError, match="before analysis_start_year"):
        D.discounted_cny(case, [1.0], [y0 - 1])


def test_design_rows_checked(case):
    with pytest.raises(ValueError, match="needs kind"):
        D.levers(case, pd.DataFrame([_row(kind=np.nan)]))
    with pytest.raises(ValueError, match="cannot be designed"):
        D.levers(case, pd.DataFrame([_row(programme_id="nat_cluster_bus")]))  # a transfer, not a lever
    assert D.levers(case, pd.DataFrame([_row(programme_id="gz_purchase_per_kw")]))[0].unit == "CNY/kW"
    with pytest.raises(ValueError, match="below min_amount_cny"):
        D.levers(case, pd.DataFrame([_row(min_amount_cny=5.0, max_amount_cny=1.0)]))
    fixed = D.levers(case, pd.DataFrame([_row(programme_id="gz_h2_sales_2025", may_change=0)]))[0]
    assert (fixed.min_amount_cny, fixed.max_amount_cny, fixed.new) == (5.0, 5.0, False)


def test_policy_with_sets_and_appends(case):
    lv = D.levers(case, pd.DataFrame([_row(), _row(programme_id="gz_h2_sales_2025")]))
    pol = D.policy_with(case.tables["Policy"], lv, [7.0, 9.0])
    assert len(pol) == len(case.tables["Policy"]) + 1
    assert pol.loc[pol["programme_id"] == "d_h2", "amount_cny"].item() == 7.0
    assert pol.loc[pol["programme_id"] == "gz_h2_sales_2025", "amount_cny"].item() == 9.0
    assert pol["start_year"].dtype == case.tables["Policy"]["start_year"].dtype


# --- write-back, vehicle levers and the FCEV and station targets ----------------------------


def test_written_back_scenario_meets_p_on_new_draws(tmp_path):
    """The design written back as a scenario of a workbook copy and run through model.run with
    Monte Carlo draws of another seed meets the price target with probability p, within
    3 sqrt(p (1 - p) (1/n + 1/m)): the sampling error of the n design draws (the design meets p
    exactly on them) and of the m new draws."""
    import hashlib

    from h2model.model import run

    def file_sha256(path):
        return hashlib.sha256(path.read_bytes()).hexdigest()

    base = tmp_path / "base.xlsx"
    D.add_scenario(DEFAULT_CASE, base, "t55", "price target 55 CNY/kg",
                   [{"sheet": "Targets", "key": "price|2025", "column": "value", "value": 55.0}])
    c = load_case(base, "t55")
    assert D.target_row(c, "price") == (2025, 55.0, "<")
    lv = D.levers(c, pd.DataFrame([_row()]))
    st = D.setting(c, plan_network=False, levers_=lv)
    p, n, m = 0.8, 200, 400
    res = D.design(st, lv, p=p, n=n, seed=0, check_n=50)
    sha = file_sha256(base)
    with pytest.raises(ValueError, match="must not overwrite the input"):
        D.write_scenario(base, base, "designed", res, base_scenario="t55")
    out = D.write_scenario(base, tmp_path / "designed.xlsx", "designed", res, base_scenario="t55")
    assert file_sha256(base) == sha  # the input is never modified
    case = load_case(out, "designed")
    pol = case.tables["Policy"].set_index("programme_id")
    assert pol.loc["d_h2", "amount_cny"] == pytest.approx(res.amounts[0], rel=1e-12)
    assert D.target_row(case, "price")[1] == 55.0  # the base scenario's overrides come along
    assert load_case(out, "t55").tables["Policy"].set_index("programme_id").loc["d_h2", "amount_cny"] == 0.0
    r = run(case, plan_network=False, mc_draws=m, mc_seed=7)
    prob = r["targets"].set_index("target").loc["price", "prob_met"]
    tol = 3 * np.sqrt(p * (1 - p) * (1 / n + 1 / m))
    assert abs(prob - p) <= tol, (prob, tol)
    with pytest.raises(ValueError, match="already on the Scenarios sheet"):
        D.write_scenario(out, tmp_path / "again.xlsx", "designed", res)


@pytest.fixture(scope="module")
def responsive_case(case):
    a = {**case.params["Adoption"], "mode": "responsive", "max_iterations": 1}
    return dataclasses.replace(case, params={**case.params, "Adoption": a})


def _vehicle_row(**kw):
    return _row(programme_id="d_buy", kind="vehicle_purchase_per_kw", start_year=2021, end_year=2025,
                min_amount_cny=0.0, max_amount_cny=6000.0, **kw)


def test_vehicle_lever_meets_fcev_target_at_the_cheapest_level(responsive_case):
    lv = D.levers(responsive_case, pd.DataFrame([_vehicle_row()]))
    assert lv[0].unit == "CNY/kW" and not lv[0].moves_price
    st = D.setting(responsive_case, plan_network=False, levers_=lv)
    fr = D._FleetResponse(st, lv, 2025, 4)
    assert np.all(np.diff(fr.count) >= 0) and fr.count[-1] > fr.count[0]  # monotone, and it moves
    n, p = 40, 0.75
    ev = D._Evaluator(st, [], 2025)
    counts = fr.counts(ev.fleet_scale(ev.draws(n, 2), 2025))
    q = [np.quantile(counts[:, c], 1 - p) for c in (0, -1)]
    required = float(np.floor((q[0] + q[1]) / 2))  # reachable within the bounds, not at the minimum
    t = responsive_case.tables["Targets"].copy()
    t.loc[t["target_id"] == "fcev", "value"] = required
    st.case = dataclasses.replace(st.case, tables={**st.case.tables, "Targets": t})
    res = D.design(st, lv, p=p, targets=("fcev",), n=n, seed=2, check_n=40, vehicle_levels=4)
    # brute force: outlays grow with the level, so the cheapest feasible level is the lowest one
    ok = (counts > required).mean(axis=0) >= p
    assert res.amounts[0] == fr.combos[int(np.argmax(ok)), 0] > 0
    s = res.summary.set_index("target").loc["fcev"]
    assert s["share_design_draws"] >= p and bool(s["moved_by_design"])
    assert res.design["discounted_outlay_cny"].sum() > 0
    t.loc[t["target_id"] == "fcev", "value"] = q[1] * 2
    st.case = dataclasses.replace(st.case, tables={**st.case.tables, "Targets": t})
    with pytest.raises(D.DesignInfeasible, match=r"FCEV target 2025 > [\d.e+]+ vehicles cannot hold in 75% of"
                                                 r" draws .*d_buy = 6000 CNY/kW.* short of the target$"):
        D.design(st, lv, p=p, targets=("fcev",), n=n, seed=2, vehicle_levels=4)


def test_fixed_fleet_fcev_and_station_targets_say_the_designer_cannot_move_them(case, st):
    lv = D.levers(case, pd.DataFrame([_row(), _vehicle_row()]))
    t = case.tables["Targets"].copy()
    t.loc[t["target_id"] == "fcev", "value"] = 1e6
    t.loc[t["target_id"] == "stations", "value"] = 1000
    s2 = dataclasses.replace(st, case=dataclasses.replace(st.case, tables={**st.case.tables, "Targets": t}))
    with pytest.raises(D.DesignInfeasible, match=r"FCEV target .*fleet mode is fixed.*; station target 2025 >"
                                                 r" 1000 stations cannot hold: the network plan operates \d+"
                                                 r" stations in 2025, \d+ short.*cannot move"):
        D.design(s2, lv, p=0.8, targets=("fcev", "stations"), n=20, seed=0)
    # met targets are checked and reported; the vehicle lever stays at its minimum (it moves nothing)
    res = D.design(st, lv, p=0.5, targets=("price", "stations"), n=20, seed=0, check_n=20)
    s = res.summary.set_index("target")
    assert s.loc["stations", "share_design_draws"] == 1.0 and not s.loc["stations", "moved_by_design"]
    assert res.amounts[1] == 0.0


def test_bounds_shortcut_equals_the_mixed_integer_programme():
    """_solve_saa (bounds, then HiGHS on the draws left) and the plain programme on every draw
    reach the same least cost on random linear models, with at least `need` draws met."""
    rng = np.random.default_rng(4)
    for trial in range(6):
        n, J = 60, 2 + trial % 2
        p0 = rng.uniform(30, 50, n)
        g = -rng.uniform(0.2, 1.5, (n, J)) * rng.uniform(0.5, 1.5, J)  # subsidies lower the price
        if trial == 5:  # rates proportional across draws: one order of levers for all, the bounds meet
            g = -rng.uniform(0.2, 1.5, (n, 1)) * np.array([0.5, 1.0, 1.5])[:J]
        lo, hi, a0 = np.zeros(J), np.full(J, 20.0), np.zeros(J)
        cost = rng.uniform(1, 3, J)
        need = 45
        a, status = D._solve_saa(p0, g, a0, lo, hi, cost, 35.0, need)
        worst = p0 + np.maximum(g * (lo - a0), g * (hi - a0)).sum(axis=1)
        plain, _ = D._milp(p0, g, a0, lo, hi, cost, 35.0, np.arange(n), need, worst, (0.0, np.inf),
                           "highs", 60)
        assert int((p0 + g @ (a - a0) <= 35.0 + 1e-9).sum()) >= need
        assert cost @ a == pytest.approx(cost @ plain, rel=1e-6), (trial, status)
        assert (status == "optimal_bound") == (trial == 5)


def test_report_section_reads_the_design_folder_in_both_languages(case, st, tmp_path):
    import html

    from h2model.report.views import design_view, money
    from h2model.results import write_csv
    from tests.test_report import untranslated

    grant = _row(programme_id="d_grant", kind="station_capex", start_year=2024, end_year=2025,
                 max_amount_cny=1.5e6, combined_cap_group="station_grant")
    lv = D.levers(case, pd.DataFrame([_row(), grant]))
    res = D.design(st, lv, p=0.75, n=30, seed=3, check_n=30)
    for name, table in res.tables().items():
        write_csv(table, tmp_path / f"{name}.csv")
    y0 = int(case.finance["analysis_start_year"])
    budget = pd.DataFrame({"year": [y0 - 1, 2025, 2026], "outlay_cny": [5e9, 1e8, 2e8]})
    assert design_view({"budget": budget}, case, tmp_path / "elsewhere", "en") is None
    en = design_view({"budget": budget}, case, tmp_path, "en")
    plan = D.discounted_cny(case, [1e8, 2e8], [2025, 2026])  # years before the analysis start left out
    total = float(res.summary["discounted_outlay_cny"].iloc[0])
    assert money(plan, "en") in en["cost"] and money(total, "en") in en["cost"]
    assert f"{total / plan:.2f} times" in en["cost"]
    assert en["table"]["rows"][0][:4] == ["d_h2", "Hydrogen sales subsidy", "Guangzhou municipal",
                                          "2025–2030"]
    share = res.summary["share_check_draws"].iloc[0]
    assert f"{100 * share:.1f}% of 30 fresh draws" in en["checks"][0]
    assert en["table"]["rows"][1][4] == f"{res.amounts[1]:,.2f}".rstrip("0").rstrip(".") + " CNY/station"
    zh = design_view({"budget": budget}, case, tmp_path, "zh")
    cells = [c for tb in (zh["table"], zh["by_level"]) for c in tb["headers"] + sum(tb["rows"], [])]
    text = " ".join([zh["title"], zh["intro"], zh["by_level_title"], zh["cost"], *zh["checks"], *cells])
    assert untranslated(f"<p>{html.escape(text)}</p>") == []
