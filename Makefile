# Two commands do the whole set-up: `make run` (the app on SQLite, with the demo territories)
# and `make test` (lint, then the whole test suite). Both create .venv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# A machine may set PYTHONDONTWRITEBYTECODE: every process would then compile every module it
# imports, each time (about 2.5 s more at each app start, and at each server a test starts).
# Installed packages are compiled once at install time; the project's own modules on first use.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test lint format bench clean territoires

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet --compile-bytecode -e ".[test]"
	touch $(STAMP)

# serve.py serves app.py plus the route that sets the session cookie (see its docstring).
run: $(STAMP)
	$(BIN)/streamlit run serve.py

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Rebuild the shipped list of EPCI and communes from the latest @etalab/decoupage-administratif
# package (npm and the network needed; a fresh clone needs none of this): see README.
territoires: $(STAMP)
	$(BIN)/python -m diagnostic territories-refresh --from-npm

# Benchmarks, not part of `make test` (about 15 minutes on 2 cores; results: bench/RESULTS.md).
# The national-scale comparison needs its generated bases first: see bench/RESULTS.md § 4.
# The bench extra brings streamlit-survey (a floor only: its licence forbids shipping it).
bench: $(STAMP)
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet -e ".[bench]"
	$(BIN)/python bench/autosave_bench.py
	$(BIN)/python bench/questionnaire_bench.py
	$(BIN)/python bench/questionnaire_bench.py --floor survey
	$(BIN)/python bench/browser_bench.py
	$(BIN)/python bench/document_bench.py --runs 5
	$(BIN)/python bench/load_test.py --sessions 50

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
