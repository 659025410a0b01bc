# Oefenplan: `make run` serves the app with demo data, `make test` runs every test.
# Both set up everything on a fresh clone: virtualenv, packages, secret key,
# translations, database; `make test` also installs Chromium (browser tests) and
# starts the local PostgreSQL server when it is installed but stopped.

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

.PHONY: run test setup system-deps postgres redis lint format messages makemessages demo clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

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
	$(DJANGO) runserver --noreload $(HOST):$(PORT)

# Chromium drives the browser tests, poppler-utils turns handouts into PNGs to
# look at, DejaVu is the handout's embedded font (full Dutch diacritics).
SYSTEM_PACKAGES := chromium poppler-utils fonts-dejavu-core

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

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

makemessages: setup
	$(DJANGO) makemessages --locale nl --locale en --no-obsolete --no-location --ignore '.venv/*' --ignore 'tests/*'
	$(BIN)/python scripts/fill_english_catalogue.py

test: setup system-deps node_modules/.installed postgres redis lint
	DJANGO_SECRET_KEY="$$(cat .secret_key)" $(BIN)/pytest
	DJANGO_SECRET_KEY="$$(cat .secret_key)" DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules .secret_key db.sqlite3 media staticfiles cache
