# Redline: two commands on a fresh machine with Python 3.11.
#   make demo   set up .venv, run the April 2024 scenario, write its report, warm the compile caches
#   make test   set up .venv and run the test suite
#   make fuzz   10,000 mutated input files through every loader, with counts per type and class
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test fuzz bench setup clean browser

# Debian's Chromium for the browser tests (never `playwright install`: it downloads a browser).
CHROMIUM := /usr/bin/chromium

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

browser:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "note: Debian chromium not installed (needs root and apt); browser tests will be skipped"

demo: $(STAMP)
	@# Compile every numba function once (40-60 s the first time, seconds after), so that the first
	@# `redline run`, `crisis`, `compare` or `backtest` starts in seconds.
	$(VENV)/bin/redline maintain warm
	$(VENV)/bin/redline run april-2024 --trials 20000 --seed 1
	@mkdir -p build
	$(VENV)/bin/redline report april-2024 --trials 20000 --seed 1 -o build/april-2024.html

test: $(STAMP) browser
	$(PY) -m pytest -n 2 -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "error: no tests were collected"; exit 1; fi; exit $$rc

fuzz: $(STAMP)
	$(PY) scripts/fuzz.py --per-type 2000

# Every speed figure and target of issue 14 and DESIGN section 6, on this machine in this run, with
# CPU seconds, wall seconds and the load average; a final table of targets; JSON in benchmarks/results/.
bench: $(STAMP)
	$(VENV)/bin/redline maintain warm >/dev/null
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
