# Every target creates .venv on a fresh clone and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint chat run bench bench-aftercare score lock clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/ruff format --check bot tests benchmarks
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

test: lint
	$(BIN)/softlift-bot faq check
	$(BIN)/pytest

chat: $(STAMP)
	$(BIN)/softlift-bot chat

run: $(STAMP)
	$(BIN)/softlift-bot run

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_matcher.py
	$(BIN)/python benchmarks/score_heldout.py --set benchmarks/heldout_en.yaml --set benchmarks/heldout_safety_en.yaml --set benchmarks/heldout_final_en.yaml
	$(BIN)/python benchmarks/bench_typos.py
	$(BIN)/python benchmarks/bench_translit.py
	$(BIN)/python benchmarks/bench_suggest.py
	$(BIN)/python benchmarks/bench_bot.py --runs 3

bench-aftercare: $(STAMP)
	$(BIN)/python benchmarks/bench_aftercare.py

score: $(STAMP)
	$(BIN)/python ../shared/tools/score_answers.py ../shared/eval/dev_en.yaml --show-failures

# requirements.lock: the exact packages the Docker image installs; rerun after changing the
# dependencies in pyproject.toml (tests/test_packaging.py fails until the lock covers them).
lock: $(STAMP)
	$(BIN)/python scripts/lock_requirements.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
