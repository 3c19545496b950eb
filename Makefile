# The two commands of the quick start are `make run` and `make test`.
.PHONY: help run shell test cv setup train lint bench clean cluster

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

run:  ## set up (first time), train if needed, start the assistant in the terminal
	@bash scripts/run.sh

test:  ## set up (first time) and run every check: lint, tests, validation, conversations
	@bash scripts/test.sh

cv:  ## 5-fold cross-validation of the intent classifier alone (20-25 min; prints macro-F1)
	@bash -c 'source scripts/common.sh && ensure_venv && cd "$$ROOT" && "$$PY" -m pytest -m slow -s -q tests/intents/test_intent_cross_validation.py'

setup:  ## create the virtual environment from requirements.lock
	@bash -c 'source scripts/common.sh && ensure_venv'

train:  ## train the model when its inputs changed
	@bash -c 'source scripts/common.sh && ensure_venv && ensure_model'

lint:  ## ruff
	@bash -c 'source scripts/common.sh && ensure_venv && "$$VENV/bin/ruff" check bot actions tests bench'

bench:  ## run the benchmarks and print their numbers
	@bash -c 'source scripts/common.sh && ensure_venv && ensure_model && for b in bench/*.py; do echo "== $$b"; "$$PY" "$$b"; done'

clean:  ## remove trained models, results and caches (keeps the virtual environment)
	rm -rf models results .rasa var .pytest_cache

N ?= 2
M ?= 2
cluster:  ## balancer + N Rasa servers + M action servers on PostgreSQL/Redis (N=2 M=2)
	@bash scripts/cluster.sh $(N) $(M)

shell:  ## chat with the assistant in the terminal (rasa shell)
	@bash scripts/shell.sh
