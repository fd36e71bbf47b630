# Vigil's two Quick start commands, and what they need.
#   make run   set everything up and serve the demo site on http://127.0.0.1:8000/
#   make test  set everything up, check the apps' layers and run the whole test suite
PYTHON ?= $(shell command -v python3.13 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup browser edge clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# Browser tests drive Debian's chromium, the edge tests Debian's varnish with
# xkey (varnish-modules); install them once if they are missing.
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

edge:
	@(test -x /usr/sbin/varnishd && test -n "$$(ls /usr/lib/*/varnish/vmods/libvmod_xkey.so 2>/dev/null)") \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish varnish-modules)

# lint-imports holds the apps' layers (pyproject.toml, [tool.importlinter]).
test: setup browser edge
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
