"""Test-session setup: one network-plan cache folder per test session.

``H2MODEL_PLAN_CACHE`` (see :mod:`h2model.network.cache`) is set to a new temporary
folder unless already set (set it empty to solve every plan), before xdist starts its
workers and nbval its notebook kernels, which inherit it: tests and notebooks that plan
the same case with the same options then share one solve. The folder is removed at the
end of the session.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from h2model.network.cache import ENV_VAR

#: Where the folder this session made is kept (absent when it made none).
_FOLDER = pytest.StashKey[str]()


def pytest_configure(config):
    if ENV_VAR not in os.environ:  # xdist workers find it set by the controller
        folder = tempfile.mkdtemp(prefix="h2model-plans-")
        os.environ[ENV_VAR] = folder
        config.stash[_FOLDER] = folder


def pytest_unconfigure(config):
    folder = config.stash.get(_FOLDER, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(ENV_VAR, None)
