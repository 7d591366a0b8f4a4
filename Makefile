# Two commands on a fresh clone: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# Local commands use the development settings; manage.py and gunicorn default to production.
export DJANGO_SETTINGS_MODULE ?= config.settings

.PHONY: run test test-pg test-replica lint format bench bench-multi install migrate demo

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py demo --host $(HOST) --port $(PORT)

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

test-pg: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/aicode} $(PY) -m pytest $(PYTEST_ARGS)

# A real streaming replica (initdb + pg_basebackup on ports 26400-26999, as the postgres user);
# part of `make test` too. docs/scaling.md.
test-replica: $(STAMP)
	$(PY) -m pytest tests/common/test_replica_streaming.py -s $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

# Two gunicorn instances behind nginx, Redis, 20 clients for 60 s, one instance killed at 20 s
# (docs/scaling.md). DATABASE_URL: a PostgreSQL database (default aicode_multi).
bench-multi: $(STAMP)
	$(PY) -m bench.multi $(BENCH_ARGS)
