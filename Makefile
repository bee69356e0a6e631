# `make report` and `make test` do all the set-up on a fresh machine: they create .venv with
# python3 -m venv, install iomodel into it, then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install report test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

report: $(STAMP)
	$(BIN)/iomodel multipliers rosstat-2021 --type II \
	  --sectors 07.2,08,09,20,24.1-24.3,24.4,25,27,28,33,41-43,35.1,19.2-19.3,49.1-49.2,49.4,52,71
	$(BIN)/iomodel multipliers rosstat-2021 --type I \
	  --sectors 07.2,08,09,20,24.1-24.3,24.4,25,27,28,33,41-43,35.1,19.2-19.3,49.1-49.2,49.4,52,71

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info
