# The project's verbs. Each target sets up what it needs on first use.
#   make report   the scenario reports into outputs/   (the main job)
#   make test     the whole test suite, notebooks included
#   make bench    the benchmarks (on demand, not part of the tests)
#   make lint     ruff
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report run test bench lint setup clean-venv

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

report: $(STAMP)
	bash scripts/system-deps.sh
	$(BIN)/h2model report --all --lang both --out outputs --mc-draws 1000

# On every CPU (pytest-xdist, at most 4 workers). --dist loadfile keeps each test file and
# notebook in one worker, in order (a notebook's cells run in sequence in one kernel; module
# fixtures are made once per file). Workers and notebook kernels share solved network plans
# (conftest.py sets H2MODEL_PLAN_CACHE; see h2model/network/cache.py).
test: $(STAMP)
	bash scripts/system-deps.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider -n logical --maxprocesses 4 --dist loadfile \
		--nbval-lax --nbval-current-env notebooks h2model tests

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check h2model tests benchmarks

clean-venv:
	rm -rf $(VENV)
