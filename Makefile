# Summit: the two README commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run worker test test-fast lint format system-deps clean-var

install: $(STAMP)

# Reinstall only when the declared dependencies change.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Summit needs Python 3.11; found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

# The app with demo data: SQLite under var/, Celery on the file-system broker, mail to var/mail/.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo --scale small --if-empty
	@scripts/run-local.sh

system-deps:
	@scripts/system-deps.sh

test: install system-deps
	@$(PY) manage.py collectstatic --noinput -v0
	@set +e; $(VENV)/bin/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

# Everything but the browser journeys: the quick loop while working on rules.
test-fast: install
	$(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

# Style, the layers (import-linter contracts in pyproject.toml) and types (mypy: strict modules
# listed in pyproject.toml). CI runs it before the tests.
LINT_PACKAGES := config performance reach_summit benchmarking dataquality
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/check_cycles.py
	$(VENV)/bin/mypy $(LINT_PACKAGES)

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean-var:
	rm -rf var/

# Scale: seed the `stress` council into PostgreSQL (database summit_bench, reused once seeded),
# run the app under gunicorn and measure the main pages and heavy jobs; writes docs/benchmarks.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/summit_bench
.PHONY: bench loadtest loadtest-deadline
bench: install
	$(PY) scripts/bench.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

# 50 signed-in users on the main pages for 60 s against gunicorn on the bench database, loopback
# only; fails on any error. Run `make bench` first (it seeds the database).
loadtest: install
	$(PY) scripts/loadtest.py --serve $(BENCH_DATABASE_URL) --users 50 --seconds 60 $(LOADTEST_ARGS)

# Two servers as one (issue 21): the same load spread over two gunicorn servers on the bench
# database, one Redis and one media folder (scripts/cluster.py), users alternating between them.
.PHONY: loadtest-two-servers
loadtest-two-servers: install
	$(PY) scripts/loadtest.py --serve $(BENCH_DATABASE_URL) --servers 2 --users 50 --seconds 60 $(LOADTEST_ARGS)

# Deadline day (issue 23): 200 enterers, 40 data managers, 10 officers and 50 members at once
# for 10 minutes, on a fresh copy of the bench database (summit_bench_deadline; the bench
# database itself is never written); fails on any error, lost or doubled write or deadlock.
# A trial: make loadtest-deadline LOADTEST_ARGS="--seconds 60".
loadtest-deadline: install
	$(PY) scripts/loadtest.py --deadline-day --serve $(BENCH_DATABASE_URL) $(LOADTEST_ARGS)
