# Hongqi's commands. `make run` and `make test` are all a newcomer needs (see README.md).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Laptop mode: DEBUG on, SQLite, tasks in-process. Production sets its own environment (README.md).
DEV_ENV := DEBUG=$${DEBUG:-1}

.PHONY: run test install lint format check messages bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Hongqi needs $(PYTHON) (set PYTHON=/path/to/python3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py seed_demo --if-empty
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

check: install
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=1 $(PY) manage.py check

# Refresh the Chinese catalogue after changing user-facing strings, then fill in the new msgstr.
messages: install
	DEBUG=1 $(PY) manage.py makemessages --locale zh_Hans --ignore ".venv/*" --ignore "static/vendor/*" --ignore "tests/*" --ignore "bench/*" --ignore "staticfiles/*" --no-obsolete
	DEBUG=1 $(PY) manage.py compilemessages --locale zh_Hans --ignore ".venv/*"

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
