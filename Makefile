# The two commands README.md gives: `make run` installs and starts the app, `make test` installs the
# test dependencies and runs the whole suite. Both install Debian's Chromium (kaleido's image export
# and the browser tests use it), a CJK font and HAProxy (`make serve`, and the tests of it) when they
# are missing. `make serve REPLICAS=4 PORT=8600` serves a class: replicas behind HAProxy (deploy/serve.py).
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
REPLICAS ?= 2
PORT ?= 8600

.PHONY: run serve test system-deps deps dev-deps bench lint

system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/haproxy ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk fontconfig haproxy; \
	fi

deps: system-deps
	$(PIP) install -q -r requirements.txt

dev-deps: system-deps
	$(PIP) install -q -r requirements-dev.txt

run: deps
	$(PYTHON) -m streamlit run app.py

serve: deps
	$(PYTHON) -m deploy.serve --replicas $(REPLICAS) --port $(PORT)

test: dev-deps
	$(PYTHON) -m pytest

bench: dev-deps
	$(PYTHON) -m benchmarks

lint:
	$(PYTHON) -m ruff check . && $(PYTHON) -m ruff format --check .
