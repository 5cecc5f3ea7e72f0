# Two commands matter: `make demo` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
LOCALE_DIRS := lms_pages/locale lms_forms/locale locale
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install messages compilemessages demo test lint pytest bench clean

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED)

# Compiles the committed .po catalogues to .mo with Babel, so no system gettext is needed.
compilemessages: install
	@for dir in $(LOCALE_DIRS); do \
		if ls $$dir/*/LC_MESSAGES/django.po >/dev/null 2>&1; then \
			$(BIN)/pybabel -q compile -d $$dir -D django || exit 1; \
		fi; \
	done

# Extracts new strings into the catalogues (needs GNU gettext).
messages: install
	cd lms_pages && ../$(BIN)/python ../manage.py makemessages -l nb -l nn -l en --no-obsolete
	cd lms_forms && ../$(BIN)/python ../manage.py makemessages -l nb -l nn -l en --no-obsolete
	$(BIN)/python manage.py makemessages -l nb -l nn -l en --no-obsolete --ignore=lms_pages --ignore=lms_forms --ignore=.venv --ignore=fixtures --ignore=tests

demo: compilemessages
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=lms_site.settings.test

# The suite runs on one worker per core (pytest-xdist), each with its own test database
# (test_<name>_gw0, _gw1, ... on PostgreSQL); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto

pytest: compilemessages
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test: lint pytest

# With REFERENCE_URL (a page another Wagtail site serves, e.g. http://127.0.0.1:8100/blog/), the
# catalogue is also measured beside it over HTTP (tests/benchmarks/bench_versus_reference.py).
REFERENCE_URL ?=

bench: compilemessages
	$(BIN)/python tests/benchmarks/bench_pages.py
ifneq ($(strip $(REFERENCE_URL)),)
	$(BIN)/python tests/benchmarks/bench_versus_reference.py --reference-url "$(REFERENCE_URL)"
endif

clean:
	rm -rf $(VENV) db.sqlite3 var
