"""Rendering: the report files of a scenario, the comparison and the index.

The offline HTML (the inlined Vega bundle, :func:`vega_bundle`; the Jinja templates of
``h2model/templates``), the results tables and charts written atomically into a
scenario's folder (:func:`render_report`), the cross-scenario comparison
(:func:`read_tables`, :func:`comparison_charts`, :func:`render_comparison`), the index
page (:func:`render_index`) and :func:`build_reports`, which executes the report
notebook (:data:`NOTEBOOK`) for each scenario and language.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import json
import os
import shutil
import tempfile
import urllib.parse
from collections.abc import Iterable
from pathlib import Path

import markupsafe
import pandas as pd

from .. import __version__, charts
from ..glossary import LANGS, t, workbook_names
from ..results import (
    Results,
    clean_temps,
    is_safe_name,
    make_temp_dir,
    output_dir,
    replace_dir,
    scenarios_in,
    write_atomic,
    write_targets_summary,
)
from .views import (
    CHARTS,
    SENSITIVITY_CHARTS,
    assumptions,
    build_charts,
    corridor_view,
    description_text,
    design_view,
    executive_summary,
    first_screen,
    has_uncertainty,
    html_table,
    key_assumptions,
    mc_headline,
    observed_prices,
    report_notes,
    scenario_text,
    sensitivity_tables,
    shown_sections,
    station_appendix,
    what_changed_view,
)

#: The scenario report notebook (repository checkout).
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "report.ipynb"


# --- HTML pieces ----------------------------------------------------------------------------------


@functools.cache
def vega_bundle() -> str:
    """The Vega + Vega-Lite + Vega-Embed JavaScript (about 0.9 MB) from vl-convert,
    for inlining; cached in memory and on disk per vl-convert version."""
    import vl_convert as vlc

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "h2model"
    path = cache / f"vega-bundle-vlc{vlc.__version__}.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    js = vlc.javascript_bundle()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(js, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass
    return js


def _script_json(obj) -> str:
    """JSON safe inside a ``<script>`` element."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")


def _env():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("h2model", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


#: Placeholder for an identifier in a glossary sentence (:func:`_with_id`).
_ID_MARK = "\ue000"


def _with_id(text: str, identifier: str) -> markupsafe.Markup:
    """``text`` (escaped) with :data:`_ID_MARK` replaced by ``identifier`` marked
    ``translate="no"`` (a scenario name is an id, not English to translate)."""
    span = markupsafe.Markup('<span translate="no">{}</span>').format(identifier)
    return markupsafe.escape(text).replace(_ID_MARK, span)


def _write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _href(*parts: str) -> str:
    """A relative link from path parts, each url-quoted (never a scheme or an absolute path).

    >>> _href("plan-2025", "report_en.html")
    'plan-2025/report_en.html'
    >>> _href("javascript:alert(1)")
    'javascript%3Aalert%281%29'
    """
    return "/".join(urllib.parse.quote(p, safe="") for p in parts)


def _write_tables(results: Results, out_dir: Path) -> None:
    """The results tables into ``out_dir``, which also holds the reports and notebooks
    (kept: :meth:`Results.write` replaces only the files it writes)."""
    results.write(out_dir)


# --- one scenario ---------------------------------------------------------------------------------


def render_report(
    results: Results,
    case,
    lang: str,
    out_dir: str | Path,
    *,
    run_date: dt.datetime | None = None,
    write_tables: bool = True,
) -> Path:
    """Write one scenario's report in one language, its charts and its tables.

    Parameters
    ----------
    results : Results
        From :func:`h2model.model.run`.
        Its Monte Carlo tables (``run(case, mc_draws=N)``), when present, fill the
        sensitivity section (headline from ``uncertainty_summary``, charts, compact
        tables); without them the section says there are none.
    case : h2model.inputs.case.Case
        The case the results came from (assumptions, sources, positions, provenance).
    lang : {'en', 'zh'}
    out_dir : str or pathlib.Path
        Folder to write to (created): ``report_<lang>.html``, ``charts/<name>_<lang>.png``
        and ``.svg``, and (``write_tables``) every table as CSV plus ``results.xlsx``
        and ``provenance.json``. Other files in the folder are left alone.
    run_date : datetime, optional
        Shown in provenance; default now (UTC).
    write_tables : bool
        Write the results tables too.

    Returns
    -------
    pathlib.Path
        The HTML report.
    """
    with workbook_names(case):  # the workbook's own district names where the glossary has none
        return _render_report(results, case, lang, out_dir, run_date=run_date, write_tables=write_tables)


def _render_report(results: Results, case, lang: str, out_dir: str | Path, *, run_date, write_tables) -> Path:
    """:func:`render_report` with the case's workbook names in force."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {LANGS}, not {lang!r}")
    out_dir = Path(out_dir)
    (out_dir / "charts").mkdir(parents=True, exist_ok=True)
    if write_tables:
        _write_tables(results, out_dir)
    run_date = run_date or dt.datetime.now(dt.UTC)

    figures = build_charts(results, case, lang)
    chart_items = {}
    for name, chart in figures.items():
        charts.save(chart, out_dir / "charts" / f"{name}_{lang}")
        chart_items[name] = {
            "name": name,
            "spec": _script_json(chart.to_dict()),
            "png": f"charts/{name}_{lang}.png",
            "svg": f"charts/{name}_{lang}.svg",
        }
    sections = []
    for sec in shown_sections(results):  # an option that is off leaves no empty section
        items = [
            chart_items[c.name]
            if c.name in chart_items
            else {
                "name": c.name,
                "missing": t(
                    "narr.not_available", lang, table=", ".join(n for n in c.needs if n not in results)
                ),
            }
            for c in CHARTS
            if c.section == sec
        ]
        sections.append({"key": sec, "title": t(f"section.{sec}", lang), "charts": items})
    mc = has_uncertainty(results)
    sens_charts = [chart_items[n] for n in SENSITIVITY_CHARTS if n in chart_items] if mc else []

    targets = results["targets"]
    summary = executive_summary(targets, lang)
    finance, sources = assumptions(case, lang)
    overrides = case.overrides if len(case.overrides) else pd.DataFrame()
    price_year = case.price_year
    target_year = int(targets["year"].max()) if len(targets) else price_year
    sens = sensitivity_tables(results, lang)
    draws = int(results["uncertainty_summary"]["draws"].iloc[0]) if mc else 0
    files = sorted([f"{n}.csv" for n in results.tables] + ["results.xlsx", "provenance.json"])
    provenance = [
        (t("prov.scenario", lang), case.scenario),
        (t("prov.description", lang), scenario_text(case, lang)),
        (t("prov.input_file", lang), Path(case.path).name if case.path else case.name),
        (t("prov.input_sha256", lang), case.input_sha256),
        (t("prov.version", lang), __version__),
        (t("prov.run_date", lang), run_date.strftime("%Y-%m-%d %H:%M")),
        (t("prov.price_year", lang), str(price_year)),
        (t("prov.mc_draws", lang), f"{draws:,}" if mc else t("ui.none", lang)),
    ]
    page = (
        _env()
        .get_template("report.html.j2")
        .render(
            t=lambda key, **kw: t(key, lang, **kw),
            lang=lang,
            html_lang="zh-CN" if lang == "zh" else "en",
            title=f"{t('report.title', lang)}: {case.scenario}",
            scenario=case.scenario,
            description=scenario_text(case, lang),
            summary_intro=_with_id(t("narr.summary_intro", lang, scenario=_ID_MARK,
                                     description=scenario_text(case, lang), year=target_year), case.scenario),
            summary_count=t("narr.summary_count", lang, met=int(targets["met"].sum()), total=len(targets)),
            summary=summary,
            first=first_screen(results, case, lang),
            key_assumptions=key_assumptions(results, case, lang),
            observed=_observed_table(results, case, lang),
            appendix=station_appendix(results, lang),
            corridors=corridor_view(results, case, lang),
            changed=what_changed_view(results, lang),
            design=design_view(results, case, out_dir, lang),
            sections=sections,
            sensitivity=sens,
            sensitivity_charts=sens_charts,
            mc_headline=mc_headline(results["uncertainty_summary"], lang) if mc else None,
            sensitivity_note=(
                t("narr.sensitivity", lang, draws=f"{draws:,}") if mc else t("narr.sensitivity_none", lang)
            ),
            notes=report_notes(results, case, lang),
            finance=html_table(finance, lang, max_rows=None),
            sources=html_table(sources, lang, max_rows=None, links=("url",)),
            assumptions_note=t("narr.assumptions", lang, price_year=price_year),
            overrides=html_table(overrides, lang, max_rows=None) if len(overrides) else None,
            provenance=provenance,
            files=files,
            other_lang=[x for x in LANGS if x != lang],
            bundle=vega_bundle(),
            font=charts.FONT,
        )
    )
    path = out_dir / f"report_{lang}.html"
    _write_text_atomic(path, page)
    return path


def _observed_table(results: Results, case, lang: str) -> dict | None:
    """The observed pump prices next to the model's price (:func:`observed_prices`), for the
    economics section; None without observations."""
    from ..glossary import categories

    obs = observed_prices(results, case, lang)
    if obs.empty:
        return None
    obs["price_basis"] = categories("price_basis", obs["price_basis"].tolist(), lang)
    return html_table(obs, lang, max_rows=None)


# --- across scenarios -----------------------------------------------------------------------------


def read_tables(
    folder: str | Path, names: Iterable[str] = ("targets", "price_path", "fleet", "budget", "co2")
) -> dict[str, pd.DataFrame]:
    """Read back results tables written by :meth:`Results.write` (those present)."""
    folder = Path(folder)
    return {n: pd.read_csv(folder / f"{n}.csv") for n in names if (folder / f"{n}.csv").exists()}


def comparison_charts(tables: dict[str, dict[str, pd.DataFrame]], lang: str) -> dict[str, object]:
    """The comparison report's charts from each scenario's tables.

    Parameters
    ----------
    tables : dict
        Scenario -> table name -> table (``targets``, ``price_path``, ``fleet``,
        ``budget``, ``co2``; each with a ``scenario`` column).
    lang : {'en', 'zh'}

    Returns
    -------
    dict
        Chart name -> Altair chart.
    """

    def stack(name):
        frames = [tb[name] for tb in tables.values() if name in tb]
        return pd.concat(frames, ignore_index=True) if frames else None

    out = {}
    targets = stack("targets")
    if targets is not None:
        out["compare_targets"] = charts.compare_targets(targets, lang=lang)
    if (paths := stack("price_path")) is not None:
        out["compare_price"] = charts.compare_price(paths, targets, lang=lang)
    if (fleet := stack("fleet")) is not None:
        out["compare_fleet"] = charts.compare_fleet(fleet, lang=lang)
    if (budget := stack("budget")) is not None:
        out["compare_budget"] = charts.compare_budget(budget, lang=lang)
    if (co2 := stack("co2")) is not None:
        out["compare_co2"] = charts.compare_co2(co2, lang=lang)
    return out


def render_comparison(
    tables: dict[str, dict[str, pd.DataFrame]], descriptions: dict[str, str], lang: str, out: str | Path
) -> Path:
    """Write ``comparison_<lang>.html`` (and its charts in ``out/charts/``).

    Parameters
    ----------
    tables : dict
        Scenario -> table name -> table, as for :func:`comparison_charts`.
    descriptions : dict
        Scenario -> one-line description.
    lang : {'en', 'zh'}
    out : str or pathlib.Path
        The reports' root folder.

    Returns
    -------
    pathlib.Path
    """
    out = Path(out)
    (out / "charts").mkdir(parents=True, exist_ok=True)
    items = []
    for name, chart in comparison_charts(tables, lang).items():
        charts.save(chart, out / "charts" / f"{name}_{lang}")
        items.append(
            {
                "name": name,
                "spec": _script_json(chart.to_dict()),
                "png": f"charts/{name}_{lang}.png",
                "svg": f"charts/{name}_{lang}.svg",
            }
        )
    summary = []
    for scen, tb in tables.items():
        if "targets" in tb and is_safe_name(scen):  # the template links <scenario>/report_<lang>.html
            s = executive_summary(tb["targets"], lang)
            desc = description_text(scen, descriptions.get(scen, ""), lang)
            summary.append({"scenario": scen, "description": desc, "rows": s})
    page = (
        _env()
        .get_template("comparison.html.j2")
        .render(
            t=lambda key, **kw: t(key, lang, **kw),
            lang=lang,
            html_lang="zh-CN" if lang == "zh" else "en",
            title=t("report.comparison_title", lang),
            charts=items,
            summary=summary,
            bundle=vega_bundle(),
            font=charts.FONT,
            version=__version__,
            run_date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        )
    )
    path = out / f"comparison_{lang}.html"
    _write_text_atomic(path, page)
    return path


def render_index(
    out: str | Path, status: dict[str, str], descriptions: dict[str, str], langs: Iterable[str]
) -> Path:
    """Write ``index.html`` linking every scenario report, the comparison reports and
    the result files, with the message of each scenario that failed."""
    out = Path(out)
    langs = list(langs)
    rows = []
    for scen, state in status.items():
        safe = is_safe_name(scen)  # an unsafe name is shown (escaped) but never linked
        folder = out / scen if safe else None

        def has(*parts, folder=folder):
            return folder is not None and folder.joinpath(*parts).exists()

        rows.append(
            {
                "scenario": scen,
                "description": descriptions.get(scen, ""),
                "ok": state == "ok",
                "error": state,
                "reports": [
                    (lang, _href(scen, f"report_{lang}.html")) for lang in langs if has(f"report_{lang}.html")
                ],
                "notebooks": [
                    (lang, _href(scen, f"report_{lang}.ipynb"))
                    for lang in langs
                    if has(f"report_{lang}.ipynb")
                ],
                "xlsx": _href(scen, "results.xlsx") if has("results.xlsx") else None,
                "charts": _href(scen, "charts") + "/" if has("charts") else None,
            }
        )
    comparisons = [
        (lang, f"comparison_{lang}.html") for lang in langs if (out / f"comparison_{lang}.html").exists()
    ]
    page = (
        _env()
        .get_template("index.html.j2")
        .render(
            title=f"{t('report.index_title', 'en')} · {t('report.index_title', 'zh')}",
            rows=rows,
            comparisons=comparisons,
            langs=langs,
            t=t,
            version=__version__,
            run_date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
            font=charts.FONT,
        )
    )
    path = out / "index.html"
    _write_text_atomic(path, page)
    return path


# --- all scenarios --------------------------------------------------------------------------------


def _execution_error(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}"


def kernel_options() -> dict:
    """Options for ``papermill.execute_notebook`` that start the report kernel quietly.

    On POSIX the kernel talks to papermill over IPC (Unix sockets in a private
    temporary folder, mode 0700, removed when the process exits) instead of TCP on
    localhost: the kernel (ipykernel >= 7) otherwise warns on stderr at every start that
    it "is running over TCP without encryption", a warning that looks like an error in a
    run's log, and its own advice is to use IPC. Elsewhere (Windows has no IPC
    transport) the kernel starts as before. Only the transport changes: the kernel's
    warnings and errors, and every error of the notebook, still show.

    Returns
    -------
    dict
        Extra keyword arguments for ``papermill.execute_notebook`` (``{}`` off POSIX).
    """
    if os.name != "posix":
        return {}
    from traitlets.config import Config

    folder = tempfile.mkdtemp(prefix="h2model-kernel-")  # short: a Unix socket path is <= 107 bytes
    atexit.register(shutil.rmtree, folder, True)
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = os.path.join(folder, "kernel")  # sockets kernel-1 ... kernel-5
    return {"config": config}


@contextlib.contextmanager
def shared_plan_cache():
    """Within the block, the report kernels share solved network plans.

    Each scenario's report notebook runs the model once per language, and scenarios
    that differ only in policy or prices plan the same network. Unless the user already
    set :data:`h2model.network.cache.ENV_VAR`, it points, for the block, to a private
    temporary folder (removed afterwards), so a plan proven optimal is solved once
    per build and read back by the other kernels; a plan stopped by its time limit is
    solved again each time. HiGHS stopping at the gap is deterministic, so the reports
    are the same with or without it (:mod:`h2model.network.cache`).
    """
    from ..network.cache import ENV_VAR

    if os.environ.get(ENV_VAR):
        yield
        return
    folder = Path(tempfile.mkdtemp(prefix="h2model-plans-"))
    os.environ[ENV_VAR] = str(folder)
    try:
        yield
    finally:
        os.environ.pop(ENV_VAR, None)
        shutil.rmtree(folder, ignore_errors=True)


def build_reports(
    workbook: str | Path,
    scenarios: Iterable[str] | None = None,
    langs: Iterable[str] = LANGS,
    out: str | Path = "outputs",
    mc_draws: int = 0,
    progress: bool = True,
    *,
    notebook: str | Path | None = None,
    timeout_s: float | None = None,
    compare_to: str | Path | None = None,
) -> dict[str, str]:
    """Build every scenario's reports, the comparison and the index.

    For each scenario, ``notebooks/report.ipynb`` is executed with papermill once per
    language into a hidden temporary folder in ``out``, whose files are moved into
    ``out/<scenario>`` only when every language succeeded, one file at a time
    (:func:`h2model.results.publish`): other files of the folder (e.g. the report in a
    language not built now) are kept. The notebook runs the model and calls
    :func:`render_report`. Then ``targets.csv``, the comparison and the index are
    rewritten over every scenario present in ``out``
    (:func:`h2model.results.scenarios_in`), not only those just built.

    Parameters
    ----------
    workbook : str or pathlib.Path
        Input workbook or CSV folder.
    scenarios : iterable of str, optional
        Scenarios to build; default every scenario of the workbook.
    langs : iterable of {'en', 'zh'}
        Report languages.
    out : str or pathlib.Path
        Root output folder.
    mc_draws : int
        Monte Carlo draws for the sensitivity section (0: none); the notebook passes
        them to ``run(case, mc_draws=...)``.
    progress : bool
        Show a progress bar on stderr, advancing by the typical duration of each
        step (:mod:`h2model.progress`).
    notebook : str or pathlib.Path, optional
        The report notebook; default :data:`NOTEBOOK`.
    timeout_s : float, optional
        Per-cell execution timeout.

    Returns
    -------
    dict
        Scenario -> ``"ok"`` or the error message. Failures are also printed.
    """
    import papermill

    from ..inputs import InputError, list_scenarios, load_case
    from ..model import STEPS
    from ..progress import StepBar, report_steps

    langs = list(langs)
    bad = [lang for lang in langs if lang not in LANGS]
    if bad:
        raise ValueError(f"languages must be among {LANGS}, not {bad}")
    notebook = Path(notebook or NOTEBOOK)
    if not notebook.exists():
        raise FileNotFoundError(f"report notebook not found: {notebook} (run from a checkout of h2model)")
    workbook = Path(workbook).resolve()
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    clean_temps(out)
    names = list(scenarios) if scenarios else list_scenarios(workbook)
    status: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    bar = StepBar(report_steps(STEPS, langs, mc_draws), len(names), desc="reports", disable=not progress)
    with shared_plan_cache():
        for name in names:
            tmp = None
            try:
                bar.step(name, "load")
                case = load_case(workbook, name)
                folder = output_dir(out, case.scenario)
                descriptions[case.scenario] = case.scenario_description
                tmp = make_temp_dir(out, case.scenario)
                for lang in langs:
                    bar.step(name, f"report {lang}")
                    papermill.execute_notebook(
                        str(notebook),
                        str(tmp / f"report_{lang}.ipynb"),
                        parameters={
                            "workbook": str(workbook),
                            "scenario": case.scenario,
                            "out_dir": str(tmp),
                            "lang": lang,
                            "mc_draws": int(mc_draws),
                            **({"compare_to": str(Path(compare_to).resolve())} if compare_to else {}),
                        },
                        kernel_name="python3",
                        progress_bar=False,
                        cwd=str(tmp),
                        request_save_on_cell_execute=False,
                        execution_timeout=timeout_s,
                        **kernel_options(),  # no "TCP without encryption" warning on stderr
                    )
                bar.step(name, "publish")
                replace_dir(tmp, folder)
                tmp = None
                status[case.scenario] = "ok"
            except InputError as exc:
                status[name] = str(exc)
                bar.write(f"scenario {name}: input problems, skipped (earlier output kept)\n{exc}")
            except Exception as exc:  # noqa: BLE001 - one failed scenario must not stop the others
                status[name] = _execution_error(exc)
                bar.write(f"scenario {name} failed, skipped (earlier output kept): {status[name]}")
            finally:
                if tmp is not None:
                    shutil.rmtree(tmp, ignore_errors=True)
                bar.finish()
    bar.close()

    present = scenarios_in(out)
    for s in present:
        if s not in descriptions:
            descriptions[s] = _description(out / s)
    tables = {s: read_tables(out / s) for s in present}
    write_targets_summary(out)
    if tables:
        for lang in langs:
            render_comparison(tables, descriptions, lang, out)
    listed = {**status, **{s: "ok" for s in present if s not in status}}
    render_index(out, listed, descriptions, langs)
    return status


def _description(folder: Path) -> str:
    """A scenario's description from its ``provenance.json`` ("" if unreadable)."""
    try:
        prov = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(prov.get("scenario_description", "")) if isinstance(prov, dict) else ""
