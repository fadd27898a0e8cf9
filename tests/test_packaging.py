"""The project's own files install what it needs, and agree with each other."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!;\[ ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_names() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for items in meta["optional-dependencies"].values():
        reqs += [r for r in items if not r.startswith("h2model")]
    names = {_name(r) for r in reqs}
    if "dask" in names:  # dask[distributed] is conda's dask + distributed
        names.add("distributed")
    return names


def _conda_names() -> set[str]:
    names = set()
    text = (ROOT / "environment.yml").read_text()
    deps = text.split("dependencies:", 1)[1]
    for line in deps.splitlines():
        m = re.match(r"^\s+- ([A-Za-z0-9_.-]+)", line)
        if m and m.group(1) not in ("pip", "python", "-e"):
            names.add(_name(m.group(1)))
    return names


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert _pyproject_names() == _conda_names()


def test_required_packages_are_declared():
    names = _pyproject_names()
    for required in ("jupyterlab", "pandas", "numpy-financial", "pyomo", "altair", "pytest", "nbval"):
        assert required in names


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make report" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)
