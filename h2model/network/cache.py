"""Solved network plans kept on disk by content hash (opt-in; the test suite turns it on).

When the environment variable ``H2MODEL_PLAN_CACHE`` names a folder,
:func:`cached_plan_network` keeps each proven-optimal plan of
:func:`h2model.network.plan_network` there under the SHA-256 of everything that
determines it: the prepared data and the options (pickled whole: every array, table
and option, time limit and solver included), the source of every ``h2model`` module,
and the Pyomo, highspy and numpy versions. A later call with the same inputs, in this
process, another process or a notebook kernel, reads that plan instead of solving the
same model again. Equal bytes of the pickled inputs mean equal inputs, so a stored
plan is only ever returned for the model it was solved from (inputs equal in value
but pickled differently only miss).

Only plans the solver proved optimal within ``mip_gap`` are kept: HiGHS stopping at
the gap is deterministic, so the stored plan is the plan a new solve gives. A plan
stopped by the time limit depends on the machine's speed and is solved again each
time. Callers wanting the same key at once wait on a file lock (POSIX), so each plan
is solved once.

Unset or empty (the default, ``h2model run`` and ``make report``), every call
solves. ``conftest.py`` sets it to a temporary folder for each test session, so the
tests and notebooks that run the same case share its plan.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import os
import pickle
from pathlib import Path

from h2model.network import NetworkData, NetworkOptions, NetworkPlan, plan_network

__all__ = ["ENV_VAR", "cached_plan_network", "plan_key"]

#: Environment variable naming the cache folder (unset or empty: no cache).
ENV_VAR = "H2MODEL_PLAN_CACHE"

#: Bump when the stored format changes.
_FORMAT = 1


@functools.cache
def _code_digest() -> str:
    """SHA-256 over the source of every ``h2model`` module and the solver stack's versions."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    for dist in ("pyomo", "highspy", "numpy", "pandas"):
        try:
            h.update(f"{dist}={importlib.metadata.version(dist)}".encode())
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover
            h.update(f"{dist}=?".encode())
    return h.hexdigest()


def plan_key(data: NetworkData, options: NetworkOptions) -> str:
    """The cache key of a plan: SHA-256 (hex) of the pickled data and options and the
    code digest.

    Examples
    --------
    >>> from h2model.network import generate_instance
    >>> data = generate_instance(6, 10, n_periods=2, seed=1)
    >>> plan_key(data, NetworkOptions()) == plan_key(generate_instance(6, 10, n_periods=2, seed=1),
    ...                                              NetworkOptions())
    True
    >>> plan_key(data, NetworkOptions()) == plan_key(data, NetworkOptions(time_limit_s=60.0))
    False
    """
    h = hashlib.sha256()
    h.update(f"h2model-plan-{_FORMAT}-{_code_digest()}".encode())
    h.update(pickle.dumps((data, options), protocol=5))
    return h.hexdigest()


@contextlib.contextmanager
def _locked(path: Path):
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, at worst a plan is solved twice
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cached_plan_network(data: NetworkData, options: NetworkOptions) -> NetworkPlan:
    """:func:`h2model.network.plan_network`, read from the cache folder where it holds
    this plan (see the module docstring).

    Parameters
    ----------
    data : NetworkData
    options : NetworkOptions

    Returns
    -------
    NetworkPlan
        A fresh copy each call (changing it changes no stored plan).
    """
    folder = os.environ.get(ENV_VAR, "")
    if not folder:
        return plan_network(data, options)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = plan_key(data, options)
    stored = folder / f"{key}.pkl"
    with _locked(folder / f"{key}.lock"):
        if stored.exists():
            return pickle.loads(stored.read_bytes())
        plan = plan_network(data, options)
        if plan.solve is not None and plan.solve.status == "optimal":
            blob = pickle.dumps(plan, protocol=5)
            partial = folder / f"{key}.{os.getpid()}.tmp"
            partial.write_bytes(blob)
            os.replace(partial, stored)
            return pickle.loads(blob)
        return plan
