# The two commands a newcomer needs: `make run` and `make test`.
# Each creates .venv on first use and installs the project into it.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format clean bench docs extract update catalogs

# Translations (README: Languages): gettext catalogs managed with Babel.
LOCALES := bot/locales
POT := $(LOCALES)/hipcoach.pot
PYBABEL := $(VENV)/bin/pybabel

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# `make run PLAY_LANG=es` (or ru) opens the playground as a runner whose app speaks Spanish.
PLAY_LANG ?= en
run: $(STAMP)
	$(PY) -m bot run --play-without-token --lang $(PLAY_LANG)

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

# 1. extract: every marked string in the code -> bot/locales/hipcoach.pot (the template).
# `t._`, `t.n_`, `t.p_` in views; `N_`, `NP_` for messages the domain returns (bot.core.text).
extract: $(STAMP)
	$(PYBABEL) extract --project=hipcoach --copyright-holder=hipcoach \
		--no-default-keywords -k _ -k n_:1,2 -k p_:1c,2 -k N_ -k NP_:1,2 \
		--add-comments=Translators: --add-location=file --sort-by-file --width=100 \
		-o $(POT) bot handlers

# 2. update: merge the template into every language's .po (new strings arrive untranslated,
# changed ones fuzzy: tests/test_catalogs.py fails until a translator has looked at them;
# strings gone from the code leave the catalogs).
update: extract
	$(PYBABEL) update -i $(POT) -d $(LOCALES) -D hipcoach --width=100 --previous --ignore-obsolete

# 3. catalogs: compile every .po into the .mo the bot loads. The .mo files are committed, so
# a fresh clone and the wheel have them; tests/test_catalogs.py fails if one is stale.
catalogs: $(STAMP)
	$(PYBABEL) compile --statistics -d $(LOCALES) -D hipcoach

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache build dist *.egg-info
