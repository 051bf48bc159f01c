# Thin wrappers over the real commands; see README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JUPYTER_ARGS ?=
# JupyterLab refuses to start as root (containers, some cloud machines) unless told.
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
PROFILE ?= laptop

.PHONY: setup lesson test notebooks student bench clean

# Create the virtual environment and install the package with the pinned CI constraints
# (the pins need Python 3.11 or newer, as pyproject.toml's requires-python says).
$(STAMP): pyproject.toml .ci/constraints.txt
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(v < (3, 11) and f"error: $(PYTHON) is Python {v[0]}.{v[1]}; the course needs 3.11 or newer (make ... PYTHON=python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -c .ci/constraints.txt -e '.[lab,test]'
	touch $(STAMP)

setup: $(STAMP)

# Set everything up and open the course in JupyterLab.
lesson: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(ROOT_FLAG) $(JUPYTER_ARGS) notebooks/00_welcome.ipynb

# Set everything up and run every test: the linter, then the unit tests and both notebook folders
# under nbval.
test: setup
	$(BIN)/ruff check audiogan_lesson tests
	$(BIN)/python -m pytest

# Execute the solution notebooks (PROFILE=laptop by default) and rebuild the student copies.
notebooks: setup
	$(BIN)/python -m audiogan_lesson.course execute --profile $(PROFILE)

# Rebuild the student notebooks from the solutions without executing anything.
student: setup
	$(BIN)/python -m audiogan_lesson.course build

clean:
	rm -rf $(VENV) *.egg-info
