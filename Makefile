# Two commands for a new machine: `make report` and `make test`. Both create .venv if needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RAW    := data/raw
DATA   := data/processed/manifest.json
KOMMUN ?= 0680
OUT    ?= reports

.PHONY: install data report test bench format lab clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The project's own offline snapshot (data/raw, committed): no internet needed. Imported again
# only when a file in it (or the package) is newer than the processed tables.
data: $(DATA)

$(DATA): $(STAMP) $(shell find $(RAW) lib/etablering -type f -not -name "*.pyc" 2>/dev/null)
	$(BIN)/etablering data import

report: data
	$(BIN)/etablering report $(KOMMUN) --out $(OUT)
	@echo "Öppna $(OUT)/index.html i en webbläsare."

test: $(STAMP)
	$(BIN)/ruff check lib tests notebooks
	$(BIN)/ruff format --check lib tests notebooks
	$(BIN)/python -m pytest -n 2 -q

# Times the batch runner against the naive papermill + nbconvert loop on the same kommuner.
bench: data
	$(BIN)/etablering bench --sample $(or $(SAMPLE),6) --jobs $(or $(JOBS),2)

format: $(STAMP)
	$(BIN)/ruff check --fix lib tests notebooks
	$(BIN)/ruff format lib tests notebooks

# notebooks/*.py open as notebooks: notebooks/.jupyterlab/overrides.json makes jupytext's viewer
# the default for Python files (nothing in the venv or your home folder is changed).
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --LabApp.app_settings_dir=$(CURDIR)/notebooks/.jupyterlab \
		$(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf $(OUT) data/processed data/cache
