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
	$(BIN)/iomodel run --quiet --draws 2000 --out out
	$(BIN)/iomodel report --from out/impact.nc --lang ru --out out/reports
	@echo "Data: out/impact.nc, out/impact.xlsx, out/impact.csv; reports: out/reports/"

test: $(STAMP)
	$(BIN)/ruff check iomodel tests benchmarks
	$(BIN)/ruff format --check --quiet iomodel tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n auto --maxprocesses 4 --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/bench_impact.py
	$(BIN)/python benchmarks/bench_reports.py
	$(BIN)/python benchmarks/bench_fiscal.py
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_thesis.py
	$(BIN)/python benchmarks/bench_regional.py
	$(BIN)/python benchmarks/bench_cli.py
	$(BIN)/python benchmarks/bench_update.py
	$(BIN)/python benchmarks/bench_uncertainty.py
	$(BIN)/python benchmarks/bench_uncertainty_large.py

clean:
	rm -rf $(VENV) build *.egg-info
