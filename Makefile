# Every target creates .venv on a fresh clone and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint postgres compose-check chat run bench bench-aftercare sample-chart score model lock clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/ruff format --check bot tests benchmarks
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

# The tests start a throwaway PostgreSQL server (tests/pg_server.py): this installs Debian's
# postgresql package first when the server binaries are missing (as root; otherwise it says how).
# SOFTLIFT_SKIP_POSTGRES=1 make test skips the PostgreSQL tests instead.
postgres:
	scripts/ensure_postgres.sh

test: lint postgres
	$(BIN)/softlift-bot faq check
	$(BIN)/pytest

# compose.yaml checked by Compose itself (the tests check it against the schema without it);
# installs Debian's docker-compose when run as root and no compose is there.
compose-check: $(STAMP)
	scripts/compose_check.sh
	$(BIN)/pytest tests/test_compose.py

chat: $(STAMP)
	$(BIN)/softlift-bot chat

run: $(STAMP)
	$(BIN)/softlift-bot run

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_matcher.py
	$(BIN)/python benchmarks/score_heldout.py --set benchmarks/heldout_en.yaml --set benchmarks/heldout_safety_en.yaml --set benchmarks/heldout_final_en.yaml
	$(BIN)/python benchmarks/ablate.py
	$(BIN)/python benchmarks/bench_typos.py
	$(BIN)/python benchmarks/bench_translit.py
	$(BIN)/python benchmarks/bench_suggest.py
	$(BIN)/python benchmarks/bench_stats.py --runs 3
	$(BIN)/python benchmarks/bench_bot.py --runs 3

bench-aftercare: $(STAMP)
	$(BIN)/python benchmarks/bench_aftercare.py

# docs/stats-sample.png, the README's /stats chart, from a seeded demo database.
sample-chart: $(STAMP)
	$(BIN)/python scripts/demo_chart.py

score: $(STAMP)
	$(BIN)/python ../shared/tools/score_answers.py ../shared/eval/dev_en.yaml --show-failures

# faq/*.answers.npz, the answer model of each shipped FAQ file; rerun after changing the FAQ's
# entries or declines, their phrasings, keywords or titles included (tests/test_answer_model.py
# fails until then). Training needs
# scikit-learn, which the bot itself does not: it is installed here only.
model: $(STAMP)
	$(BIN)/python -m pip install --quiet 'scikit-learn>=1.4,<2'
	$(BIN)/python scripts/train_answer_model.py

# requirements.lock: the exact packages the Docker image installs; rerun after changing the
# dependencies in pyproject.toml (tests/test_packaging.py fails until the lock covers them).
lock: $(STAMP)
	$(BIN)/python scripts/lock_requirements.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
