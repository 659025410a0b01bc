# Oefenplan: `make run` serves the app with demo data, `make test` runs every test,
# `make check` is the everyday loop (lint and the fast tests, under a minute).
# All set up everything on a fresh clone: virtualenv, packages, secret key,
# translations, database; `make test` also installs Chromium (browser tests) and
# starts the local PostgreSQL and Redis servers when they are installed but stopped.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs twice: on the embedded SQLite and on PostgreSQL.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# ... and the second run shares its rate-limit counters through the real Redis.
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
DJANGO := DJANGO_SECRET_KEY="$$(cat .secret_key)" $(BIN)/python manage.py

.PHONY: serve-prod run test check setup system-deps postgres redis lint format messages makemessages demo clean lock

# Only the locked versions, each checked against its hash, so every clone and CI
# install the same code; pip and setuptools come from the lock too, and without
# build isolation the editable install builds with the locked setuptools.
# The locked pip goes in first: the one `venv` brings with Python 3.11 (23.2)
# takes a newer release for an extra of a locked package (WeasyPrint's
# fonttools[woff]) and then refuses it as not pinned.
$(VENV)/.installed: pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	sed -n '/^pip==/,/[^\\]$$/p' requirements-dev.txt > $(VENV)/pip-lock.txt
	$(BIN)/pip install --quiet --require-hashes -r $(VENV)/pip-lock.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# The lock keeps every pin it has, so it changes only when asked: `make lock
# UPGRADE=django` moves that one package (and a dependency only if it must). The
# dev lock is constrained by the runtime lock, so the tests run on exactly what
# production installs. No index or find-links lines: those are this machine's paths.
UPGRADE ?=
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
upgrade = $(foreach pkg,$(1),--upgrade-package $(pkg))
# pip-compile adds a dev-only package named in --upgrade-package to the runtime
# lock (it looks the name up in the dev extra too), so that lock is asked to
# upgrade only what it already pins.
UPGRADE_RUNTIME = $(shell for pkg in $(UPGRADE); do \
	name=$$(echo "$$pkg" | sed -E 's/[=<>!~;[ ].*//' | tr 'A-Z_.' 'a-z--'); \
	grep -qs "^$$name==" requirements.txt && echo "$$pkg"; done)

lock: $(VENV)/.installed
	$(PIP_COMPILE) $(call upgrade,$(UPGRADE_RUNTIME)) --output-file=requirements.txt pyproject.toml
	$(PIP_COMPILE) $(call upgrade,$(UPGRADE)) --extra=dev --constraint=requirements.txt \
		--output-file=requirements-dev.txt pyproject.toml

.secret_key:
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

messages: $(VENV)/.installed
	$(BIN)/python scripts/compile_messages.py

setup: $(VENV)/.installed .secret_key messages

demo: setup
	$(DJANGO) migrate --noinput
	$(DJANGO) loaddata fixtures/*.yaml
	$(DJANGO) demo_setup

run: demo
	@echo
	@echo "  Oefenplan runs at http://$(HOST):$(PORT)/  (stop with Ctrl+C)"
	@echo
	@# Plain HTTP on this machine: the app's HTTPS-only defaults (secure cookies,
	@# HSTS, redirect) are for a server behind TLS.
	@# The task worker renders handouts in the background; it stops with the server.
	DJANGO_HTTPS_ONLY=0 $(DJANGO) db_worker --no-reload & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT; \
		DJANGO_HTTPS_ONLY=0 $(DJANGO) runserver --noreload $(HOST):$(PORT)

# The production set on this machine: PostgreSQL, Redis, a task worker, two
# gunicorn app servers and nginx with TLS in front (deploy/local_stack.py).
serve-prod: setup system-deps postgres redis
	$(BIN)/python -m deploy.local_stack

# Chromium drives the browser tests, poppler-utils turns handouts into PNGs to
# look at, DejaVu is the handout's embedded font (full Dutch diacritics); nginx
# and openssl make the production set (serve-prod, the fault test);
# postgresql-client brings pg_dump and pg_restore (backup_database, restore_database).
SYSTEM_PACKAGES := chromium poppler-utils fonts-dejavu-core nginx openssl postgresql-client

system-deps:
	@missing=$$(for pkg in $(SYSTEM_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || echo $$pkg; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# axe-core (accessibility checks injected by the browser tests), pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

redis:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
		echo "Starting the local Redis server"; \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
		sleep 1; }

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
		echo "Starting the local PostgreSQL server"; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
		for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }

# ruff for style; lint-imports for the import contracts in pyproject.toml (the
# plan and the therapist's pages never import each other, the domain no HTTP code);
# bandit for security findings of medium and high severity (config in pyproject.toml).
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/bandit -c pyproject.toml -r oefenplan exercises programs -ll

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

makemessages: setup
	$(DJANGO) makemessages --locale nl --locale en --no-obsolete --no-location \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'node_modules/*'
	$(BIN)/python scripts/fill_english_catalogue.py

# The whole suite, as CI runs it: lint, then every test (browser tests in Chromium
# included) on SQLite, then again on PostgreSQL with the rate limit in Redis.
# Serial: the Redis run shares one cache database between all its tests.
test: setup system-deps node_modules/.installed postgres redis lint
	$(BIN)/pytest
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest

# The everyday loop: lint, then every test but the browser ones, on SQLite, on
# every core. One file alone: `.venv/bin/pytest tests/programs/test_schedule.py`.
check: setup lint
	$(BIN)/pytest -m "not browser" -n auto

clean:
	rm -rf $(VENV) node_modules .secret_key db.sqlite3 media staticfiles cache
