# Two commands on a fresh clone: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# Local commands use the development settings; manage.py and gunicorn default to production.
export DJANGO_SETTINGS_MODULE ?= config.settings

.PHONY: run test test-pg test-replica lint format bench bench-multi install migrate demo superuser

# pip's own output goes to var/pip-install.log (shown when it fails), so `make run`'s lines
# (the demo login, the key, the curl lines) are not buried under it.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@mkdir -p var
	@echo "Installing dependencies into $(VENV) (log: var/pip-install.log)..."
	@{ $(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -e ".[dev]"; } \
		> var/pip-install.log 2>&1 || { tail -n 30 var/pip-install.log; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	@$(PY) manage.py migrate --noinput -v0

demo: migrate
	@$(PY) manage.py demo --host $(HOST) --port $(PORT)

run: demo
	@$(PY) manage.py runserver $(HOST):$(PORT)

# A Django admin login of your own, with the same (development) settings as `make run`.
superuser: migrate
	$(PY) manage.py createsuperuser

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
