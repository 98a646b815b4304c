# `make run` and `make test` work on a fresh clone: they build .venv on first use
# and reinstall whenever pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench content-check clean docker

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/quizbot run

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

content-check: $(STAMP)
	$(BIN)/quizbot content check --notes ../shared/notes

bench: $(STAMP)
	$(BIN)/python -m bench

# Builds the image when a container engine answers; otherwise says so and succeeds (the
# Dockerfile's structure is still checked by tests/ops/test_dockerfile.py under `make test`).
CONTAINER_ENGINE ?= $(shell command -v docker 2>/dev/null || command -v podman 2>/dev/null)
IMAGE ?= quizbot:latest

docker:
	@if [ -n "$(CONTAINER_ENGINE)" ] && "$(CONTAINER_ENGINE)" info >/dev/null 2>&1; then \
		"$(CONTAINER_ENGINE)" build -t $(IMAGE) . ; \
	else \
		echo "make docker: no running container engine (docker or podman) here; not building $(IMAGE)."; \
		echo "Install one, or build elsewhere with: docker build -t $(IMAGE) ."; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
