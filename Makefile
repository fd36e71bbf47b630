# Vigil's two Quick start commands, and what they need.
#   make run   set everything up and serve the demo site on http://127.0.0.1:8000/
#   make test  set everything up, check the apps' layers and run the whole test suite
PYTHON ?= $(shell command -v python3.13 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup browser edge proxy validators clean

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

# The proxy tests (tests/vigil/test_nginx.py) and bench/overload.py run
# deploy/nginx.conf with Debian's nginx, as a private instance on a loopback
# port; installed once if missing (the tests start only their own instances).
proxy:
	@test -x /usr/sbin/nginx \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx)

# The Nu HTML Checker (tests/test_html_validity.py): the npm package vnu-jar in
# var/tools/, run on Debian's Java; each installed once, only if missing.
VNU_VERSION := 26.9.27
VNU_JAR := var/tools/node_modules/vnu-jar/build/dist/vnu.jar
validators:
	@command -v java >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless)
	@command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm)
	@test -f $(VNU_JAR) || npm install --prefix var/tools --no-audit --no-fund --silent vnu-jar@$(VNU_VERSION)

# lint-imports holds the apps' layers (pyproject.toml, [tool.importlinter]).
test: setup browser edge proxy validators
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
