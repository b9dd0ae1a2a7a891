# Set-up and checks. `make test` and `make demo` are the only commands a fresh machine needs.
# AIRFLOW_VERSION picks the supported Airflow minor (3.0, 3.1, 3.2 or 3.3; default 3.3): each has
# its own virtualenv, installed with constraints/airflow-<minor>.txt.
PYTHON ?= python3
AIRFLOW_VERSION ?= 3.3
ifeq ($(AIRFLOW_VERSION),3.3)
VENV := .venv
else
VENV := .venv-airflow-$(AIRFLOW_VERSION)
endif
CONSTRAINTS := constraints/airflow-$(AIRFLOW_VERSION).txt
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install redis test heavy lint format demo bench bench-fanout compat constraints dist emulator clean

# The virtualenv is rebuilt whenever the dependencies or their pinned versions change.
$(INSTALLED): pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(CONSTRAINTS) -e ".[test]"
	touch $@

$(CONSTRAINTS):
	@echo "Airflow $(AIRFLOW_VERSION) is not supported: there is no $(CONSTRAINTS)" >&2; exit 2

install: $(INSTALLED)

# Two workers; the system tests, which share one real Airflow, all run on the same one.
PYTEST_ARGS ?= -n 2 --dist loadgroup
test: $(INSTALLED) lint
	$(BIN)/pytest $(PYTEST_ARGS)

# redis-server from the distribution's packages, when missing: the CeleryExecutor's broker in
# the distributed system test, which starts its own on a free loopback port.
redis:
	scripts/install-redis

# The heavy real-Airflow runs (two triggerers, many exports, Celery workers), too long for
# `make test`.
heavy: $(INSTALLED) redis
	$(BIN)/pytest --heavy

# Types are checked against the newest supported Airflow, the one _compat.py is written for.
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
ifeq ($(AIRFLOW_VERSION),3.3)
	$(BIN)/mypy
endif

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: $(INSTALLED)
	$(BIN)/python -m demo

# benchmarks/: `triggers` follows N deferred exports from one event loop beside a naive baseline
# (BENCH_ARGS go to it); `imports` prints what a DAG parse pays for the operator and sensor
# modules against BashOperator (IMPORTS_BENCH_ARGS); `fanout` runs N mapped exports through
# real Airflow into a project with K slots beside a PythonOperator baseline (FANOUT_BENCH_ARGS,
# e.g. "--scenario ee-bound" or "--n 2000"; minutes). BENCH picks which; default the first two.
BENCH ?= triggers imports
bench: $(INSTALLED)
ifneq ($(filter triggers,$(BENCH)),)
	$(BIN)/python -m benchmarks.triggers $(BENCH_ARGS)
endif
ifneq ($(filter imports,$(BENCH)),)
	$(BIN)/python -m benchmarks.imports $(IMPORTS_BENCH_ARGS)
endif
ifneq ($(filter fanout,$(BENCH)),)
	$(BIN)/python -m benchmarks.fanout $(FANOUT_BENCH_ARGS)
endif

bench-fanout: $(INSTALLED)
	$(BIN)/python -m benchmarks.fanout $(FANOUT_BENCH_ARGS)

# Every supported Airflow minor: install, parse and run the examples, defer, sense, demo.
compat: $(INSTALLED)
	$(BIN)/python -m compat.check $(COMPAT_ARGS)

# Re-resolve constraints/airflow-<minor>.txt (MINORS="3.0 3.2" for some; default all).
constraints: $(INSTALLED)
	$(BIN)/python -m compat.lock $(MINORS)

# The sdist and wheel, in dist/.
dist: $(INSTALLED)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

emulator: $(INSTALLED)
	$(BIN)/eeexport-emulator

clean:
	rm -rf .venv .venv-airflow-* .pytest_cache .ruff_cache dist
