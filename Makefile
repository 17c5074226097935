# The register's commands. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app app

.PHONY: run serve test bench bench-load migrate translations messages screens clean

$(BIN)/activate: requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(BIN)/activate

# Compile the message catalogs (.po → .mo) of the register and of Flask-Admin's extra strings.
translations: $(BIN)/activate
	$(BIN)/pybabel compile -d translations -D messages >/dev/null 2>&1
	$(BIN)/pybabel compile -d translations -D admin >/dev/null 2>&1

# Extract the strings to translate and merge them into the .po catalogs.
messages: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -D messages --no-fuzzy-matching -w 88

migrate: $(BIN)/activate
	$(FLASK) db upgrade

# On this machine alone (a loopback HOST) the register is served over plain HTTP, where a
# browser keeps no Secure cookie: turn the flag off unless REGISTER_SESSION_COOKIE_SECURE
# says otherwise (=true behind a TLS proxy on 127.0.0.1). Any other HOST keeps it on.
LOOPBACK := $(filter 127.0.0.1 localhost ::1,$(HOST))

# The register is served by gunicorn: WORKERS processes (one per core by default), each
# with THREADS threads; the scheduled jobs run once across them (services/joblock.py).
# PROCESSES=N serves N such servers on the ports PORT, PORT+1, … (one database, a reverse
# proxy in front: README "More than one server"); Ctrl-C ends them all.
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
THREADS ?= 8
PROCESSES ?= 1
SERVE = $(if $(LOOPBACK),REGISTER_SESSION_COOKIE_SECURE=$${REGISTER_SESSION_COOKIE_SECURE:-false}) \
	$(BIN)/gunicorn --workers=$(WORKERS) --threads=$(THREADS) --bind=$(HOST):$(1) \
	'app:create_app()'

run: translations migrate
	$(FLASK) users bootstrap
	$(MAKE) --no-print-directory serve

# Only the serving, on a database `make run` has set up (the load bench starts it so).
serve: translations
ifeq ($(PROCESSES),1)
	@echo "Serving the register at http://$(HOST):$(PORT)/ ($(WORKERS) workers × $(THREADS) threads)"
	$(call SERVE,$(PORT))
else
	@pids=; trap 'kill $$pids 2>/dev/null' INT TERM EXIT; \
	for port in $$(seq $(PORT) $$(($(PORT) + $(PROCESSES) - 1))); do \
		echo "Serving the register at http://$(HOST):$$port/"; \
		$(call SERVE,$$port) & pids="$$pids $$!"; \
	done; wait
endif

# The time-sensitive tests (marker `clock`) run again on SQLite with the clock started at
# each of these instants (README "Time"): 23:30 UTC at the turn of a month, when Helsinki's
# date is already the 1st; 23:30 UTC on the Saturdays before summer time starts and ends;
# 00:59:50 UTC on those Sundays, so that the run goes across the change itself (01:00 UTC:
# 03:00 becomes 04:00 in March, 04:00 becomes 03:00 again in October).
TEST_CLOCKS := 2027-01-31T23:30:00Z 2027-03-27T23:30:00Z 2027-03-28T00:59:50Z \
	2027-10-30T23:30:00Z 2027-10-31T00:59:50Z

# Tests run side by side in this many processes (pytest-xdist; each has its own SQLite
# files and its own PostgreSQL database beside TEST_DATABASE_URL's). 1 runs them in one.
TEST_WORKERS ?= 2
ifeq ($(TEST_WORKERS),1)
PARALLEL :=
else
PARALLEL := -n $(TEST_WORKERS)
endif

test: translations
	$(BIN)/python -m pytest $(PARALLEL) $(PYTEST_ARGS)
	@for clock in $(TEST_CLOCKS); do \
		echo "== the time-sensitive tests with the clock at $$clock"; \
		REGISTER_TEST_CLOCK=$$clock REGISTER_TEST_DATABASES=sqlite \
			$(BIN)/python -m pytest $(PARALLEL) -q -m "clock and not browser" $(PYTEST_ARGS) \
			|| exit 1; \
	done

bench: translations
	$(BIN)/python -m bench.run

# Purge throughput on a copy of the bench dataset (SQLite, or BENCH_DATABASE_URL's PostgreSQL).
.PHONY: bench-purge
bench-purge: translations
	$(BIN)/python -m bench.purge

# Import throughput on a copy of the bench dataset (SQLite, or BENCH_DATABASE_URL's PostgreSQL).
.PHONY: bench-import
bench-import: translations
	$(BIN)/python -m bench.imports

# Many people at once against the server as `make serve` starts it (bench/load.py).
bench-load: translations
	$(BIN)/python -m bench.load

# The pictures of the main screens in docs/screens/ (README "Screens"), taken in Debian's
# chromium from a throwaway register of made-up customers.
screens: translations
	$(BIN)/python docs/make_screens.py

clean:
	rm -rf $(VENV) .pytest_cache
