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
DJANGO := DJANGO_SECRET_KEY="$$(cat .secret_key)" $(BIN)/python manage.py

.PHONY: run test setup system-deps postgres lint format messages makemessages demo clean

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

system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Chromium for the browser tests (Debian package)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

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

test: setup system-deps postgres lint
	DJANGO_SECRET_KEY="$$(cat .secret_key)" $(BIN)/pytest
	DJANGO_SECRET_KEY="$$(cat .secret_key)" DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest

clean:
	rm -rf $(VENV) .secret_key db.sqlite3 media staticfiles
