# Two commands: `make run` sets everything up and serves the portal; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The host links name: a server listening on every address (0.0.0.0) is reached on 127.0.0.1.
LINK_HOST := $(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST))

.PHONY: run test install install-test migrate seed lint format screenshots translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes (a stamp file remembers), so a second `make run` is fast.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/portal db upgrade

# Demo data is loaded once, the first time; a marker in instance/ remembers. When the real cycler
# samples (../shared/data/cycler or PORTAL_CYCLER_SAMPLES) were missing, a second marker makes each
# later `make run` try again (seed-demo is safe to run twice) until they have been loaded.
instance/.demo-loaded: | migrate
	$(BIN)/portal seed-demo | tee instance/seed-demo.log
	grep -E '^Demo logins|^  (admin|staff|partner) ' instance/seed-demo.log > instance/demo-logins.txt
	if grep -q '^datasets: skipped' instance/seed-demo.log; then touch instance/.demo-datasets-missing; fi
	touch $@

seed: instance/.demo-loaded
	@if [ -f instance/.demo-datasets-missing ]; then \
		$(BIN)/portal seed-demo > instance/seed-demo-again.log; \
		if grep -q '^datasets: skipped' instance/seed-demo-again.log; then \
			grep '^datasets: to add' instance/seed-demo-again.log; \
		else \
			grep '^datasets: ' instance/seed-demo-again.log; rm -f instance/.demo-datasets-missing; \
		fi; \
	fi

# Links in mail, the calendar feed and CSV exports follow the port served (unless PORTAL_BASE_URL
# is set), also for mail sent outside a request.
run: migrate seed
	@echo
	@cat instance/demo-logins.txt
	@echo
	@echo "Serving http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	PORTAL_BASE_URL="$${PORTAL_BASE_URL:-http://$(LINK_HOST):$(PORT)}" $(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT) --no-reload

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite on SQLite; again on PostgreSQL (browser tests excepted) when
# PORTAL_TEST_DATABASE_URL points at a server (CI sets it).
test: install-test lint
	env -u PORTAL_TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$PORTAL_TEST_DATABASE_URL" ]; then \
		echo "== the suite again on PostgreSQL =="; \
		$(BIN)/pytest -m "not browser"; \
	fi

screenshots: install-test
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-results

# Refresh the translation catalogue after changing user-facing strings, then translate
# portal/translations/hi/LC_MESSAGES/messages.po and compile.
translations: install-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --omit-header -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations
	$(BIN)/pybabel compile -d portal/translations
