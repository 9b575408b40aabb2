# Everything a newcomer needs: `make demo` to try Kuber, `make test` to check it.
# Each target creates .venv and installs the project first, so nothing is installed by hand.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install debian-packages demo test lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The real Prometheus, promtool and Alertmanager the end-to-end tests run (as root, or with
# sudo); quick when they are there already.
debian-packages:
	@bash scripts/install-debian-packages.sh

demo: install
	$(BIN)/kuber demo

test: install debian-packages
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot commands integrations sprint slo sandbox
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every bench/bench_*.py in turn, each adding its figures to bench/results.json; then the table
# and bench/README_performance.md. A figure below its target makes the target fail, at the end.
bench: install
	@$(BIN)/python bench/results.py --fresh
	@status=0; for script in bench/bench_*.py; do echo "== $$script"; \
		$(BIN)/python $$script || status=1; done; \
	$(BIN)/python bench/results.py || status=1; exit $$status

clean:
	rm -rf $(VENV) .kuber .pytest_cache .mypy_cache .ruff_cache
