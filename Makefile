# The two commands a new user needs: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test check lint types pytest migration

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## Install (first time only) and run everything on the embedded defaults.
run: install
	$(BIN)/intake serve

## Lint, type-check and run every test.
test: install lint types pytest

check: test

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types:
	$(BIN)/mypy

pytest:
	$(BIN)/pytest

## Write the next migration after changing store/models: make migration MSG="what changed"
migration: install
	$(BIN)/python -m store.migrations.revision $(MSG)
