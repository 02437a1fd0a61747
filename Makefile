# Two commands matter: `make run` (serve the site on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := microblog:create_app

.PHONY: run test install install-test translations secret lint format clean

run: install translations secret
	$(BIN)/flask db upgrade
	$(BIN)/flask seed demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install-test translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: install
	$(BIN)/pybabel -q compile -d translations

# A random SECRET_KEY in .env, written once, so sessions survive restarts of `make run`.
secret:
	@grep -qs '^SECRET_KEY=' .env || \
		$(BIN)/python -c "import secrets; print('SECRET_KEY=' + secrets.token_hex(32))" >> .env

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find translations -name '*.mo' -delete
