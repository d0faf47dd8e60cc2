# Cabinet — the two commands of a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV  := .venv
PY    := $(VENV)/bin/python
TOOLS := .tools
BUN   := $(TOOLS)/node_modules/.bin/bun
BUN_VERSION := 1.4.4

export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
# The SQLite file and stored uploads live in var/: writes there must not restart the dev server.
export REFLEX_HOT_RELOAD_EXCLUDE_PATHS := $(CURDIR)/var
# Reflex tests registry speed unless told which one to use; npm already knows.
export NPM_CONFIG_REGISTRY ?= $(shell npm config get registry 2>/dev/null)

PG_URL    ?= postgresql+psycopg://cabinet:cabinet@127.0.0.1:5432/cabinet_test
# `make run-scaled`: the demo site on PostgreSQL + Redis with several workers.
SCALE_DATABASE_URL ?= postgresql+psycopg://cabinet:cabinet@127.0.0.1:5432/cabinet
REDIS_PORT         ?= 6379
SCALE_REDIS_URL    ?= redis://127.0.0.1:$(REDIS_PORT)/0

# apt-get as root, or through sudo when there is one.
SUDO := $(shell [ "$$(id -u)" = 0 ] || { command -v sudo >/dev/null && echo sudo; })

# The fake ERP (tests/fakes/erp_server.py): `make run` / `make run-prod` / `make run-scaled` start it on
# FAKE_ERP_PORT and point ERP_URL at it, unless ERP_URL is set (a real ERP); it stops with them.
FAKE_ERP_PORT ?= 8765
WITH_FAKE_ERP = if [ -z "$${ERP_URL:-}" ]; then \
  $(PY) -m tests.fakes.erp_server --port $(FAKE_ERP_PORT) & erp_pid=$$!; \
  trap 'kill $$erp_pid 2>/dev/null || true' EXIT; \
  export ERP_URL=http://127.0.0.1:$(FAKE_ERP_PORT); fi;

.PHONY: install migrate demo run run-prod run-scaled test test-sqlite test-e2e test-pg lint typecheck \
        system-deps pg-up redis-up migration migration-module bench check-head clean

## Python venv + dependencies, and bun from the npm registry (Reflex's own download cannot work here).
install: $(VENV)/.installed $(BUN)

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

$(BUN):
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install -y npm (or any Node.js >= 20)"; exit 1; }
	mkdir -p $(TOOLS)
	cd $(TOOLS) && npm i --no-save --silent bun@$(BUN_VERSION)

migrate: install
	$(VENV)/bin/alembic upgrade head

demo: migrate
	$(PY) -m cabinet.demo

.PHONY: fake-erp demo-large
## The fake ERP alone (demo data set, live changes every minute): http://127.0.0.1:8765
fake-erp: install
	$(PY) -m tests.fakes.erp_server --port $(FAKE_ERP_PORT)

## 9,000 organisations, 100,000 orders, 2,000,000 documents through the ERP sync (progress, rows/s).
## Smaller: make demo-large ERP_SIZES="--orgs 9000 --orders 100000 --documents 200000"
ERP_SIZES ?= --large
demo-large: migrate
	$(PY) -m cabinet.erp.demo $(ERP_SIZES)

## Install, migrate, load demo data, serve on http://localhost:3000
run: demo
	$(WITH_FAKE_ERP) $(VENV)/bin/reflex run

## The same, production build: one port (3000), minified frontend.
run-prod: demo
	$(WITH_FAKE_ERP) $(VENV)/bin/reflex run --env prod

## Production on PostgreSQL + Redis, 2 x cores + 1 workers (README "Scale out").
run-scaled: install pg-up redis-up
	DATABASE_URL=$(SCALE_DATABASE_URL) $(VENV)/bin/alembic upgrade head
	DATABASE_URL=$(SCALE_DATABASE_URL) $(PY) -m cabinet.demo
	$(WITH_FAKE_ERP) DATABASE_URL=$(SCALE_DATABASE_URL) REDIS_URL=$(SCALE_REDIS_URL) \
	  $(VENV)/bin/reflex run --env prod

## Debian packages the tests need: PostgreSQL, Redis, Chromium, a Cyrillic font.
system-deps:
	@missing=""; \
	for p in postgresql redis-server chromium fonts-dejavu-core; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

pg-up: system-deps
	$(SUDO) bash .ci/postgres.sh

redis-up: system-deps
	$(SUDO) env REDIS_PORT=$(REDIS_PORT) bash .ci/redis.sh

## ruff (lint + format) and mypy --strict on models/ and the Reflex-free modules (pyproject's [tool.mypy]).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## mypy --strict alone (the part of `lint` that checks types).
typecheck: install
	$(VENV)/bin/mypy

## Lint; unit + integration tests on SQLite; the browser tests (e2e); the database tests again
## on PostgreSQL. pytest's exit codes count: 5 ("no tests collected") fails the run like any other.
## Every tier runs even when an earlier one fails; the run fails if any did.
test: lint system-deps $(BUN)
	@start=$$(date +%s); failed=""; \
	$(MAKE) --no-print-directory test-sqlite || failed="$$failed test-sqlite"; \
	$(MAKE) --no-print-directory test-e2e || failed="$$failed test-e2e"; \
	$(MAKE) --no-print-directory test-pg || failed="$$failed test-pg"; \
	took=$$(( $$(date +%s) - start )); \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed ($$took s)"; exit 1; fi; \
	echo "make test: passed in $$took s"

# The tests reset the database they are given: never let an exported DATABASE_URL (say, of
# `make run-scaled` or production) reach them. SQLite pass: a temp file (tests/conftest.py).
test-sqlite: install
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -q -m "not e2e" tests

# A process of its own: Playwright's sync API keeps an event loop running in the main thread,
# which breaks asyncio.run() in any test that would follow in the same process.
test-e2e: install system-deps
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -q -m e2e tests

# The scale-out test (two workers, one Redis, one PostgreSQL) must run here, not skip.
test-pg: install pg-up
	env -u REDIS_URL DATABASE_URL=$(PG_URL) CABINET_REQUIRE_SCALE_OUT=1 \
	  $(PY) -m pytest -q -m "db and not e2e" tests

## In a shared working tree: lint + fast tests on a clean export of the last commit.
check-head: install
	bash .ci/check-head.sh

## Printed figures (medians, p95/p99), never asserts.
bench: install system-deps
	$(PY) bench/bench_login.py
	$(PY) bench/bench_websocket.py
	$(PY) bench/bench_websocket.py --redis
	@for b in bench/bench_*.py; do case $$b in \
	  bench/bench_login.py|bench/bench_websocket.py) ;; *) $(PY) $$b ;; esac; done

## A new migration after changing models/: make migration m="what changed"
migration: migrate
	@test -n "$(m)" || { echo 'usage: make migration m="what changed"'; exit 1; }
	$(VENV)/bin/alembic revision --autogenerate -m "$(m)"

## Before the first release only: rebuild one module's revision from its model files
## (0002 telecom, 0003 telecom_admin, 0004 esign, 0005 journals, 0006 orders_finance, 0007 erp,
## 0008 auctions; see alembic/module_migration.py).
migration-module: install
	@test -n "$(rev)" -a -n "$(models)" || { echo 'usage: make migration-module rev=0002 models="models.telecom"'; exit 1; }
	PYTHONPATH=. $(VENV)/bin/python alembic/module_migration.py $(rev) $(models)
	$(VENV)/bin/ruff format -q alembic/versions

clean:
	rm -rf .web .states var
