# Everything runs in a virtual environment inside the repository (.venv), created on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test bench i18n clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "amlnbtools needs Python 3.10 or newer: set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[lab,local,test,v2]"
	touch $(STAMP)

## demo: open the tour in JupyterLab on the bundled sample data
# (JupyterLab refuses to run as root unless told: containers and CI machines often are root)
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
DEMO_FLAGS ?=

demo: $(STAMP)
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) $(DEMO_FLAGS) notebooks/00_tour.ipynb

## test: run every test (unit, property, notebooks under nbval, notebooks in Chromium, the Binder environment)
test: $(STAMP)
	$(PY) -m pytest

## bench: run the benchmarks and print their ratios
bench: $(STAMP)
	$(PY) benchmarks/run.py

## i18n: refresh the message template and catalogs after changing user-facing text
i18n: $(STAMP)
	$(PY) tools/i18n.py update

clean:
	rm -rf $(VENV) test-artifacts
