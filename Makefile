# Self-documenting: `make help` lists every target with its description.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install test demo sample clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv and install the workbench with its dev extras

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

test: install ## run the test suite (offline; generates its own sample data)
	$(BIN)/python -m pytest

demo: install ## generate the sample organisation and show what the main queries find in it
	$(BIN)/workbench demo

sample: install ## (re)generate the sample organisation in demo-data/
	$(BIN)/workbench sample --out demo-data

clean: ## remove generated data, caches and the virtual environment
	rm -rf $(VENV) demo-data reports .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
