# Self-documenting: `make help` lists every target with its description.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# .venv with the workbench alone (what `make demo` needs), then with everything (`make install`)
BASE_STAMP := $(VENV)/.installed-base
STAMP := $(VENV)/.installed
# checkov pins old boto3/packaging versions: it lives in its own environment.
TOOLS := .tools
TOOLS_STAMP := $(TOOLS)/.installed
STACK ?= workbench

.PHONY: help install lint test test-fast demo lab sample deploy clean bench

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) $(TOOLS_STAMP) ## create .venv (the workbench, JupyterLab and the test tools) and .tools (checkov)

$(BASE_STAMP): pyproject.toml
	@echo "Setting up .venv with the workbench and what the demo needs (about 85 packages, a minute or so) ..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# the distribution was once called "workbench", a name an unrelated package holds on PyPI
	$(BIN)/python -m pip uninstall --quiet --yes workbench 2>/dev/null || true
	$(BIN)/python -m pip install --progress-bar on -e .
	@$(BIN)/python -c "import workbench" && touch $(BASE_STAMP)

$(STAMP): $(BASE_STAMP) pyproject.toml
	@echo "Adding JupyterLab and the test tools to .venv ..."
	$(BIN)/python -m pip install --quiet -e '.[dev,lab]'
	@touch $(STAMP)

$(TOOLS_STAMP):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/bin/python -m pip install --quiet 'checkov>=3.2'
	@touch $(TOOLS_STAMP)

lint: $(STAMP) ## check the code with ruff (its settings are in pyproject.toml)
	$(BIN)/ruff check .

trino: $(STAMP) ## fetch (once) and check the pinned Trino release the tests run the query library on
	$(BIN)/python -m tests.trino_server fetch

test: install lint trino ## lint, fetch Trino, run the whole test suite (generates its own sample data)
	$(BIN)/python -m pytest

test-fast: $(STAMP) ## the unit tests only: no notebooks, browser, local AWS or Trino server, CloudFormation linters
	$(BIN)/python -m pytest -m "not slow and not aws and not index" -q

demo: $(BASE_STAMP) ## generate the sample organisation, run every notebook on it, print reports/index.html
	$(BIN)/workbench demo

lab: $(STAMP) ## open the notebooks in JupyterLab on the demo data (made first if missing)
	@test -f demo-data/scenarios.json || $(BIN)/workbench sample --out demo-data
	WORKBENCH_LOGS="$(CURDIR)/demo-data" $(BIN)/jupyter lab --notebook-dir=notebooks

bench: install ## measure the engine against its targets (store built once in benchmarks/store; results in benchmarks/results/latest.json)
	$(BIN)/python -m benchmarks.run

sample: install ## (re)generate the sample organisation in demo-data/
	$(BIN)/workbench sample --out demo-data

deploy: install ## package the code and create/update the AWS stack (LOG_BUCKET=, ARTIFACT_BUCKET=, STACK=, DEPLOY_ARGS=)
	@if [ -z "$(LOG_BUCKET)" ] || [ -z "$(ARTIFACT_BUCKET)" ]; then \
		echo "usage: make deploy LOG_BUCKET=... ARTIFACT_BUCKET=... [STACK=workbench] [DEPLOY_ARGS='--org-id o-... --regions ...']"; \
		echo "options: $(BIN)/workbench deploy --help (docs/deploy.md)"; exit 2; fi
	$(BIN)/workbench deploy --stack "$(STACK)" --log-bucket "$(LOG_BUCKET)" --artifact-bucket "$(ARTIFACT_BUCKET)" $(DEPLOY_ARGS)

clean: ## remove generated data, caches and the virtual environments
	rm -rf $(VENV) $(TOOLS) demo-data reports .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
