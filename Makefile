# Two commands matter: `make run` (serve the site on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
# `make run PORT=5103` serves on another port; links in mails then point there too.
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := microblog:create_app

.PHONY: run test test-fast deploy-smoke screenshots install install-test translations secret base-url lint format clean

# The site's public address (BASE_URL) is where `make run` serves, unless it is set already;
# http://localhost:$(PORT) works too.
run: export BASE_URL ?= http://127.0.0.1:$(PORT)
run: export TRUSTED_HOSTS ?= localhost
run: install translations secret base-url
	$(BIN)/flask db upgrade
	$(BIN)/flask seed demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Tests run in parallel, a worker per core (`make test WORKERS=0` runs them in one process).
WORKERS ?= auto
# The tests keep Python's bytecode (__pycache__, and pytest's rewritten test modules) even
# where PYTHONDONTWRITEBYTECODE is set: without it every worker and every process a test
# starts compiles the project again (make test-fast: 212 s of CPU instead of 153 s).
test test-fast deploy-smoke: export PYTHONDONTWRITEBYTECODE :=

test: install-test translations
	$(BIN)/python -m pytest -n $(WORKERS) $(PYTEST_ARGS)

# The quick loop while developing: SQLite only, no browser, a third of the fuzzing's cases.
test-fast: install-test translations
	TEST_DATABASES=sqlite TEST_FUZZ=quick $(BIN)/python -m pytest -n $(WORKERS) --ignore=tests/browser $(PYTEST_ARGS)

# The site as it is deployed: PostgreSQL, Redis, two gunicorn instances behind Debian's nginx
# and an RQ worker, started from the project's deployment files (tests/deploy/smoke.py).
deploy-smoke: install-test translations
	$(BIN)/python -m tests.deploy.smoke

# The README's screenshots (docs/screenshots/), taken in Chromium.
screenshots: install-test translations
	$(BIN)/python -m tests.browser.screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test extras in the same pip run as the site: one resolve instead of two (3 s of a fresh
# clone's 18 s); it installs everything `install` would, so it marks that done too.
$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: install
	$(BIN)/pybabel -q compile -d translations

# A random SECRET_KEY in .env, written once, so sessions survive restarts of `make run`.
secret:
	@grep -qs '^SECRET_KEY=' .env || \
		$(BIN)/python -c "import secrets; print('SECRET_KEY=' + secrets.token_hex(32))" >> .env

# BASE_URL in .env, written once, so `flask` commands run by hand find the local address too.
base-url:
	@grep -qs '^BASE_URL=' .env || echo 'BASE_URL=http://127.0.0.1:5000' >> .env

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find translations -name '*.mo' -delete
