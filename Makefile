# sscard: `make run` starts the local stack; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# `make run`'s data folder: what a restart keeps (docs/local-stack.md); `make reset` clears it.
DATA ?= .data
STAMP := $(VENV)/.installed

.PHONY: run reset test unit integration e2e lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m chalicelib.local_server --stage local --host 127.0.0.1 --port $(PORT) --data $(DATA)

# Everything `make run` kept (cases, materials, the signing key...): the next start seeds the demo residents afresh.
reset:
	rm -rf -- $(DATA)

# The line coverage of the service's code is printed at the end (files below 100% and the total).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --cov=chalicelib --cov=functions --cov=app --cov-report=term:skip-covered tests

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/case_flow.py
	$(BIN)/python bench/deadline_alerts.py
	$(BIN)/python bench/cold_start.py

clean:
	rm -rf $(VENV) vendor build .pytest_cache .ruff_cache

# The deployment artifact of a stage (STAGE=dev|prod): build/$(STAGE)/package/{sam.json,deployment.zip}.
# `chalice package` merged with infra/ (see infra/build.py); reused while its inputs are unchanged.
STAGE ?= dev
.PHONY: package
package: $(STAMP)
	$(BIN)/python -m infra.build --stage $(STAGE)

# The built web app (web/dist) into a deployed stage (STAGE=dev|prod; STACK= if not sscard-$(STAGE)): its bucket,
# its sign-in settings (/app/config.json) from the stack's outputs, the entry files invalidated (infra/publish_web.py).
.PHONY: publish-web
publish-web: $(STAMP)
	$(BIN)/python -m infra.publish_web --stage $(STAGE) $(if $(STACK),--stack $(STACK))
