# servicedesk — `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run setup test lint format migrations-check bench bench-quick clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("servicedesk needs Python 3.10 or newer") if sys.version_info < (3, 10) else None'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed ## create .venv, install, migrate, load the demo data
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

run: setup ## set everything up and start web + Celery worker + beat (Ctrl-C stops all)
	@echo ""
	@echo "  servicedesk is starting:"
	@echo "    web          http://$(HOST):$(PORT)/"
	@echo "    health       http://$(HOST):$(PORT)/healthz"
	@echo "    admin        http://$(HOST):$(PORT)/admin/"
	@echo "    API docs     http://$(HOST):$(PORT)/api/docs/"
	@echo "  demo logins (password demo-pass-2026): admin, supervisor, clerk, worker, resident"
	@echo ""
	HOST=$(HOST) $(BIN)/honcho start --procfile Procfile --port $(PORT)

test: $(VENV)/.installed-dev ## run the test suite (SQLite by default; PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL are set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(VENV)/.installed ## fail if models and migrations disagree
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: $(VENV)/.installed-dev ## benchmarks at full size on PostgreSQL + Redis (DATABASE_URL, CELERY_BROKER_URL)
	$(BIN)/python -m bench.run --full

bench-quick: $(VENV)/.installed-dev ## the same benchmarks at smaller sizes (under 3 minutes)
	$(BIN)/python -m bench.run --quick

clean: ## remove the virtualenv and local data under var/
	rm -rf $(VENV) var
