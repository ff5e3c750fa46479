# Cluster Portal. `make run` serves the site with the shipped data; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install data run test lint format bench bench-pages loadtest browser-deps

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

# The English catalogue is compiled here: .mo files are build output, not committed.
install: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=$(VENV) --ignore=staticfiles -v0

data: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_portal_data --host $(HOST)

# The server and one import worker beside it (admin imports are background jobs); Ctrl-C stops both.
run: data
	$(PY) manage.py db_worker --no-reload --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

# Browser tests drive Debian's Chromium; install it (and a CJK font for screenshots) when missing.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null; \
		else \
			echo "Browser tests need Debian's chromium, chromium-driver and fonts-noto-cjk: sudo apt-get install chromium chromium-driver fonts-noto-cjk"; \
		fi; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install browser-deps lint
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

# Import speed, then every page and API answer against a do-nothing view at 25 and 5,025 clusters
# (BENCH_DATABASE_URL=postgres://…/<name with bench> for PostgreSQL; see docs/performance.md).
bench: install
	$(PY) -m benchmarks.run
	$(PY) -m benchmarks.pages

bench-pages: install
	$(PY) -m benchmarks.pages

# The site under gunicorn with PostgreSQL and 5,000 demo clusters, driven by wrk on loopback.
loadtest: install
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(PY) -m benchmarks.loadtest
