# The two commands a newcomer needs: `make run` and `make test`.
# Each creates .venv on first use and installs the project into it.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format clean bench docs

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot run --play-without-token

test: lint
	$(PY) -m pytest -q

# Benchmarks (never part of `make test`): `make bench BENCH_ARGS=--quick` for a short run.
bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

# ruff, the type checker, and the layer contracts (pyproject.toml [tool.importlinter]).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache

# Regenerate the README's module list from the docstrings (checked by tests/test_readme.py).
docs: $(STAMP)
	$(PY) -m cogapp -I . -r README.md

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache build dist *.egg-info
