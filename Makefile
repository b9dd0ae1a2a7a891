# Set-up and checks. `make test` and `make demo` are the only commands a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: test lint format demo bench emulator lock clean

# The virtualenv is rebuilt whenever the dependencies or their pinned versions change.
$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	touch $@

test: $(INSTALLED) lint
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: $(INSTALLED)
	$(BIN)/python -m demo

# N deferred exports followed from one event loop, beside a naive baseline (see benchmarks/).
bench: $(INSTALLED)
	$(BIN)/python -m benchmarks.triggers $(BENCH_ARGS)

emulator: $(INSTALLED)
	$(BIN)/eeexport-emulator

# Re-pin every dependency to what is installed now (after changing pyproject.toml).
lock: $(INSTALLED)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^airflow-provider-eeexport' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
