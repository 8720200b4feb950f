# Claimtrack: `make run` to try it, `make test` to test it. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install lock run serve worker beat test test-fast checks browsers smoke lint format migrations-check db-stop clean

# Everything installs from the lock files (exact versions, sha256 of every file); the project
# itself is installed on top without dependencies. requirements/base.txt is what production
# runs (the Dockerfile), requirements/dev.txt adds the extras dev (tests, tools), train
# (scikit-learn) and embedded (the quick-start PostgreSQL). `make lock` writes both from
# pyproject.toml. The venv's own pip is used as it comes (no unpinned upgrade).
$(STAMP): pyproject.toml requirements/base.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## make lock: re-resolve requirements/*.txt after a change to pyproject.toml's dependencies.
## Pins that still fit are kept; LOCK_ARGS=--upgrade takes the newest of everything,
## LOCK_ARGS="--upgrade-package NAME" of one package.
LOCK_ARGS ?=
COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" --quiet $(LOCK_ARGS)
lock: install
	$(COMPILE) -o requirements/base.txt
	$(COMPILE) --extra dev --extra train --extra embedded -c requirements/base.txt \
		-o requirements/dev.txt

## make run: install, migrate, load the sample articles, create demo users, serve on :8000
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_articles fixtures/seeds
	$(BIN)/python manage.py create_demo_users
	@echo "Claimtrack on http://$(HOST):$(PORT)/  (demo log-ins in var/demo-credentials.txt)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Celery worker and beat (set CELERY_BROKER_URL first; without it tasks run in-process)
worker: install
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-2}

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO

## make test: ruff, deptry (declared = imported packages), migrations check, the whole suite
## on PostgreSQL (DATABASE_URL or the embedded server) and a real broker
test: install browsers checks
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest bench/tests

## make test-fast: the same checks and the suite without the `slow` tests (browser, faults,
## real workers, subprocesses, training; see tests/conftest.py)
test-fast: install checks
	$(BIN)/python -m pytest -m "not slow"

## make checks: lint, format, declared vs imported packages (deptry), the app layers
## (import-linter, .importlinter), types (mypy, mypy.ini), migrations in step with models
checks: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/deptry .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work here).
browsers:
	@if ! command -v chromium >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

## make smoke: start `make run` on the embedded database, fetch the log-in page and the article list, stop
smoke: install
	bash .ci/smoke-run.sh

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

db-stop:
	$(BIN)/python -c "from pathlib import Path; from apps.core.embedded_db import stop_server; print('stopped' if stop_server(Path('var/pgdata').resolve()) else 'not running')"

clean: db-stop
	rm -rf $(VENV) var
