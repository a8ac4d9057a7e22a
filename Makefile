# `make run` serves the app on http://127.0.0.1:5000; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app screening
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# One pytest worker per CPU, each with its own temporary databases and server ports.
PYTEST_WORKERS ?= auto

.PHONY: run test test-fast serve lint bench lock system-deps clean instance-keys

# Everything is installed at the versions in $(LOCK); `make lock` refreshes it.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(LOCK) -e ".[dev]"
	touch $(STAMP)

lock:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe \
	  --extra dev --extra postgres --upgrade --output-file $(LOCK) pyproject.toml

instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@

# The key the answers are encrypted under (README "Encryption at rest"), added once to a
# config.py written before there was one. Back it up apart from the database: without it the
# answers cannot be read.
instance-keys: $(STAMP) instance/config.py
	@grep -q '^ANSWERS_ENCRYPTION_KEY' instance/config.py || $(BIN)/python -c \
	  "from cryptography.fernet import Fernet; print(f'ANSWERS_ENCRYPTION_KEY = {Fernet.generate_key().decode()!r}')" \
	  >> instance/config.py

run: $(STAMP) instance-keys
	$(FLASK) db upgrade
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production: migrations, then gunicorn (README "Running in production"; settings in gunicorn.conf.py).
serve: $(STAMP) instance-keys
	$(FLASK) db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# Page weight, throughput and load against DESIGN.md §5; LIGHTHOUSE=1 adds Lighthouse (minutes).
bench: $(STAMP)
	@status=0; \
	$(BIN)/python bench/patient_effort.py || status=1; \
	$(BIN)/python bench/page_weight.py || status=1; \
	$(BIN)/python bench/throughput.py || status=1; \
	$(BIN)/python bench/load.py || status=1; \
	if [ -n "$(LIGHTHOUSE)" ]; then $(BIN)/python bench/lighthouse.py || status=1; fi; \
	exit $$status

# Chromium for the browser tests and PostgreSQL for the storage tests, from Debian, when root.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Missing:$$missing. Install them (sudo apt-get install$$missing) and run make test again."; exit 1; \
	  fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Everything but the browser and PostgreSQL tests: the quick check while working.
test-fast: lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser and not postgres"

# The whole suite: unit, web, browser, security and PostgreSQL, in parallel.
test: system-deps lint
	$(BIN)/pytest -n $(PYTEST_WORKERS)

clean:
	rm -rf $(VENV) test-output .pytest_cache
