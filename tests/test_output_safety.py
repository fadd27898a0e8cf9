"""Issue 13: nothing outside --out is touched, nothing already made is lost, no traceback.

Each test drives one careless or hostile case through the package or the CLI's main()
and checks a located error or one clear line with a non-zero exit, and what is on disk.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from h2model import model, results, sweep
from h2model.cli import main
from h2model.inputs import DEFAULT_CASE, InputError, export_case, load_case
from h2model.report import render
from h2model.results import Results

SCENARIO = "plan-2025"


@pytest.fixture(scope="module")
def csv_case(tmp_path_factory):
    """The default case as a CSV folder (copied per test that edits it)."""
    folder = tmp_path_factory.mktemp("case") / "inputs"
    export_case(DEFAULT_CASE, folder)
    return folder


def _with_scenario_rows(csv_case: Path, tmp_path: Path, *lines: str) -> tuple[Path, int]:
    """A copy of the CSV case with Scenarios rows appended; returns it and the first new row number."""
    folder = tmp_path / "inputs"
    shutil.copytree(csv_case, folder)
    path = folder / "Scenarios.csv"
    first = len(path.read_text(encoding="utf-8").splitlines()) + 1
    with open(path, "a", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in lines)
    return folder, first


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err
    assert err.strip(), "a failure must say why"


def _fake_results(scenario: str, price: float = 30.0) -> Results:
    r = Results(scenario, f"{scenario} description", "guangzhou", "abc")
    r.tables["targets"] = pd.DataFrame({"scenario": [scenario], "target": ["price"], "year": [2025],
                                        "comparator": ["<"], "required": [35.0], "unit": ["CNY/kg"],
                                        "kind": ["outcome"], "achieved": [price], "met": [price < 35]})
    r.tables["stations"] = pd.DataFrame({"scenario": [scenario], "station_id": ["s1"], "x": [price]})
    return r


# --- 1. names: traversal and javascript: ----------------------------------------------------------


@pytest.mark.parametrize("name", ["../victim", "/abs/path", "javascript:alert(document.domain)", "a..b"])
def test_unsafe_scenario_name_is_a_located_error(csv_case, tmp_path, capsys, name):
    folder, row = _with_scenario_rows(csv_case, tmp_path, f'"{name}",hostile,,,,,')
    with pytest.raises(InputError) as err:
        load_case(folder, SCENARIO)  # any scenario: the sheet itself is invalid
    located = [p for p in err.value.problems if p.sheet == "Scenarios"]
    assert [(p.cell, p.value) for p in located] == [(f"A{row}", name)]
    assert "names a folder" in located[0].rule
    assert main(["validate", str(folder)]) == 2  # validate reports it too
    assert f"Scenarios!A{row}" in capsys.readouterr().err


def test_run_never_writes_outside_out(tmp_path, monkeypatch):
    """Even a case whose scenario name slipped past validation writes nothing outside --out."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep")
    case = load_case(DEFAULT_CASE, SCENARIO)
    import dataclasses

    monkeypatch.setattr(model, "load_case", lambda wb, name: dataclasses.replace(case, scenario="../victim"))
    monkeypatch.setattr(model, "run", lambda *a, **k: pytest.fail("must refuse before running"))
    status = model.run_scenarios(DEFAULT_CASE, [SCENARIO], out=tmp_path / "out", progress=False)
    assert "cannot name an output folder" in status[SCENARIO]
    assert [p.name for p in victim.iterdir()] == ["precious.txt"]


def test_output_path_through_a_symlink_is_refused(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "linked").symlink_to(elsewhere)
    with pytest.raises(results.UnsafeOutputError, match="outside the output folder"):
        results.output_dir(out, "linked")
    assert results.output_dir(out, SCENARIO) == out / SCENARIO


def _hrefs(page: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', page)


def test_index_links_only_safe_relative_paths(tmp_path):
    out = tmp_path / "out"
    (out / SCENARIO).mkdir(parents=True)
    (out / SCENARIO / "report_en.html").write_text("report")
    status = {SCENARIO: "ok", "javascript:alert(document.domain)": "ok", "../victim": "ok", "/etc": "ok"}
    page = render.render_index(out, status, {}, ["en"]).read_text(encoding="utf-8")
    links = _hrefs(page)
    assert f"{SCENARIO}/report_en.html" in links
    for href in links:
        assert ":" not in href and not href.startswith("/") and ".." not in href, href
    assert "javascript:alert(document.domain)" in page  # still listed, as text


def test_comparison_links_only_safe_names(tmp_path, monkeypatch):
    monkeypatch.setattr(render, "comparison_charts", lambda tables, lang: {})
    summary = pd.DataFrame({"target": ["price"], "met": [True]})
    monkeypatch.setattr(render, "executive_summary", lambda targets, lang: summary)
    tables = {SCENARIO: {"targets": pd.DataFrame()}, "javascript:alert(1)": {"targets": pd.DataFrame()}}
    page = render.render_comparison(tables, {}, "en", tmp_path).read_text(encoding="utf-8")
    assert f'href="{SCENARIO}/report_en.html"' in page
    assert not [h for h in _hrefs(page) if ":" in h]


# --- 2. one line and a non-zero exit, never a traceback ---------------------------------------------


@pytest.mark.parametrize("name, text", [
    ("bad.yaml", "grid: [unclosed\n"),
    ("list.yaml", "grid: [0.1, 0.2]\n"),
    ("scalar.yaml", "grid:\n  Finance.discount_rate: 0.1\n"),
    ("bad.json", "{\"grid\": "),
    ("bad.csv", "variant,sheet\n\"x,y\n"),
    ("set.yaml", "variants:\n  - {id: a, set: [1, 2]}\n"),
])
def test_malformed_grid_file_is_one_line(tmp_path, capsys, name, text):
    g = tmp_path / name
    g.write_text(text)
    out = tmp_path / "s.csv"
    assert main(["sweep", "--grid", str(g), "--processes", "1", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    _no_traceback(err)
    assert err.startswith(name) and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s.csv").exists()


def test_sweep_out_a_folder_or_under_a_file_is_one_line(tmp_path, capsys):
    args = ["sweep", "--set", "Finance.discount_rate=0.1", "--processes", "1", "--quiet", "--out"]
    assert main([*args, str(tmp_path)]) == 2
    err = capsys.readouterr().err
    _no_traceback(err)
    assert "is a folder" in err
    (tmp_path / "afile").write_text("x")
    assert main([*args, str(tmp_path / "afile" / "s.csv")]) == 2
    err = capsys.readouterr().err
    _no_traceback(err)
    assert "cannot create its folder" in err and (tmp_path / "afile").read_text() == "x"


def test_inputs_export_into_a_file_is_one_line(tmp_path, capsys):
    target = tmp_path / "existing.txt"
    target.write_text("mine")
    assert main(["inputs", "export", str(DEFAULT_CASE), str(target)]) == 2
    err = capsys.readouterr().err
    _no_traceback(err)
    assert "is a file" in err and target.read_text() == "mine"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("kind", ["bad address", "refused", "timeout"])
def test_dask_connection_errors_are_one_line(tmp_path, capsys, kind):
    listener = None
    if kind == "bad address":
        address = "nosuchproto://host:1"
    elif kind == "refused":
        address = f"tcp://127.0.0.1:{_free_port()}"
    else:  # accepts the TCP connection (kernel backlog) and never answers the handshake
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    out = tmp_path / "s.csv"
    try:
        rc = main(["sweep", "--set", "Finance.discount_rate=0.1", "--scheduler", address,
                   "--connect-timeout", "1", "--quiet", "--out", str(out)])
    finally:
        if listener is not None:
            listener.close()
    err = capsys.readouterr().err
    assert rc == 1
    _no_traceback(err)
    assert err.startswith("error: cannot connect to the Dask scheduler")
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_ctrl_c_during_run_exits_130_keeping_finished_scenarios(tmp_path, capsys, monkeypatch):
    class Interrupt(pd.DataFrame):
        def to_csv(self, *a, **k):
            raise KeyboardInterrupt

    def fake_run(case, **kw):
        res = _fake_results(case.scenario)
        if case.scenario == SCENARIO:  # interrupted while writing its tables
            res.tables["zz_last"] = Interrupt({"x": [1]})
        return res

    monkeypatch.setattr(model, "run", fake_run)
    out = tmp_path / "out"
    rc = main(["run", "--scenario", "baseline", "--scenario", SCENARIO, "--quiet", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 130
    _no_traceback(err)
    assert err.strip() == "interrupted; the outputs of finished scenarios (or sweep variants) are kept"
    assert (out / "baseline" / "stations.csv").exists() and not (out / SCENARIO).exists()
    assert pd.read_csv(out / "targets.csv")["scenario"].tolist() == ["baseline"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # temp folder removed


def _fake_notebook(calls: list, interrupt_on: str | None = None):
    """A stand-in for papermill.execute_notebook that writes a report and a table into out_dir."""

    def execute(src, dst, parameters, **kw):
        calls.append((parameters["scenario"], parameters["lang"]))
        if parameters["scenario"] == interrupt_on:
            raise KeyboardInterrupt
        d = Path(parameters["out_dir"])
        (d / f"report_{parameters['lang']}.html").write_text(f"{parameters['scenario']} {parameters['lang']}")
        _fake_results(parameters["scenario"]).write(d)

    return execute


def test_ctrl_c_during_report_exits_130_and_cleans_up(tmp_path, capsys, monkeypatch):
    import papermill

    calls: list = []
    monkeypatch.setattr(papermill, "execute_notebook", _fake_notebook(calls, interrupt_on=SCENARIO))
    out = tmp_path / "out"
    rc = main(["report", "--scenario", "baseline", "--scenario", SCENARIO, "--lang", "en", "--quiet",
               "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 130 and calls == [("baseline", "en"), (SCENARIO, "en")]
    _no_traceback(err)
    assert (out / "baseline" / "report_en.html").exists() and not (out / SCENARIO).exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


# --- 3. nothing already made is lost -----------------------------------------------------------------


def test_write_keeps_reports_and_charts_and_drops_only_its_own_stale_tables(tmp_path):
    folder = tmp_path / SCENARIO
    first = _fake_results(SCENARIO)
    first.tables["uncertainty_summary"] = pd.DataFrame({"draws": [10]})
    first.write(folder)
    (folder / "report_zh.html").write_text("zh report")
    (folder / "charts").mkdir()
    (folder / "charts" / "price_en.png").write_bytes(b"png")
    (folder / "notes.txt").write_text("mine")
    _fake_results(SCENARIO, price=40.0).write(folder)  # a rerun without Monte Carlo tables
    assert (folder / "report_zh.html").read_text() == "zh report"
    assert (folder / "charts" / "price_en.png").read_bytes() == b"png"
    assert (folder / "notes.txt").read_text() == "mine"
    assert pd.read_csv(folder / "targets.csv")["achieved"].tolist() == [40.0]
    assert not (folder / "uncertainty_summary.csv").exists()  # the earlier run's table, not this one's


def test_run_keeps_the_scenarios_reports(tmp_path, monkeypatch):
    monkeypatch.setattr(model, "run", lambda case, **kw: _fake_results(case.scenario))
    out = tmp_path / "out"
    (out / SCENARIO / "charts").mkdir(parents=True)
    (out / SCENARIO / "report_en.html").write_text("report")
    (out / SCENARIO / "charts" / "fleet_en.svg").write_text("<svg/>")
    assert model.run_scenarios(DEFAULT_CASE, [SCENARIO], out=out, progress=False) == {SCENARIO: "ok"}
    assert (out / SCENARIO / "report_en.html").read_text() == "report"
    assert (out / SCENARIO / "charts" / "fleet_en.svg").exists()
    assert (out / SCENARIO / "stations.csv").exists()


def test_report_in_one_language_keeps_the_other(tmp_path, monkeypatch):
    import papermill

    calls: list = []
    monkeypatch.setattr(papermill, "execute_notebook", _fake_notebook(calls))
    monkeypatch.setattr(render, "render_comparison", lambda *a, **k: None)
    out = tmp_path / "out"
    (out / SCENARIO).mkdir(parents=True)
    (out / SCENARIO / "report_zh.html").write_text("中文报告")
    status = render.build_reports(DEFAULT_CASE, [SCENARIO], ["en"], out, progress=False)
    assert status == {SCENARIO: "ok"}
    assert (out / SCENARIO / "report_zh.html").read_text() == "中文报告"
    assert (out / SCENARIO / "report_en.html").read_text() == f"{SCENARIO} en"


def test_summaries_list_every_scenario_present(tmp_path, monkeypatch):
    import papermill

    out = tmp_path / "out"
    _fake_results("baseline", price=50.0).write(out / "baseline")  # built earlier
    (out / "baseline" / "report_en.html").write_text("earlier")
    monkeypatch.setattr(model, "run", lambda case, **kw: _fake_results(case.scenario))
    model.run_scenarios(DEFAULT_CASE, [SCENARIO], out=out, progress=False)
    assert pd.read_csv(out / "targets.csv")["scenario"].tolist() == ["baseline", SCENARIO]

    compared: list = []
    monkeypatch.setattr(papermill, "execute_notebook", _fake_notebook([]))
    monkeypatch.setattr(render, "render_comparison",
                        lambda tables, d, lang, o: compared.append(sorted(tables)))
    render.build_reports(DEFAULT_CASE, [SCENARIO], ["en"], out, progress=False)
    assert compared == [["baseline", SCENARIO]]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="baseline/report_en.html"' in index and f'href="{SCENARIO}/report_en.html"' in index
    assert "baseline description" in index  # read back from its provenance.json
    assert pd.read_csv(out / "targets.csv")["scenario"].tolist() == ["baseline", SCENARIO]


def test_a_kill_between_renames_leaves_a_complete_folder(tmp_path, monkeypatch):
    folder = tmp_path / SCENARIO
    _fake_results(SCENARIO, price=30.0).write(folder)
    before = sorted(p.name for p in folder.iterdir())
    real, calls = os.replace, []

    def dies_after_one(src, dst):
        calls.append(dst)
        if len(calls) > 1:
            raise OSError("killed")
        real(src, dst)

    monkeypatch.setattr(results.os, "replace", dies_after_one)
    with pytest.raises(OSError, match="killed"):
        _fake_results(SCENARIO, price=40.0).write(folder)
    monkeypatch.setattr(results.os, "replace", real)
    assert sorted(p.name for p in folder.iterdir()) == before  # every file, old or new version
    mixed = [pd.read_csv(folder / f"{t}.csv")["scenario"].iloc[0] for t in ("stations", "targets")]
    assert mixed == [SCENARIO, SCENARIO]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_leftover_temp_folders_are_cleaned_on_the_next_run(tmp_path, monkeypatch):
    out = tmp_path / "out"
    (out / SCENARIO).mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    stale = [out / f".tmp-{SCENARIO}-{dead}-abcd1234", out / f".{SCENARIO}.k2j4_x9a",
             out / f".{SCENARIO}.old.a1b2c3d4"]
    for p in stale:
        p.mkdir()
        (p / "stations.csv").write_text("half")
    (out / SCENARIO / f".tmp-report_en.html-{dead}.tmp").write_text("half")
    live = out / f".tmp-{SCENARIO}-{os.getpid()}-zzzz1111"  # a run in progress: kept
    live.mkdir()
    (out / ".git").mkdir()  # not ours: kept
    monkeypatch.setattr(model, "run", lambda case, **kw: _fake_results(case.scenario))
    model.run_scenarios(DEFAULT_CASE, [SCENARIO], out=out, progress=False)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".git", live.name]
    assert not [p for p in (out / SCENARIO).iterdir() if p.name.startswith(".")]


def test_results_xlsx_is_byte_identical_across_writes(tmp_path, monkeypatch):
    import time

    a = _fake_results(SCENARIO).write(tmp_path / "a") / "results.xlsx"
    later = time.time() + 3 * 86400  # zip times would differ by days
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(time, "localtime", lambda *s: time.gmtime(later))
    b = _fake_results(SCENARIO).write(tmp_path / "b") / "results.xlsx"
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(b) as z:
        assert {i.date_time for i in z.infolist()} == {(2020, 1, 1, 0, 0, 0)}
        assert "2020-01-01T00:00:00Z" in z.read("docProps/core.xml").decode()


# --- 4. Dask: finished variants written as they arrive, all workers lost --------------------------


def test_losing_every_dask_worker_keeps_the_finished_variants(tmp_path):
    from distributed import Client, LocalCluster

    variants = [sweep.Variant(f"r{i}", None, (sweep.Override("Finance", "discount_rate", "value",
                                                            0.05 + i / 100),)) for i in range(4)]
    written: list[pd.DataFrame] = []
    cluster = LocalCluster(n_workers=1, processes=False, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster) as client:

        def on_result(table):
            written.append(table)
            if (table["status"] == "ok").sum() == 1 and len(written) == 1:
                for w in list(cluster.workers.values()):  # the worker goes away, its queue with it
                    cluster.sync(w.close, timeout=5, executor_wait=False)

        with pytest.raises(sweep.SweepError, match="Dask cluster failed|all Dask workers lost") as err:
            sweep.sweep(DEFAULT_CASE, variants, scheduler=client, progress=False, plan_network=False,
                        on_result=on_result, result_interval_s=0, no_workers_timeout_s=1)
    table = err.value.table
    assert table["variant"].tolist() == ["r0", "r1", "r2", "r3"]
    ok = table["status"] == "ok"
    assert 1 <= ok.sum() < 4
    assert table.loc[~ok, "status"].str.startswith("not run: ").all()
    assert written[-1].equals(table)  # the caller had every finished row before the error
