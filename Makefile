# GovNet: `make run` starts the suite, `make test` runs every test. Both install into .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the tests need, installed only if missing: Net-SNMP's agent (the devices poller reads a real
# snmpd) and its tools (snmpbulkwalk, measured beside the poller); util-linux's logger sends syslog
DEBIAN_PACKAGES := snmpd snmp bsdutils

.PHONY: run test fuzz lint install system-deps bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system-deps:
	@[ -z "$(DEBIAN_PACKAGES)" ] && exit 0; missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "warning: missing Debian packages:$$missing (tests that need them will fail)"; fi; \
	fi

run: $(STAMP)
	$(BIN)/govnet up

test: $(STAMP) system-deps
	$(BIN)/python -m pytest

# schemathesis over every OpenAPI document against a suite it starts on free ports (a CI stage)
fuzz: $(STAMP)
	$(BIN)/python -m pytest -m fuzz tests/fuzz

lint: $(STAMP)
	$(BIN)/ruff check shared services tests benchmarks
	$(BIN)/mypy shared services

bench: $(STAMP)
	$(BIN)/python benchmarks/events.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
