# Two commands for a new machine: `make report` and `make test`. Both create .venv if needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RAW    := data/raw
DATA   := data/processed/manifest.json
KOMMUN ?= 0680
OUT    ?= reports
# KOMMUN, OUT, SAMPLE and JOBS reach the commands through the environment, never through the
# shell's parser: `KOMMUN='0680; rm -rf ~'` is a kommun name that does not exist, not a command.
# $(value …) keeps make from expanding a `$(shell …)` in them too. Several kommuner: separate
# them with commas, KOMMUN="0680,Upplands Väsby" (a name may contain spaces).
override KOMMUN := $(value KOMMUN)
override OUT    := $(value OUT)
override SAMPLE := $(value SAMPLE)
override JOBS   := $(value JOBS)
export KOMMUN OUT SAMPLE JOBS

.PHONY: install lock data report test bench format lab clean

install: $(STAMP)

# Exact versions from requirements.lock (the ones the tests passed with; pyproject.toml keeps
# the ranges), installed with uv when it can be had from PyPI, with pip otherwise.
UV_VERSION := 0.13.8
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	if $(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"; then \
		$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock && \
		$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .; \
	else \
		echo "uv gick inte att installera; installerar med pip (långsammare)."; \
		$(BIN)/python -m pip install --quiet -r requirements.lock && \
		$(BIN)/python -m pip install --quiet --no-deps -e .; \
	fi
	touch $(STAMP)

# Regenerate the lock after changing the ranges in pyproject.toml (then run make test).
lock: $(STAMP)
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --extra dist --universal \
		--python-version 3.11 -o requirements.lock

# The project's own offline snapshot (data/raw, committed): no internet needed. Imported again
# only when a file in it (or the package) is newer than the processed tables.
data: $(DATA)

$(DATA): $(STAMP) $(shell find $(RAW) lib/etablering -type f -not -name "*.pyc" 2>/dev/null)
	$(BIN)/etablering data import

report: data
	@set -f; IFS=','; set -- $$KOMMUN; "$(BIN)/etablering" report "$$@" --out "$$OUT"
	@printf 'Öppna %s/index.html i en webbläsare.\n' "$$OUT"

test: $(STAMP)
	$(BIN)/ruff check lib tests notebooks
	$(BIN)/ruff format --check lib tests notebooks
	$(BIN)/python -m pytest -n 2 -q

# Times the batch runner against the naive papermill + nbconvert loop on the same kommuner.
bench: data
	"$(BIN)/etablering" bench --sample "$${SAMPLE:-6}" --jobs "$${JOBS:-2}"

format: $(STAMP)
	$(BIN)/ruff check --fix lib tests notebooks
	$(BIN)/ruff format lib tests notebooks

# notebooks/*.py open as notebooks: notebooks/.jupyterlab/overrides.json makes jupytext's viewer
# the default for Python files (nothing in the venv or your home folder is changed).
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --LabApp.app_settings_dir=$(CURDIR)/notebooks/.jupyterlab \
		$(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	@case "$$OUT" in ""|/|.|..|~) echo "fel: OUT='$$OUT' tas inte bort; ange rapportmappen" >&2; exit 2;; esac
	rm -rf -- "$$OUT" data/processed data/cache data/.etablering-pinned
