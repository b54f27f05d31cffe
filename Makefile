# Two commands do everything on a fresh machine:
#   make run   - create .venv, install the app, start it on http://localhost:8501
#   make test  - create .venv, install everything, lint, then run every test layer
# Browser tests need Chromium: `apt-get install -y chromium` (CI installs it).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint unit app-tests browser bench load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(BIN)/python -m streamlit run app.py --server.port $(PORT)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

unit: $(VENV)/.dev
	$(BIN)/python -m pytest tests/unit

app-tests: $(VENV)/.dev
	$(BIN)/python -m pytest tests/app

browser: $(VENV)/.dev
	$(BIN)/python -m pytest tests/browser

bench: $(VENV)/.dev
	$(BIN)/python -m bench

load: $(VENV)/.dev
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts
