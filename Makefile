# The one place commands live: the README and .ci/run call these targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The CPU build of torch lies on local disk; an unpinned torch would pull a
# multi-GB CUDA build, so it is installed first and pinned here only.
TORCH_CPU ?= torch==2.13.0

.PHONY: install demo test test-fast lint format bench docs clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH_CPU)"
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/python examples/plot_quickstart.py

test: install
	$(BIN)/ruff check sknn tests examples benchmarks
	$(BIN)/ruff format --check sknn tests examples benchmarks
	$(BIN)/python -m pytest -q

# The same without the tests marked slow (benchmark smoke runs, scikit-learn's
# own MLP tests, whole-recipe cross-validations).
test-fast: install
	$(BIN)/ruff check sknn tests examples benchmarks
	$(BIN)/ruff format --check sknn tests examples benchmarks
	$(BIN)/python -m pytest -q -m "not slow"

# The bench extra (aeon's UCR / UEA data sets, pytabkit's RealMLP-TD) is
# installed only for this target.
$(BIN)/.bench-installed: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	touch $@

bench: $(BIN)/.bench-installed
	$(BIN)/python benchmarks/bench_fit.py
	$(BIN)/python benchmarks/bench_grid_jobs.py
	$(BIN)/python benchmarks/bench_scaler.py
	$(BIN)/python benchmarks/bench_sparse.py
	$(BIN)/python benchmarks/bench_predict_latency.py
	$(BIN)/python benchmarks/bench_dask.py
	$(BIN)/python benchmarks/bench_sequences.py
	$(BIN)/python benchmarks/bench_defaults.py
	$(BIN)/python benchmarks/bench_regression.py
	$(BIN)/python benchmarks/bench_categorical.py

# The docs extra (Sphinx, its theme and extensions, matplotlib) is installed
# only for this target, so that `make test` does not need it.
$(BIN)/.docs-installed: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e ".[test,docs]"
	touch $@

# The build runs every examples/plot_*.py for the gallery; warnings are errors.
# Offline by default: SKNN_DOCS_OFFLINE=0 also links to other projects' docs.
docs: $(BIN)/.docs-installed
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

lint: install
	$(BIN)/ruff check sknn tests examples benchmarks
	$(BIN)/ruff format --check sknn tests examples benchmarks

format: install
	$(BIN)/ruff format sknn tests examples benchmarks
	$(BIN)/ruff check --fix sknn tests examples benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
	rm -rf docs/_build docs/auto_examples docs/generated docs/sg_execution_times.rst
