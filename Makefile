# Two commands: `make run` sets everything up and serves the portal; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

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

# Demo data is loaded once, the first time; a marker in instance/ remembers.
instance/.demo-loaded: | migrate
	$(BIN)/portal seed-demo | tee instance/seed-demo.log
	grep -E '^Demo logins|^  (admin|staff|partner) ' instance/seed-demo.log > instance/demo-logins.txt
	touch $@

seed: instance/.demo-loaded

run: migrate seed
	@echo
	@cat instance/demo-logins.txt
	@echo
	@echo "Serving http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT) --no-reload

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
