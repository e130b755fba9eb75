# One task runner for the course. Every target sets up what it needs first, so a fresh clone
# with only python3 and make can run any of them.
#
#   make start      set everything up and open the course in JupyterLab (PORT=8888)
#   make test       set everything up and run the whole test suite (what CI runs)
#   make exercises  regenerate exercises/ from solutions/
#   make book       build the Jupyter Book into book/_build/html
#   make book-pdf   print the whole book to one PDF: book/_build/pdf/book.pdf
#   make bench      measure the course's speed goals; figures go to benchmarks/results.json
#   make lint       ruff, and the notebook normaliser in check mode
#   make workshop   run a JupyterHub for a cohort, with the live dashboard (as root; COHORT=file)
#   make clean      remove the environments and build output (your workspace/ is kept)

PYTHON ?= python3
PORT ?= 8888
VENV := .venv
TOOLS := .tools
UV_VERSION := 0.13.9
# uv must never fetch a Python build: only the package registries are reachable.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
BIN := $(VENV)/bin
SYNCED := $(VENV)/.synced

.PHONY: help setup start test test-python test-notebooks exercises book book-pdf bench lint clean workshop
.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

$(TOOLS)/bin/uv:
	@echo "uv not found: installing uv $(UV_VERSION) into $(TOOLS)/ (used only to build .venv)"
	@$(PYTHON) -m venv $(TOOLS) 2>/dev/null && $(TOOLS)/bin/python -m pip install --quiet "uv==$(UV_VERSION)" \
	  || { rm -rf $(TOOLS); $(PYTHON) -m pip install --quiet --target $(TOOLS)/lib "uv==$(UV_VERSION)" \
	       && mkdir -p $(TOOLS)/bin && ln -sf ../lib/bin/uv $(TOOLS)/bin/uv; } \
	  || { echo "Could not install uv: $(PYTHON) has neither venv nor pip."; \
	       echo "On Debian or Ubuntu: apt-get install python3-venv"; exit 1; }

$(SYNCED): pyproject.toml uv.lock | $(UV)
	@echo "Setting up $(VENV)/ from uv.lock (pinned versions; under a minute with a warm cache)…"
	@# Bytecode is compiled once here: where PYTHONDONTWRITEBYTECODE is set (CI, containers) every
	@# `onboard check` and every child pytest would otherwise compile its imports again (seconds).
	$(UV) sync --frozen --all-extras --python $(PYTHON) --quiet --compile-bytecode
	@# And so is the bytecode pytest makes of its plugins' packages (370 modules of hypothesis,
	@# schemathesis, anyio…), which every pytest start with plugins would otherwise redo: 3.5 s.
	@$(BIN)/python -m onboarding.pytest_bytecode
	@touch $@

setup: $(SYNCED) ## create .venv from the lock file (fast when nothing changed)

start: setup ## set everything up and open the course in JupyterLab
	$(BIN)/onboard start --port $(PORT)

# --dist loadfile keeps each test file (and so each notebook's cells) on one worker; the longest
# files go first (tests/longest_files_first.txt), and --no-loadscope-reorder keeps that order.
test: setup ## set everything up and run the whole test suite
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder tests

exercises: setup ## regenerate exercises/ from solutions/
	$(BIN)/onboard author generate

# -W turns every Sphinx warning into an error; the book is built from the repository root so
# that lessons and exercises are included where they live.
book: setup ## build the Jupyter Book (HTML in book/_build/html)
	$(BIN)/jupyter-book build . --config book/_config.yml --toc book/_toc.yml --path-output book -W --keep-going
	@echo "The book is in book/_build/html: open book/_build/html/index.html"

# The one-page edition (Sphinx's singlehtml builder), printed by headless Chromium: diagrams,
# outputs and all, offline, with no TeX. Needs Debian's chromium, as the book's diagrams do.
book-pdf: setup ## print the whole book to one PDF (book/_build/pdf/book.pdf)
	$(BIN)/jupyter-book build . --config book/_config.yml --toc book/_toc.yml --path-output book --builder singlehtml -W --keep-going
	$(BIN)/python book/_ext/print_book.py book/_build/singlehtml book/_build/pdf/book.pdf

# The workshop's capacity figures run a real hub, whose proxy comes from npm; without npm the
# bench says that they were skipped, and why.
bench: setup ## run the benchmarks and save their figures
	@if command -v npm >/dev/null; then $(MAKE) -s --no-print-directory $(CHP); fi
	$(BIN)/python -m onboarding.bench

lint: setup ## ruff, and notebooks free of volatile metadata
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/onboard author normalise --check

# JupyterHub's proxy comes from npm; it goes into .tools/ like uv, never system-wide.
CHP := $(TOOLS)/node/node_modules/.bin/configurable-http-proxy
CHP_VERSION := 5.3.0
COHORT ?= workshop/cohort.example.yaml
WORKSHOP_PORT ?= 8000
WORKSHOP_IP ?= 127.0.0.1
WORKSHOP_ARGS ?=

$(CHP):
	@command -v npm >/dev/null || { echo "npm is needed for JupyterHub's proxy: apt-get install nodejs npm"; exit 1; }
	@echo "Installing configurable-http-proxy $(CHP_VERSION) from npm into $(TOOLS)/node"
	npm install --prefix $(TOOLS)/node --no-audit --no-fund --loglevel=error configurable-http-proxy@$(CHP_VERSION)

workshop: setup $(CHP) ## run a JupyterHub for a cohort with the live dashboard (COHORT=file)
	$(BIN)/python -m workshop run --cohort $(COHORT) --port $(WORKSHOP_PORT) --ip $(WORKSHOP_IP) $(WORKSHOP_ARGS)

clean: ## remove environments and build output (keeps workspace/)
	rm -rf $(VENV) $(TOOLS) book/_build .pytest_cache
