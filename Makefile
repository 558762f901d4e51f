# Tamkeen LMS — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
WORKERS ?= 2
PYTEST_ARGS ?= -n auto  # pytest-xdist: one worker per core, each with its own databases and browser

.PHONY: run test install install-test i18n i18n-update db-upgrade demo worker serve migration clean bench-lrs bench-reports

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the dependencies change.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

i18n: install
	$(BIN)/lms i18n compile

i18n-update: install
	$(BIN)/lms i18n update

db-upgrade: install
	$(BIN)/lms db upgrade

demo: db-upgrade
	$(BIN)/lms demo load

# Serve with gunicorn (as in production) and run the outbox worker beside it; Ctrl-C stops both.
run: i18n demo
	@echo "Tamkeen LMS on http://$(HOST):$(PORT)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/lms worker & \
	$(BIN)/gunicorn --workers $(WORKERS) --threads 4 --bind $(HOST):$(PORT) --access-logfile - wsgi:app

worker: install
	$(BIN)/lms worker

test: install-test
	$(BIN)/lms i18n compile
	$(BIN)/pytest $(PYTEST_ARGS)

# After changing models: `make migration m="what changed"` writes an Alembic revision to review.
migration: install
	LMS_DATABASE_URL=sqlite:///$(CURDIR)/instance/migration-check.sqlite3 $(BIN)/lms db upgrade
	LMS_DATABASE_URL=sqlite:///$(CURDIR)/instance/migration-check.sqlite3 $(BIN)/lms db migrate -m "$(m)"
	rm -f $(CURDIR)/instance/migration-check.sqlite3*

bench-lrs: install-test
	$(BIN)/python bench/lrs_bench.py

bench-reports: install-test
	$(BIN)/python bench/report_bench.py

clean:
	rm -rf $(VENV) *.egg-info
