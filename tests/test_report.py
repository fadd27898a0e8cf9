"""Reports: the executive summary reads the targets table, the HTML needs no network,
reruns give identical CSVs, a failing scenario spares the others, and the report
renders in headless Chromium with networking disabled."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import markupsafe
import nbformat
import numpy as np
import pandas as pd
import pytest

from h2model import report
from h2model.inputs import DEFAULT_CASE, export_case
from tests.data import report_case

SCENARIO = report_case.SCENARIO
MC_DRAWS = 20


@pytest.fixture(scope="module")
def case():
    return report_case.default_case()


@pytest.fixture(scope="module")
def results():
    return report_case.default_results()



def _drawn_in_plan_2025() -> list:
    """The report charts a plan-2025 report draws: all but the optional sections' (corridors off)."""
    return [c for c in report.CHARTS if c.section not in report.views.OPTIONAL_SECTIONS]

def _external_resources(page: str) -> list[str]:
    """Elements that would load something from the network (scripts, styles, images,
    fonts), and CSS url()/@import of http(s) addresses."""
    tags = re.findall(r"<(?:script|link|img|iframe|source|embed|object)\b[^>]*>", page, flags=re.I)
    bad = [tag for tag in tags if re.search(r"""(?:src|href|data)\s*=\s*["']?\s*(?:https?:)?//""", tag, re.I)]
    bad += re.findall(r"""(?:url\(|@import\s+)["']?\s*(?:https?:)?//[^)"'\s]+""", page, flags=re.I)
    return bad


def test_external_resource_scan_catches_a_cdn_script():
    assert _external_resources('<script src="https://cdn.example.org/vega.js"></script>')
    assert _external_resources('<link rel="stylesheet" href="//fonts.example.org/x.css">')
    assert _external_resources("<style>@import 'https://fonts.example.org/x.css';</style>")
    assert not _external_resources('<a href="https://example.org/source">source</a><script>var x;</script>')


# --- pieces ---------------------------------------------------------------------------------------


def test_executive_summary_shows_the_targets_table_as_it_is(results):
    targets = results["targets"].copy()
    # Nonsense figures prove the summary reads the table and recomputes nothing.
    targets["achieved"] = [12345.0, 7.0, 99.94][: len(targets)]
    targets["met"] = [False, True, False][: len(targets)]
    targets["gap"] = [-12295.0, 2493.0, 64.94][: len(targets)]
    s = report.executive_summary(targets, "zh")
    assert s["实际"].tolist()[:3] == ["12,345 座", "7 辆", "99.9 元/公斤"]
    assert s["状态"].tolist()[:3] == ["未达成", "达成", "未达成"]
    assert s["差距"].tolist()[:3] == ["差 0 座", "余量 2,493 辆", "差 64.9 元/公斤"]
    assert s["要求"].tolist()[0] == "> 50 座"


def test_headline_is_rounded_plain_text(results):
    text = report.headline(results["targets"])
    assert [line.split()[0] for line in text.splitlines()] == ["stations", "fcev", "price"]
    price = results["targets"].set_index("target").loc["price"]
    assert f"{price['achieved']:,.1f} CNY/kg" in text


def test_lcoh_components_add_up_to_the_network_price(results):
    year = 2025
    comp = report.lcoh_components(results["stations"], year)
    assert comp["component"].tolist() == list(report.LCOH_COMPONENTS)
    network = results["network_by_year"].set_index("year").loc[year]
    assert comp["cny_per_kg"].sum() == pytest.approx(
        network["sellers_vw_breakeven_price_with_subsidy_cny_per_kg"], rel=1e-9
    )


def test_station_sites_have_positions_for_every_station(results, case):
    sites = report.station_sites(results, case)
    assert sites["station_id"].is_unique
    assert set(sites["station_id"]) == set(results["stations"]["station_id"])
    assert sites[["longitude", "latitude"]].notna().all().all()
    pos = case["Stations"].set_index("station_id")
    first = sites.iloc[0]
    assert first["longitude"] == pos.loc[first["station_id"], "longitude"]


def test_supply_by_source_keeps_every_kilogram(results, case):
    mix = report.supply_by_source(results["stations"], case["Supply"])
    by_year = results["stations"].groupby("year")["h2_kg_per_day"].sum()
    assert np.allclose(mix.groupby("year")["kg_per_day"].sum().reindex(by_year.index), by_year)
    assert set(mix["source"]) <= set(case["Supply"]["supply_type"])


def _without_monte_carlo(results):
    tables = {k: v for k, v in results.tables.items() if k not in report.UNCERTAINTY_TABLES}
    return dataclasses.replace(results, tables=tables)


def test_sensitivity_is_skipped_without_draws(results):
    bare = _without_monte_carlo(results)
    assert not report.has_uncertainty(bare) and report.sensitivity_tables(bare, "en") == []
    assert not set(report.SENSITIVITY_CHARTS) & set(
        report.build_charts(bare, report_case.default_case(), "en")
    )


def test_mc_headline_reads_the_summary_table(results):
    summary = results["uncertainty_summary"].copy()
    # Nonsense figures prove the sentence reads the table and recomputes nothing.
    summary[["prob_meets_target", "p5", "p50", "p95"]] = [0.4321, 11.11, 22.22, 33.33]
    en, zh = report.mc_headline(summary, "en"), report.mc_headline(summary, "zh")
    year = int(summary["year"].iloc[0])
    assert en.startswith(f"P({year} network price < 35 CNY/kg) = 43.2% over {report_case.MC_DRAWS} ")
    assert "11.1 / 22.2 / 33.3 CNY/kg" in en
    assert (
        zh.startswith(f"{year} 年网络氢价低于 35 元/公斤的概率 = 43.2%")
        and "11.1 / 22.2 / 33.3 元/公斤" in zh
    )


# --- one report, in process -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(results, case, tmp_path_factory):
    out = tmp_path_factory.mktemp("render")
    for lang in ("en", "zh"):
        report.render_report(results, case, lang, out / "a")
    report.render_report(results, case, "en", out / "b")
    report.render_report(_without_monte_carlo(results), case, "en", out / "none", write_tables=False)
    return out


def test_render_report_writes_html_charts_and_tables(rendered, results):
    folder = rendered / "a"
    for lang in ("en", "zh"):
        assert (folder / f"report_{lang}.html").stat().st_size > 100_000  # the inlined JS alone is ~0.9 MB
        for chart in report.CHARTS:
            if chart.section in report.views.OPTIONAL_SECTIONS:  # corridors: off in plan-2025
                assert not (folder / "charts" / f"{chart.name}_{lang}.png").exists(), chart.name
                continue
            assert (folder / "charts" / f"{chart.name}_{lang}.png").stat().st_size > 1000
            assert (folder / "charts" / f"{chart.name}_{lang}.svg").stat().st_size > 1000
    for name in results.tables:
        assert (folder / f"{name}.csv").exists(), name
    assert (folder / "results.xlsx").exists() and (folder / "provenance.json").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary leftovers


def test_rerun_writes_identical_csvs(rendered):
    a = sorted(p.name for p in (rendered / "a").glob("*.csv"))
    assert a == sorted(p.name for p in (rendered / "b").glob("*.csv")) and len(a) > 10
    for name in a:
        assert (rendered / "a" / name).read_bytes() == (rendered / "b" / name).read_bytes(), name


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_html_content(rendered, results, case, lang):
    page = (rendered / "a" / f"report_{lang}.html").read_text(encoding="utf-8")
    assert _external_resources(page) == []
    summary = page[page.index('id="summary"') : page.index('id="network"')]
    for row in results["targets"].itertuples():
        assert report._fmt_target(row.achieved, row.unit) in summary, row.target
        assert report._fmt_target(row.required, row.unit) in summary, row.target
        label = report.category("target", row.target, lang)
        assert label in summary
    status_words = ("met", "not met") if lang == "en" else ("达成", "未达成")
    assert any(w in summary for w in status_words)
    assert 'id="corridors"' not in page  # corridors are off in plan-2025: no empty section
    for chart in report.CHARTS:
        if chart.section in report.views.OPTIONAL_SECTIONS:
            assert f'data-spec="spec-{chart.name}"' not in page, chart.name
            continue
        assert f'data-spec="spec-{chart.name}"' in page, chart.name
        spec = re.search(
            rf'<script type="application/json" id="spec-{chart.name}">(.*?)</script>', page, re.S
        )
        assert json.loads(spec.group(1))["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert case.input_sha256 in page
    assert str(markupsafe.escape(report.views.scenario_text(case, lang))) in page
    assert "gz_14fyp_2021" in page  # sources table
    if lang == "zh":
        assert '<html lang="zh-CN">' in page and "摘要" in page and "数据溯源" in page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_sensitivity_section_has_the_probability_and_the_charts(rendered, results, lang):
    page = (rendered / "a" / f"report_{lang}.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="sensitivity">') : page.index('<section id="assumptions">')]
    sm = results["uncertainty_summary"].iloc[0]
    prob = f"{100 * sm['prob_meets_target']:.1f}%"
    headline = re.search(r'<p class="headline" id="mc-headline"><strong>(.*?)</strong>', section).group(1)
    assert str(markupsafe.escape(report.mc_headline(results["uncertainty_summary"], lang))) == headline
    assert f"= {prob}" in headline
    assert f"{sm['p5']:,.1f} / {sm['p50']:,.1f} / {sm['p95']:,.1f}" in headline
    assert (
        "P(2025 network price &lt; 35 CNY/kg)" if lang == "en" else "2025 年网络氢价低于 35 元/公斤的概率"
    ) in headline
    for name in ("mc_distribution", "tornado", "sobol", "frontier", "parity_probability"):
        assert f'id="chart-{name}"' in section and f'data-spec="spec-{name}"' in section, name
    top = report.category("input", results["tornado"]["input_id"].iloc[0], lang)
    assert top in section  # the tornado table's largest swing
    assert report.t("narr.sobol_table", lang) in section


def test_report_without_monte_carlo_says_so(rendered):
    page = (rendered / "none" / "report_en.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="sensitivity">') : page.index('<section id="assumptions">')]
    assert report.t("narr.sensitivity_none", "en") in section
    assert 'id="mc-headline"' not in section and 'class="vega"' not in section


# --- all scenarios, through the notebook ----------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """build_reports on a CSV copy of the case with one scenario that is broken."""
    root = tmp_path_factory.mktemp("build")
    inputs = root / "inputs"
    export_case(DEFAULT_CASE, inputs)
    with open(inputs / "Scenarios.csv", "a", encoding="utf-8") as f:
        f.write(
            "broken,An override naming a column that does not exist,"
            "Finance,discount_rate,no_such_column,0.1,set\n"
        )
    out = root / "outputs"
    (out / "broken").mkdir(parents=True)
    (out / "broken" / "earlier.txt").write_text("an earlier run's output")
    status = report.build_reports(
        inputs, [SCENARIO, "broken"], ("en", "zh"), out, mc_draws=MC_DRAWS, progress=False
    )
    return out, status


def test_build_reports_writes_every_file(built):
    out, status = built
    assert status[SCENARIO] == "ok"
    folder = out / SCENARIO
    for lang in ("en", "zh"):
        assert (folder / f"report_{lang}.html").exists()
        nb = nbformat.read(folder / f"report_{lang}.ipynb", as_version=4)
        params = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert f'lang = "{lang}"' in params[0].source and f"mc_draws = {MC_DRAWS}" in params[0].source
        assert (out / f"comparison_{lang}.html").exists()
        assert len(list((folder / "charts").glob(f"*_{lang}.png"))) == len(_drawn_in_plan_2025())
    assert (folder / "results.xlsx").exists() and (folder / "targets.csv").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # temporary folders gone
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{SCENARIO}/report_en.html"' in index and 'href="comparison_zh.html"' in index
    cross = pd.read_csv(out / "targets.csv")
    assert cross["scenario"].unique().tolist() == [SCENARIO]


def test_build_reports_html_summary_has_the_targets_tables_figures(built):
    out, _ = built
    targets = pd.read_csv(out / SCENARIO / "targets.csv")
    page = (out / SCENARIO / "report_zh.html").read_text(encoding="utf-8")
    assert _external_resources(page) == []
    summary = page[page.index('id="summary"') : page.index('id="network"')]
    for row in targets.itertuples():
        assert (
            f"{report._fmt_target(row.achieved, row.unit)} {report.category('unit', row.unit, 'zh')}"
            in summary
        )
        assert ("达成" if row.met else "未达成") in summary
    for name in ("comparison_en.html", "comparison_zh.html", "index.html"):
        assert _external_resources((out / name).read_text(encoding="utf-8")) == [], name


def test_a_broken_scenario_is_reported_and_spares_the_rest(built):
    out, status = built
    assert "Scenarios" in status["broken"] and "no_such_column" in status["broken"]
    assert (out / "broken" / "earlier.txt").read_text() == "an earlier run's output"  # left untouched
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "no_such_column" in index


def test_a_scenario_failing_inside_the_notebook_spares_the_others(tmp_path):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell(
            'workbook = ""\nscenario = ""\nout_dir = ""\nlang = "en"\nmc_draws = 0',
            metadata={"tags": ["parameters"]},
        ),
        nbformat.v4.new_code_cell(
            "from pathlib import Path\n"
            'if scenario == "baseline":\n    raise RuntimeError("infeasible network")\n'
            'Path(out_dir, "done.txt").write_text(scenario)'
        ),
    ]
    path = tmp_path / "fake.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "out"
    (out / "baseline").mkdir(parents=True)
    (out / "baseline" / "earlier.txt").write_text("kept")
    status = report.build_reports(
        DEFAULT_CASE, ["baseline", SCENARIO], ["en"], out, progress=False, notebook=path
    )
    assert status["baseline"] == "RuntimeError: infeasible network"
    assert status[SCENARIO] == "ok" and (out / SCENARIO / "report_en.ipynb").exists()
    assert (out / "baseline" / "earlier.txt").read_text() == "kept"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


# --- headless Chromium, no network ----------------------------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    return None


def _run_chromium(exe: str, url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        # networking disabled: every connection goes to a closed local port, every name fails
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=20000",
        *extra,
        url,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)


def _first_1000px_has_the_answer(exe: str, page: Path, tmp_path: Path) -> None:
    """The text a 1280 x 1000 window shows first (laid out by Chromium) holds the 2025 price's
    probability, median and band from targets.csv."""
    probe = page.with_name(".probe_zh.html")
    js = (
        "<script>window.addEventListener('load', function () {"
        "var out = [];"
        "document.querySelectorAll('main *').forEach(function (el) {"
        " if (el.children.length) return;"
        " var r = el.getBoundingClientRect();"
        " if (r.height > 0 && r.top + window.scrollY < 1000) out.push(el.textContent); });"
        "var pre = document.createElement('pre'); pre.id = 'first-screen';"
        "pre.textContent = out.join(' | '); document.body.appendChild(pre); });</script>"
    )
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", js + "</body>"), encoding="utf-8")
    try:
        dom = _run_chromium(exe, probe.as_uri(), tmp_path / "profile-probe", "--window-size=1280,1000",
                            "--dump-dom")
    finally:
        probe.unlink()
    first = re.search(r'<pre id="first-screen">(.*?)</pre>', dom.stdout, re.S).group(1)
    price = pd.read_csv(page.with_name("targets.csv")).set_index("target").loc["price"]
    assert f"{100 * price['prob_met']:.1f}%" in first and "概率" in first
    assert f"{price['median']:.1f}" in first and "中位数" in first
    assert f"{price['p5']:.1f}–{price['p95']:.1f}" in first


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_renders_offline_in_headless_chromium(built, tmp_path, lang):
    exe = _chromium()
    if exe is None:
        reason = "chromium not installed (scripts/system-deps.sh installs it as root with apt-get)"
        print(reason)
        pytest.skip(reason)
    out, _ = built
    page = out / SCENARIO / f"report_{lang}.html"
    url = page.as_uri()

    dom = _run_chromium(exe, url, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], "console messages:\n" + "\n".join(console)
    dumped = dom.stdout
    containers = re.findall(r'<div class="vega\b[^"]*"[^>]*\bdata-spec="[^"]+"[^>]*>', dumped)
    assert len(containers) == len(_drawn_in_plan_2025())
    assert all('data-rendered="yes"' in c for c in containers), containers
    # every container holds a drawn chart: count Vega's SVG roots
    assert dumped.count('class="marks"') >= len(_drawn_in_plan_2025())
    assert "达成" in dumped if lang == "zh" else "met" in dumped
    if lang == "zh":
        _first_1000px_has_the_answer(exe, page, tmp_path)

    shot = tmp_path / f"report_{lang}.png"
    res = _run_chromium(
        exe,
        url,
        tmp_path / "profile-shot",
        "--window-size=1280,2400",
        f"--screenshot={shot}",
        "--hide-scrollbars",
    )
    assert res.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000  # a page with charts, not a blank one
    if os.environ.get("H2MODEL_SCREENSHOT_DIR"):
        dest = Path(os.environ["H2MODEL_SCREENSHOT_DIR"])
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, dest / shot.name)


def test_executive_summary_says_what_each_target_is_and_its_uncertainty():
    tg = pd.DataFrame({
        "target": ["stations", "price"], "year": [2025, 2025], "comparator": [">", "<"],
        "required": [50.0, 35.0], "achieved": [52.0, 42.74], "unit": ["stations", "CNY/kg"],
        "met": [True, False], "gap": [-2.0, 7.74], "kind": ["constraint", "outcome"],
        "median": [np.nan, 51.26], "p5": [np.nan, 43.04], "p95": [np.nan, 69.51], "prob_met": [np.nan, 0.25]})
    s = report.executive_summary(tg, "en").set_index("Target")
    price = s.loc["Retail price of vehicle hydrogen"]
    assert price["What it is"] == "outcome (computed)"
    assert price["Median (p5-p95)"] == "51.3 (43.0–69.5) CNY/kg" and price["Probability met"] == "25.0%"
    assert s.iloc[0]["What it is"].startswith("constraint") and s.iloc[0]["Median (p5-p95)"] == "–"
    # without draws the uncertainty columns are left out, the kind stays
    plain = report.executive_summary(tg.drop(columns=["median", "p5", "p95", "prob_met"]), "en")
    assert "Median (p5-p95)" not in plain.columns and "What it is" in plain.columns


# --- first screen ---------------------------------------------------------------------------------


def test_what_would_it_take_by_hand_with_vat():
    # F/q = 20 CNY/kg at 100,000 kg (F = 2 M CNY/year), c = 10 CNY/kg, VAT 13 %:
    # p(q) = 1.13 x 30 = 33.9. Target 30: q* = 2e6 / (30/1.13 - 10) = 120,738.6 kg/year.
    st = pd.DataFrame({
        "year": [2025, 2025, 2025], "station_id": ["A", "B", "C"], "name": ["a", "b", "c"],
        "district": ["d"] * 3, "capacity_kg_per_day": [1000.0, 1000.0, 1000.0],
        "kg_sold_per_year": [100_000.0, 100_000.0, 0.0], "utilisation": [0.274, 0.274, 0.0],
        "breakeven_price_with_subsidy_cny_per_kg": [33.9, 1.13 * 40.0, np.nan],
        "capital_cny_per_kg": [12.0, 5.0, 0.0], "financing_and_tax_cny_per_kg": [8.0, 5.0, 0.0],
        "hydrogen_purchase_cny_per_kg": [10.0, 30.0, 0.0], "vat_cny_per_kg": [3.9, 5.2, 0.0]})
    w = report.views.what_would_it_take(st, 2025, 30.0, 0.13, inflation_factor=1.02, max_capacity_factor=0.8)
    assert w["station_id"].tolist() == ["B", "A"]  # most expensive first; C sells nothing
    a = w.set_index("station_id").loc["A"]
    assert a["utilisation_to_target"] * 365_000 == pytest.approx(2e6 / (30 / 1.13 - 10), rel=1e-12)
    assert a["reachable"]  # 120,739 kg = 33 % of capacity
    assert a["extra_subsidy_nominal_cny_per_kg"] == pytest.approx(3.9 * 1.02)
    assert a["extra_subsidy_nominal_cny_per_year"] == pytest.approx(3.9 * 1.02 * 100_000)
    # B: variable cost 30 > 30 / 1.13: no volume brings it to the target
    b = w.set_index("station_id").loc["B"]
    assert np.isnan(b["utilisation_to_target"]) and not b["reachable"]


def test_what_would_it_take_rests_on_the_stations_tables_price_structure(results):
    # The retail price is (1 + VAT) x the ex-VAT components, so p(q) = (1+v)(F/q + c)
    # holds at the station's own sales: checked on the default run's selling stations.
    st = results["stations"]
    st = st[(st["year"] == 2025) & (st["kg_sold_per_year"] > 0)]
    parts = [f"{c}_cny_per_kg" for c in report.views.FIXED_COMPONENTS + report.views.VARIABLE_COMPONENTS]
    vat = report_case.default_case().finance["vat_rate"]
    assert np.allclose((1 + vat) * st[parts].sum(axis=1), st["breakeven_price_with_subsidy_cny_per_kg"],
                       rtol=1e-9)


def test_price_card_agrees_with_the_targets_table(results, case):
    card = report.views.price_card(results, case).set_index("year")
    price = results["targets"].set_index("target").loc["price"]
    row = card.loc[int(price["year"])]
    # the targets table converts to nominal in its own code path (targets.py / uncertainty)
    assert row["base"] == pytest.approx(price["achieved"], rel=1e-9)
    assert row["median"] == pytest.approx(price["median"], rel=1e-9)
    assert (row["p5"], row["p95"]) == pytest.approx((price["p5"], price["p95"]), rel=1e-9)
    assert row["prob_met"] == price["prob_met"]
    assert 2030 in card.index and card.loc[2030, "base"] == pytest.approx(
        results["network_by_year"].set_index("year").loc[2030, "network_price_with_subsidy_cny_per_kg"]
        * 1.02 ** (2030 - case.price_year), rel=1e-12)


def test_budget_card_matches_the_budget_summary(results):
    card = report.views.budget_card(results)
    bs = results["budget_summary"]
    all_ = bs[(bs["group"] == "all") & bs["year"].between(2021, 2025)]
    # the budget's programme rows add up to the summary's totals (two tables, one sum)
    assert card["total_cny"] == pytest.approx(all_["outlay_cny"].sum(), rel=1e-12)
    assert card["per_kg_cny"] == pytest.approx(all_["outlay_cny"].sum() / all_["h2_kg_per_year"].sum())
    assert card["per_vehicle_cny"] == pytest.approx(
        all_["outlay_cny"].sum() / all_.set_index("year").loc[2025, "fcev_in_service"])
    assert sum(v for _, v in card["by_level"]) == pytest.approx(card["total_cny"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_first_screen_answers_the_question(rendered, results, case, lang):
    page = (rendered / "a" / f"report_{lang}.html").read_text(encoding="utf-8")
    top = page[page.index('id="key-findings"') : page.index('id="kpis"')]
    price = results["targets"].set_index("target").loc["price"]
    assert f"{price['achieved']:.1f}" in top and f"{price['median']:.1f}" in top
    assert f"{price['p5']:.1f}–{price['p95']:.1f}" in top
    assert f"{100 * price['prob_met']:.1f}%" in top
    assert report.t("narr.price_definition", lang) in top
    assert report.views.money(report.views.budget_card(results)["total_cny"], lang) in top
    for kind in results["targets"]["kind"]:
        assert report.t(f"kind.{kind}", lang) in page[page.index('id="kpis"') : page.index('id="network"')]
    assert 'id="what-it-takes"' in page and "<details" in page


# --- the Chinese report is Chinese ----------------------------------------------------------------

#: ASCII words a Chinese report may show: units, formats, statistics and proper names.
ZH_ALLOWED = {"CNY", "kg", "km", "kW", "kWh", "MPa", "CO2", "PNG", "SVG", "CSV", "p5", "p95", "Sobol",
              "Monte", "Carlo", "SHA", "UTC", "t", "ST"}  # ST: Sobol total-order index
_ID = re.compile(r"^[A-Za-z0-9]*([-_./][A-Za-z0-9]+)+$|.*\d.*")  # ids, file names, figures


def untranslated(page: str) -> list[str]:
    """ASCII words in the visible text of a page (scripts, styles and elements marked
    ``translate="no"`` -- citations as published, file names, cell addresses -- left out)
    that are neither allowed words nor ids."""
    from html.parser import HTMLParser

    class Visible(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.words = [], []

        def handle_starttag(self, tag, attrs):
            if tag in ("br", "meta", "link", "img", "input", "hr"):
                return
            skip = tag in ("script", "style", "title") or dict(attrs).get("translate") == "no"
            self.stack.append((tag, bool(skip or (self.stack and self.stack[-1][1]))))

        def handle_endtag(self, tag):
            while self.stack:
                if self.stack.pop()[0] == tag:
                    break

        def handle_data(self, data):
            if not (self.stack and self.stack[-1][1]):
                self.words += re.findall(r"[A-Za-z][A-Za-z0-9_./\-]*", data)

    v = Visible()
    v.feed(page)
    return sorted({w for w in v.words if w not in ZH_ALLOWED and not _ID.match(w)})


def test_untranslated_scan_finds_english_and_spares_ids():
    page = ('<p>价格 41.7 CNY/kg HP-E1 report_zh.html</p><p>the plan</p><script>var x;</script>'
            '<div translate="no"><p>Guangzhou Municipal</p></div>')
    assert untranslated(page) == ["plan", "the"]


def test_the_chinese_report_has_no_untranslated_text(rendered):
    page = (rendered / "a" / "report_zh.html").read_text(encoding="utf-8")
    assert untranslated(page) == []


def test_results_workbook_opens_with_the_summary_sheet(rendered, results):
    import openpyxl

    wb = openpyxl.load_workbook(rendered / "a" / "results.xlsx", read_only=True)
    names = wb.sheetnames
    rows = list(wb["Summary"].iter_rows(values_only=True))
    wb.close()  # read-only workbooks hold the file open until closed
    assert names[0] == "Summary"
    assert rows[0] == ("topic", "item", "year", "value", "unit")
    price = results["targets"].set_index("target").loc["price"]
    got = {(r[0], r[1]): r[3] for r in rows[1:]}
    assert got[("target: price", "achieved")] == pytest.approx(price["achieved"])
    assert got[("target: price", "kind")] == "outcome"
    assert got[("target: price", "prob_met")] == pytest.approx(price["prob_met"])
    budget = results["budget"]
    assert got[("subsidy budget (nominal)", "total")] == pytest.approx(
        budget.loc[budget["year"].between(2021, 2025), "outlay_cny"].sum())


def test_the_chinese_comparison_has_no_untranslated_text(built):
    out, _ = built
    assert untranslated((out / "comparison_zh.html").read_text(encoding="utf-8")) == []
    assert untranslated((out / SCENARIO / "report_zh.html").read_text(encoding="utf-8")) == []


def test_long_tables_are_folded_after_ten_rows():
    from h2model.report.render import _env

    df = pd.DataFrame({"sheet": ["Fleet"] * 25, "row": range(25)})
    tb = report.html_table(df, "en", max_rows=None)
    macros = _env().get_template("macros.html.j2").module
    html = str(macros.folded_table(tb, lambda key, **kw: report.t(key, "en", **kw)))
    shown, folded = html.split("<details", 1)
    assert shown.count("<tr>") == 1 + 10 and folded.count("<tr>") == 1 + 15
    assert "Show the other 15 rows" in folded


def test_fractions_are_shown_as_percents_and_notes_name_their_supplies(case):
    df = pd.DataFrame({"prob_meets_target": [0.3333], "p50": [0.5], "usd_cny_rate": [7.1]})
    tb = report.html_table(df, "en")
    assert tb["rows"] == [["33.3%", "0.5", "7.10"]]
    finance, _ = report.assumptions(case, "en")
    assert finance.set_index("key").loc[report.t("finance.discount_rate", "en"), "value"] == "8.0%"
    note = "supply gzpc_byproduct at capacity (14,000 kg/day) in 2027"
    name = case["Supply"].set_index("supply_id").loc["gzpc_byproduct", "name"]
    assert report.views.note_text(note, "en", report.views.supply_names(case, "en")) == (
        f"supply {name} at capacity (14,000 kg/day) in 2027")
    assert report.views.note_text(note, "zh", report.views.supply_names(case, "zh")) == (
        "氢源 黄埔区炼厂工业副产氢 在 2027 年达到供应能力上限（14,000 公斤/日）")


def test_first_screen_conditions_say_what_each_target_is(results, case):
    fs = report.first_screen(results, case, "en")
    cond = next(f for f in fs["findings"] if f.startswith("Conditions"))
    assert "vehicles by 2025 (an input)" in cond
    assert "stations (a constraint the plan is made to meet)" in cond
    tables = dict(results.tables)
    tables["targets"] = tables["targets"].assign(kind=["input", "input", "outcome"])  # e.g. baseline
    cond = next(f for f in report.first_screen(tables, case, "en")["findings"] if f.startswith("Conditions"))
    assert cond.count("(an input)") == 2


def test_report_shows_what_changed_against_a_base_run(results, case, tmp_path):
    # a run made with --compare-to: the report's first screen lists the edited cells and
    # the targets before and after
    import copy

    from h2model.compare import headline_changes
    res = copy.copy(results)
    res.tables = dict(results.tables)
    res.tables["what_changed_inputs"] = pd.DataFrame({
        "sheet": ["Supply"], "cell": ["H3"], "column": ["production_cost_cny_per_kg"],
        "row_key": ["gzpc_byproduct"], "old": ["12"], "new": ["9.5"]})
    before = results["targets"].assign(achieved=results["targets"]["achieved"] + 1.0)
    res.tables["what_changed_headline"] = headline_changes(before, results["targets"])
    assert report.render_report(res, case, "en", tmp_path, write_tables=False).exists()
    page = (tmp_path / "report_en.html").read_text(encoding="utf-8")
    block = page[page.index('id="what-changed"'):page.index('id="what-changed"') + 6000]
    assert "What changed against the base run" in block and "1 input cell(s) differ" in block
    assert "gzpc_byproduct" in block and "H3" in block and "9.5" in block
    plain = report.render_report(results, case, "en", tmp_path / "plain", write_tables=False)
    assert 'id="what-changed"' not in plain.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_key_assumptions_panel_is_near_the_top_and_links_its_sources(rendered, case, lang):
    page = (rendered / "a" / f"report_{lang}.html").read_text(encoding="utf-8")
    start = page.index('id="key-assumptions"')
    panel = page[start:page.index("</table>", start)]
    assert page.index('id="key-assumptions"') < page.index('id="kpis"')  # before the targets table
    assert f"{100 * case.finance['discount_rate']:.1f}%" in panel and str(case.price_year) in panel
    links = set(re.findall(r'href="#src-([^"]+)"', panel))
    anchors = set(re.findall(r'id="src-([^"]+)"', page))
    assert links and links <= anchors and anchors == set(case["Sources"]["source_key"])
    assert case.param_sources["Finance"]["discount_rate"].split(";")[0] in links


def test_observed_prices_sit_next_to_the_models_price(rendered, results, case):
    page = (rendered / "a" / "report_en.html").read_text(encoding="utf-8")
    card = page[page.index('id="card-price"'):page.index('id="card-budget"')]
    sentence = re.search(r'id="observed-prices">(.*?)</p>', card, re.S).group(1)
    obs = case["ObservedPrices"]
    first = int(results["price_path"]["year"].min())
    model = report.views.nominal_price_path(results, case).set_index("year")["h2_price_cny_per_kg"]
    assert f"{first}: {model.loc[first]:,.1f}" in sentence
    for r in obs.itertuples():
        assert f"{r.price_cny_per_kg:,.1f}" in sentence and str(r.year) in sentence
    spec = re.search(r'<script type="application/json" id="spec-price_path">(.*?)</script>', page, re.S)
    assert '"price_cny_per_kg"' in spec.group(1)  # the observed points are on the price chart


def test_station_cash_flow_appendix_is_collapsed_and_names_stations(rendered, results):
    page = (rendered / "a" / "report_en.html").read_text(encoding="utf-8")
    appendix = page[page.index('<section id="cashflow-appendix">'):page.index('<section id="assumptions">')]
    assert appendix.count("<details") >= 2 and "<table" not in appendix.split("<details", 1)[0]
    flow = results["station_cashflow"]
    names = results["stations"].drop_duplicates("station_id").set_index("station_id")["name"]
    for sid in flow["station_id"].unique():
        assert f"<summary>{markupsafe.escape(names[sid])}</summary>" in appendix
