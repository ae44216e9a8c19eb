# cryptokg — two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test lint typecheck check ingest bench bench-l clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

## run: create .venv, install, ingest data/ and serve UI + API on http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/cryptokg ingest data
	$(BIN)/cryptokg serve

ingest: $(STAMP)
	$(BIN)/cryptokg ingest data

## test: install dev dependencies and run the whole suite (browser and Bolt tests included)
test: $(DEVSTAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests
	$(BIN)/python -m pytest -q -p no:cacheprovider --doctest-modules graph

lint: $(DEVSTAMP)
	$(BIN)/ruff check graph api tests bench
	$(BIN)/ruff format --check graph api tests bench
	$(BIN)/mypy

typecheck: $(DEVSTAMP)
	$(BIN)/mypy

check: lint test

bench: $(DEVSTAMP)
	$(BIN)/python -m bench.run --size S

bench-l: $(DEVSTAMP)
	$(BIN)/python -m bench.run --size L

clean:
	rm -rf $(VENV) .cryptokg .pytest_cache .mypy_cache .ruff_cache
