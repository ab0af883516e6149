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
# The embedded default's cache lives in each process: several workers would each keep their own
# copy and miss each other's invalidations, so it gets one; with Redis they share the cache.
WORKERS ?= $(if $(REDIS_URL),2,1)
SPA_PORT ?= 5173
# The app uvicorn serves: config.asgi:application (docs/serving.md). Its options wherever the API is served (the Dockerfile's CMD, deploy/cluster.py,
# tools/fresh_server.sh and frontend/e2e repeat them; tests/deploy/test_files.py checks they agree).
# --no-proxy-headers: uvicorn never takes the client address or scheme from X-Forwarded-For/-Proto (by
# default it believes them from 127.0.0.1); Django's NUM_PROXIES alone says which hop is a proxy's.
UVICORN_OPTIONS := --interface asgi3 --http httptools --loop uvloop --no-proxy-headers
NPM ?= npm
FRONTEND := frontend
# Debian packages some targets need (nginx, wrk, chromium...): as root here, through sudo on a CI runner.
APT := $(if $(filter 0,$(shell id -u)),,sudo )apt-get

.DEFAULT_GOAL := help
.PHONY: help install run migrate demo test lint format schema schema-check conformance seed clean \
	client-install client client-check spa frontend-check e2e sdk-install sdk sdk-check sdk-test bench-serving worker beat relay tasks-status \
	bench bench-small bench-pool fuzz deploy-check seed-large queries cluster cluster-down cluster-status loadtest loadtest-fixed drills drills-short drills-ci \
	podman images compose-up compose-down compose-check kube-validate kube-play rollout-drill containers-ci

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/.installed ## Create .venv and install the backend with its dev tools

# A new .env: .env.example with a random DJANGO_SECRET_KEY (never a published one), readable by its owner only.
.env:
	@umask 077 && key="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" && \
		sed "s|^DJANGO_SECRET_KEY=$$|DJANGO_SECRET_KEY=$$key|" .env.example >$@.tmp && \
		grep -q "^DJANGO_SECRET_KEY=$$key$$" $@.tmp && mv $@.tmp $@ && echo "wrote $@ with a random DJANGO_SECRET_KEY"

migrate: install .env ## Apply database migrations
	$(MANAGE) migrate --noinput

demo: migrate ## Load the small demo data set (idempotent)
	$(MANAGE) demo

run: demo spa ## Install, migrate, load demo data; serve the API on $(HOST):$(PORT) and the SPA on $(HOST):$(SPA_PORT)
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo "SPA: http://$(HOST):$(SPA_PORT)/   API: http://$(HOST):$(PORT)/api/v1/   Swagger UI: http://$(HOST):$(PORT)/api/v1/docs/"
	node $(FRONTEND)/scripts/serve.mjs --host $(HOST) --port $(SPA_PORT) --api-origin http://$(HOST):$(PORT) --quiet & spa=$$!; \
	trap 'kill $$spa 2>/dev/null' EXIT INT TERM; \
	cd backend && DJANGO_CORS_ALLOWED_ORIGINS=http://$(HOST):$(SPA_PORT),http://localhost:$(SPA_PORT) \
		../$(BIN)/uvicorn config.asgi:application $(UVICORN_OPTIONS) --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: install ## Run the whole test suite (SQLite by default, PostgreSQL/Redis when their URLs are set)
	$(BIN)/pytest

lint: install ## ruff check + format check, mypy (backend/), the import contracts between apps (.importlinter)
	$(BIN)/ruff check backend tests tools deploy
	$(BIN)/ruff format --check backend tests tools deploy
	$(BIN)/mypy
	PYTHONPATH=backend $(BIN)/lint-imports

format: install ## Format the Python code
	$(BIN)/ruff check --fix backend tests tools deploy
	$(BIN)/ruff format backend tests tools deploy

# One schema per API version (apps.api.versions): openapi.yaml is v1's (RealWorld), openapi.<version>.yaml the others'.
API_SCHEMAS := openapi.yaml openapi.v2.yaml

schema: install .env ## Regenerate openapi.yaml (v1) and openapi.v2.yaml (v2) from the code
	$(MANAGE) spectacular --file ../openapi.yaml --validate --fail-on-warn
	$(MANAGE) spectacular --api-version v2 --file ../openapi.v2.yaml --validate --fail-on-warn

schema-check: schema ## Fail when a committed schema (openapi.yaml, openapi.v2.yaml) differs from the code
	git diff --exit-code -- $(API_SCHEMAS)
	@git ls-files --error-unmatch $(API_SCHEMAS) >/dev/null

conformance: install ## Run the RealWorld API suites (Bruno + legacy Postman) twice on a fresh DB (SQLite, or PostgreSQL via DATABASE_URL)
	bash tools/conformance/run.sh

fuzz: install ## Fuzz every API operation of v1 (openapi.yaml) and v2 (openapi.v2.yaml) with schemathesis, anonymous and signed in, on a fresh DB (docs/fuzzing.md)
	bash tools/fuzz/run.sh

# nginx from Debian when missing: `nginx -t` of our configurations (tests/deploy, which fail without it
# in CI) and the cluster's balancer.
.PHONY: nginx
nginx:
	@command -v nginx >/dev/null || PATH="$$PATH:/usr/sbin" command -v nginx >/dev/null || \
		{ $(APT) update -qq && $(APT) install -y -qq nginx; }

deploy-check: install ## Validate Dockerfile, compose.yaml, the nginx configurations and docs/deploy.md statically: hadolint, compose config, nginx -t, tests/deploy (no Docker daemon)
	@docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || \
		{ $(APT) update -qq && $(APT) install -y -qq docker-compose; }
	$(MAKE) --no-print-directory nginx
	$(BIN)/hadolint Dockerfile
	$(BIN)/pytest -q -p no:cacheprovider tests/deploy
	$(MAKE) --no-print-directory kube-validate

# ---- The single-page app (frontend/) ---------------------------------------------------------
$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && $(NPM) ci
	touch $@

client-install: $(FRONTEND)/node_modules/.installed ## Install the SPA's npm packages (npm ci)

client: client-install ## Regenerate frontend/src/api/schema.d.ts from openapi.yaml
	cd $(FRONTEND) && $(NPM) run gen:api

client-check: client ## Fail when the committed API types differ from openapi.yaml
	git diff --exit-code -- $(FRONTEND)/src/api/schema.d.ts

frontend-check: client-install ## Lint, typecheck and unit-test the SPA
	cd $(FRONTEND) && $(NPM) run lint && $(NPM) run typecheck && $(NPM) test

spa: client-install ## Build the SPA for the API on $(HOST):$(PORT) into frontend/dist/ and enforce the size budget
	cd $(FRONTEND) && VITE_API_URL=http://$(HOST):$(PORT)/api/v1 $(NPM) run build && $(NPM) run size

e2e: install client-install ## Browser tests: the real API on a fresh database + the built SPA + headless Chromium
	@command -v chromium >/dev/null || { $(APT) update -qq && $(APT) install -y -qq chromium; }
	cd $(FRONTEND) && $(NPM) run e2e

# ---- The SDKs of API v2 (clients/): generated from openapi.v2.yaml, tested against a live server ----
SDK_SCHEMA ?= openapi.v2.yaml
SDK_TS := clients/typescript
# The generated code: what make sdk-check compares with the commit.
SDK_GENERATED := clients/python/conduit_client clients/python/pyproject.toml $(SDK_TS)/src/schema.ts

$(SDK_TS)/node_modules/.installed: $(SDK_TS)/package.json $(SDK_TS)/package-lock.json
	cd $(SDK_TS) && $(NPM) ci
	touch $@

sdk-install: install $(SDK_TS)/node_modules/.installed ## Install the SDKs' tools (openapi-python-client is in the dev extras; npm ci in clients/typescript)

sdk: sdk-install ## Regenerate both SDKs from openapi.v2.yaml: clients/python (openapi-python-client), clients/typescript/src/schema.ts (openapi-typescript)
	clients/python/generate.sh $(SDK_SCHEMA)
	cd $(SDK_TS) && SDK_SCHEMA=$(abspath $(SDK_SCHEMA)) $(NPM) run --silent gen

sdk-check: sdk ## Fail when a committed SDK differs from openapi.v2.yaml; type-check both (mypy --strict, tsc); build and unit-test the TypeScript one
	git diff --exit-code -- $(SDK_GENERATED)
	@new="$$(git ls-files --others --exclude-standard -- $(SDK_GENERATED))"; \
		if [ -n "$$new" ]; then echo "generated but not committed:"; echo "$$new"; exit 1; fi
	cd clients/python && ../../$(BIN)/mypy --config-file "" --strict --python-version 3.11 conduit_client tests
	$(BIN)/ruff check clients/python/tests
	$(BIN)/ruff format --check clients/python/tests
	cd $(SDK_TS) && $(NPM) run --silent typecheck && $(NPM) run --silent build && $(NPM) test

sdk-test: sdk-install ## The SDKs' live tests: a production-mode server on a fresh database (var/sdk.sqlite3, or conduit_sdk on PostgreSQL), then each SDK's tests against it
	bash clients/live-test.sh

# ---- Benchmarks (docs/benchmarks.md): PostgreSQL and Redis on this machine, wrk ----------------------
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_REDIS ?= redis://127.0.0.1:6379

# A prerequisite of every target below that runs wrk: Debian's package when it is missing.
.PHONY: wrk
wrk:
	@command -v wrk >/dev/null || { $(APT) update -qq && $(APT) install -y -qq wrk; }

bench: install wrk ## Load the API and bare apps with wrk on the small and large (1M articles) sets; writes docs/benchmarks.md
	$(BIN)/python tools/bench/run.py --postgres $(BENCH_PG) --redis $(BENCH_REDIS) $(ARGS)

bench-small: install wrk ## The same on the small data set only (a few minutes)
	$(BIN)/python tools/bench/run.py --sets small --postgres $(BENCH_PG) --redis $(BENCH_REDIS) $(ARGS)

bench-pool: install wrk ## Persistent connections vs psycopg's pool, cache off (adds a section to docs/benchmarks.md)
	$(BIN)/python tools/bench/run.py --pool --postgres $(BENCH_PG) --redis $(BENCH_REDIS) $(ARGS)

bench-serving: install wrk ## Measure the ways to serve Django under uvicorn on our own endpoint (writes docs/serving.md)
	tools/bench/serving.sh 10s

seed: migrate ## Bulk data: make seed ARGS="--users 1000 --articles 10000"
	$(MANAGE) seed $(ARGS)

# Issue #4's large data set. Comments keep the seed's default (2 per article: 2,000,000).
SEED_LARGE_SIZES := --users 100000 --articles 1000000 --favorites 2000000 --follows 1000000 --tags 50

seed-large: install .env ## Issue #4's large set into DATABASE_URL (PostgreSQL only): 100k users, 1M articles, 2M favorites, 1M follows (~10 min)
	@# Django, not the shell, says which database it is (DATABASE_URL may come from .env); checked before migrating.
	@$(MANAGE) shell --verbosity 0 -c "import sys; from django.db import connection; \
		sys.exit(None if connection.vendor == 'postgresql' else \
		'make seed-large needs PostgreSQL (the set is several GB): set DATABASE_URL=postgres://..., not ' + connection.vendor)"
	$(MANAGE) migrate --noinput
	$(MANAGE) seed $(SEED_LARGE_SIZES) $(ARGS)

queries: install .env ## EXPLAIN (ANALYZE, BUFFERS) every read endpoint's SQL on DATABASE_URL (PostgreSQL, read-only); writes docs/queries.md
	$(MANAGE) explain_queries $(ARGS)

# ---- Background work (docs/tasks.md): each needs CELERY_BROKER_URL ------------------------------
worker: migrate ## Celery worker on every queue (default, fanout, email); CONCURRENCY=n processes
	cd backend && ../$(BIN)/celery -A config worker --loglevel INFO $(if $(CONCURRENCY),--concurrency $(CONCURRENCY))

beat: migrate ## Celery beat: the periodic jobs (trending, popular tags, purges, counter checks)
	cd backend && ../$(BIN)/celery -A config beat --loglevel INFO

relay: migrate ## The outbox relay: publishes pending tasks, retrying while the broker is down
	$(MANAGE) relay_outbox

tasks-status: install .env ## Outbox backlog and queue lengths
	$(MANAGE) tasks_status

# ---- The cluster on loopback (docs/reliability.md): nginx, N app instances, workers, replica, Redis --
CLUSTER_PORT ?= 8080
# make loadtest: the capacity search (users LOADTEST_START, x LOADTEST_FACTOR per step, LOADTEST_STEP
# seconds measured each, until p99 > LOADTEST_P99 ms or an error), micro-cache off then on.
LOADTEST_START ?= 25
LOADTEST_FACTOR ?= 2
LOADTEST_MAX ?= 3200
LOADTEST_STEP ?= 30
LOADTEST_P99 ?= 250
LOADTEST_MICROCACHE ?= off,on
# make loadtest-fixed: a fixed number of users for a fixed time.
LOADTEST_USERS ?= 200
LOADTEST_TIME ?= 60s

cluster: install client-install ## Start nginx + CLUSTER_APPS (3) app instances + Celery + replica + Redis on 127.0.0.1:$(CLUSTER_PORT)
	@# nginx and redis-server from Debian when missing (the cluster runs its own, on its own ports).
	@missing="$$(command -v nginx >/dev/null || echo nginx) $$(command -v redis-server >/dev/null || echo redis-server)"; \
	if [ -n "$$(echo $$missing)" ]; then $(APT) update -qq && $(APT) install -y -qq $$missing; fi
	$(MAKE) --no-print-directory spa HOST=127.0.0.1 PORT=$(CLUSTER_PORT)
	CLUSTER_PORT=$(CLUSTER_PORT) $(BIN)/python deploy/cluster.py up

cluster-down: ## Stop every part of the cluster (SIGTERM first, graceful); idempotent
	@if [ -x $(BIN)/python ]; then $(BIN)/python deploy/cluster.py down; else echo "no .venv: nothing runs"; fi

cluster-status: install ## Each part of the cluster: pid, port, up, ready
	$(BIN)/python deploy/cluster.py status

loadtest: install ## The cluster's capacity: Locust users step up until p99 > 250 ms or an error, micro-cache off and on; writes docs/reliability.md
	$(BIN)/python tools/load/run.py --capacity --start $(LOADTEST_START) --factor $(LOADTEST_FACTOR) \
		--max-users $(LOADTEST_MAX) --step-time $(LOADTEST_STEP) --p99-ms $(LOADTEST_P99) --microcache $(LOADTEST_MICROCACHE)

loadtest-fixed: install ## Locust, LOADTEST_USERS (200) for LOADTEST_TIME (60s) through the cluster's balancer; writes docs/reliability.md
	$(BIN)/python tools/load/run.py --users $(LOADTEST_USERS) --time $(LOADTEST_TIME)

drills: install ## Fault drills under load against the running cluster; writes docs/reliability.md
	$(BIN)/python tools/drills/run.py --write-docs

drills-short: install ## The same drills, a few seconds each (CI)
	$(BIN)/python tools/drills/run.py --short

drills-ci: ## CI: make cluster, make drills-short, then make cluster-down whatever happened
	$(MAKE) --no-print-directory cluster || { $(MAKE) --no-print-directory cluster-down; exit 1; }
	$(MAKE) --no-print-directory drills-short; status=$$?; $(MAKE) --no-print-directory cluster-down; exit $$status

# ---- Containers (docs/deploy.md): podman images, compose.yaml's topology in containers, Kubernetes --
# podman with runc (crun fails on these machines), debootstrap for the base image. Base images are built
# once per machine (kept by podman and under /var/cache/conduit-images): docs/deploy.md, "Containers here".
CONTAINERS := $(BIN)/python deploy/containers/topology.py
KUBERNETES_VALIDATE := kubernetes-validate==1.37.0
# The oldest and the newest Kubernetes the manifests are checked against (schemas bundled, offline).
KUBERNETES_VERSIONS ?= 1.30.0 1.37.0
# make rollout-drill writes its result into docs/reliability.md; CI's run does not.
ROLLOUT_ARGS ?= --write-docs

# catatonit: podman builds the pods' pause image from it (`kube play`); podman only recommends it, and
# apt may satisfy that with tini or dumb-init instead.
podman:
	@command -v podman >/dev/null && command -v runc >/dev/null && command -v debootstrap >/dev/null && \
		{ command -v catatonit >/dev/null || [ -x /usr/libexec/podman/catatonit ]; } || \
		{ $(APT) update -qq && $(APT) install -y -qq podman runc debootstrap catatonit; }

images: podman ## Build the base images (once per machine), then conduit-api and conduit-web with podman; prints their sizes
	deploy/containers/images.sh

compose-up: install images ## compose.yaml's topology as podman containers: 3 API, worker, beat, relay, nginx + SPA on 127.0.0.1:8280
	$(CONTAINERS) up

compose-down: ## Stop and remove the containers of compose-up (SIGTERM first); idempotent
	@if [ -x $(BIN)/python ]; then $(CONTAINERS) down; else echo "no .venv: nothing runs"; fi

compose-check: install client-install ## Against compose-up: the RealWorld suites through its nginx, the SPA's browser smoke test, no 5xx
	@command -v chromium >/dev/null || { $(APT) update -qq && $(APT) install -y -qq chromium; }
	$(CONTAINERS) check

kube-validate: install ## Validate every manifest of deploy/kubernetes/ against the Kubernetes schemas, offline
	@$(BIN)/pip show kubernetes-validate >/dev/null 2>&1 || $(BIN)/pip install --quiet '$(KUBERNETES_VALIDATE)'
	for version in $(KUBERNETES_VERSIONS); do \
		$(BIN)/kubernetes-validate --strict --quiet -k $$version $(filter-out %/kustomization.yaml,$(wildcard deploy/kubernetes/*.yaml)) || exit 1; \
	done

kube-play: install ## Play deploy/kubernetes/api-deployment.yaml with podman kube play: /readyz and a RealWorld request (after compose-up)
	$(CONTAINERS) kube-play

rollout-drill: install ## Rolling update of compose-up's API containers under load: 0 failed requests, every acknowledged write kept; writes docs/reliability.md
	$(CONTAINERS) rollout $(ROLLOUT_ARGS)

containers-ci: ## CI: images, compose-up, compose-check, kube-validate, kube-play, rollout-drill, then compose-down whatever happened
	$(MAKE) --no-print-directory compose-up || { $(MAKE) --no-print-directory compose-down; exit 1; }
	status=0; for target in compose-check kube-validate kube-play rollout-drill; do \
		started=$$(date +%s); $(MAKE) --no-print-directory $$target ROLLOUT_ARGS= || status=1; \
		echo "[containers-ci] $$target: $$(( $$(date +%s) - started )) s"; \
	done; $(MAKE) --no-print-directory compose-down; exit $$status

clean: ## Remove the virtualenv and local state (var/)
	rm -rf $(VENV) var
