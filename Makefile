# priorauth: the README's commands. Needs only python3 (3.11+) and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := wsgi.py
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test bench load lint db seed scheduler clean mutation

# Two installs, each recorded by a stamp file: what running needs (requirements.txt, for
# `make run`), and on top of it the test and lint tools (requirements-dev.txt, for test, lint,
# bench and mutation). A changed requirements file redoes only its own install.
RUN_DEPS := $(VENV)/.installed-run
DEV_DEPS := $(VENV)/.installed-dev

$(RUN_DEPS): requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(DEV_DEPS): $(RUN_DEPS) requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

db: $(RUN_DEPS)
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-reference
	$(BIN)/flask seed-demo

run: db
	@echo ""
	@echo "priorauth is starting on http://$(HOST):$(PORT)  (Ctrl-C stops the web server and the scheduler)"
	@echo "Sign in as any demo user above with password: demo-password"
	@echo ""
	$(BIN)/flask scheduler run & SCHED=$$!; trap 'kill $$SCHED 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT) --no-reload

# The suite under coverage.py (.coveragerc: branches too), then line and branch coverage of
# priorauth/ and per package; below a floor (tests/coverage_report.py) the target fails.
test: $(DEV_DEPS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest -c tests/pytest.ini --rootdir=. tests $(PYTEST_ARGS)
	$(BIN)/python tests/coverage_report.py

# Performance at clinic-network scale (docs/performance.md). The scale database is built once
# per size in instance/ (and on PostgreSQL when PRIORAUTH_BENCH_DATABASE_URL is set), then
# reused; BENCH_CLINICS, BENCH_PATIENTS, BENCH_AUTHORIZATIONS and BENCH_INFUSIONS change the
# size (default 20 / 100000 / 300000 / 1000000). bench times each operation against its
# hand-written floor; load drives gunicorn for LOAD_SECONDS per endpoint (default 20).
bench: $(DEV_DEPS)
	$(BIN)/python -m tests.bench.run
	$(BIN)/python -m tests.bench.import_sheet

load: $(DEV_DEPS)
	$(BIN)/python -m tests.bench.load

lint: $(DEV_DEPS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Mutation testing of priorauth/domain/ against tests/unit (docs/testing.md). A fresh run each
# time, so results never come from an old cache; MUTATION_CHILDREN = parallel test processes.
MUTATION_CHILDREN ?= 2
mutation: $(DEV_DEPS)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATION_CHILDREN)
	$(BIN)/python tests/mutation_report.py

clean:
	rm -rf $(VENV) instance .pytest_cache mutants .coverage
