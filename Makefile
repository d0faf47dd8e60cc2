# Cabinet — the two commands of a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
TOOLS := .tools
BUN   := $(TOOLS)/node_modules/.bin/bun

export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export NPM_CONFIG_REGISTRY ?= $(shell npm config get registry 2>/dev/null)

PG_URL ?= postgresql+psycopg://cabinet:cabinet@127.0.0.1:5432/cabinet_test

.PHONY: install migrate demo run run-prod test test-sqlite test-pg lint system-deps pg-up redis-up migration clean

## Python venv + dependencies, and bun from the npm registry (Reflex's own download cannot work here).
install: $(VENV)/.installed $(BUN)

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

$(BUN):
	mkdir -p $(TOOLS)
	cd $(TOOLS) && npm i --no-save --silent bun@1.4.4

migrate: install
	$(VENV)/bin/alembic upgrade head

demo: migrate
	$(PY) -m cabinet.demo

## Install, migrate, load demo data, serve on http://localhost:3000
run: demo
	$(VENV)/bin/reflex run

run-prod: demo
	$(VENV)/bin/reflex run --env prod

## Debian packages the tests need: PostgreSQL, Redis, Chromium, a Cyrillic font.
system-deps:
	@missing=""; \
	for p in postgresql redis-server chromium fonts-dejavu-core; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

pg-up: system-deps
	bash .ci/postgres.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## Lint, then the whole suite on SQLite, then the database tests again on PostgreSQL.
test: lint system-deps $(BUN)
	$(MAKE) test-sqlite
	$(MAKE) test-pg

test-sqlite:
	$(PY) -m pytest -q tests

test-pg: pg-up
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -q -m "db and not e2e" tests

## A new migration after changing models/: make migration m="what changed"
migration: install
	$(VENV)/bin/alembic revision --autogenerate -m "$(m)"

clean:
	rm -rf .web .states var

## Before the first release only: rebuild the single initial migration from models/.
migration-regen: install
	rm -f alembic/versions/*.py
	tmp=$$(mktemp -d); DATABASE_URL=sqlite:///$$tmp/regen.db $(VENV)/bin/alembic revision --autogenerate --rev-id 0001 -m "platform foundation" >/dev/null; \
	  DATABASE_URL=sqlite:///$$tmp/regen.db $(VENV)/bin/alembic upgrade head; rm -rf $$tmp
	$(VENV)/bin/ruff format -q alembic/versions
	@ls alembic/versions
