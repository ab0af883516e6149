# Conduit: every task of the project. `make run` and `make test` work on a fresh machine with
# only Python 3.11+, Node.js and npm: they install what they need.
#
# Embedded default (no variables set): SQLite under var/, in-process cache, eager Celery.
# Set DATABASE_URL / REDIS_URL / CELERY_BROKER_URL to use PostgreSQL, Redis and a real broker.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := cd backend && ../$(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install run serve migrate demo test lint format typecheck schema schema-check conformance seed clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/.installed ## Create .venv and install the backend with its dev tools

.env:
	cp .env.example .env

migrate: install .env ## Apply database migrations
	$(MANAGE) migrate --noinput

demo: migrate ## Load the small demo data set (idempotent)
	$(MANAGE) demo

run: demo ## Install, migrate, load demo data and serve the API on $(HOST):$(PORT)
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo "API: http://$(HOST):$(PORT)/api/v1/   Swagger UI: http://$(HOST):$(PORT)/api/v1/docs/"
	cd backend && ../$(BIN)/uvicorn config.wsgi:application --interface wsgi --http httptools --loop uvloop \
		--host $(HOST) --port $(PORT) --workers $(WORKERS)

test: install ## Run the whole test suite (SQLite by default, PostgreSQL/Redis when their URLs are set)
	$(BIN)/pytest

lint: install ## ruff check + format check
	$(BIN)/ruff check backend tests
	$(BIN)/ruff format --check backend tests

format: install ## Format the Python code
	$(BIN)/ruff check --fix backend tests
	$(BIN)/ruff format backend tests

schema: install .env ## Regenerate openapi.yaml from the code
	$(MANAGE) spectacular --file ../openapi.yaml --validate --fail-on-warn

schema-check: schema ## Fail when the committed openapi.yaml differs from the code
	git diff --exit-code -- openapi.yaml

conformance: install ## Run the RealWorld API suites (Bruno + legacy Postman) twice on a fresh DB (SQLite, or PostgreSQL via DATABASE_URL)
	bash tests/conformance/run.sh

seed: migrate ## Bulk data: make seed ARGS="--users 1000 --articles 10000"
	$(MANAGE) seed $(ARGS)

clean: ## Remove the virtualenv and local state (var/)
	rm -rf $(VENV) var
