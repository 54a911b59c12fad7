# The one place commands live: the README and .ci/run call these targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The CPU build of torch lies on local disk; an unpinned torch would pull a
# multi-GB CUDA build, so it is installed first and pinned here only.
TORCH_CPU ?= torch==2.13.0

.PHONY: install demo test lint format bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH_CPU)"
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/python examples/quickstart.py

test: install
	$(BIN)/ruff check sknn tests examples benchmarks
	$(BIN)/ruff format --check sknn tests examples benchmarks
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/bench_fit.py
	$(BIN)/python benchmarks/bench_grid_jobs.py
	$(BIN)/python benchmarks/bench_scaler.py

lint: install
	$(BIN)/ruff check sknn tests examples benchmarks
	$(BIN)/ruff format --check sknn tests examples benchmarks

format: install
	$(BIN)/ruff format sknn tests examples benchmarks
	$(BIN)/ruff check --fix sknn tests examples benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
