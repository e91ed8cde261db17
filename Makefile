# ShopSense — `make run` starts everything, `make test` checks everything. `make help` lists the rest.
#
# Virtual environments, the trained Rasa model and other built artefacts live in $(CACHE_DIR),
# outside the checkout, in folders named by a hash of what they are built from: a second run
# reuses them, a changed input rebuilds only what depends on it.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

CACHE_DIR ?= $(or $(SHOPSENSE_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/shopsense)
export SHOPSENSE_CACHE := $(CACHE_DIR)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

hash = $(shell scripts/hash_files.sh $(1))

APP_VENV := $(CACHE_DIR)/venvs/app-$(call hash,requirements/app.lock requirements/app-nodeps.txt)
RASA_VENV := $(CACHE_DIR)/venvs/rasa-$(call hash,requirements/rasa.lock)
PY := $(APP_VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa

RASA_INPUTS := config.yml domain.yml $(sort $(shell find data -name '*.yml'))
RASA_MODEL := $(CACHE_DIR)/rasa-models/$(call hash,$(RASA_INPUTS) requirements/rasa.lock).tar.gz
export SHOPSENSE_RASA_MODEL := $(RASA_MODEL)
export SHOPSENSE_RASA_BIN := $(RASA)

.PHONY: help env app-env rasa-env faq run test bench eval lint typecheck rasa-validate rasa-stories nlu-heldout eval-nlu pytest db emotion model artefacts widget chromium clean-state print-python

help: ## List the make targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(APP_VENV)/.complete: requirements/app.lock requirements/app-nodeps.txt
	@scripts/make_venv.sh $(APP_VENV) python3.11 requirements/app.lock requirements/app-nodeps.txt

$(RASA_VENV)/.complete: requirements/rasa.lock
	@scripts/make_venv.sh $(RASA_VENV) "$$(scripts/find_python310.sh)" requirements/rasa.lock

# One each for the Docker images (deploy/), which hold one environment apiece.
app-env: $(APP_VENV)/.complete ## Build (or reuse) the app's virtual environment (Python 3.11)

rasa-env: $(RASA_VENV)/.complete ## Build (or reuse) Rasa's virtual environment (Python 3.10)

env: app-env rasa-env ## Build (or reuse) both virtual environments

# The model's file name is a hash of everything it is trained from, so a model that exists is up to
# date whatever the files' timestamps say (a fresh clone is newer than the cache).
$(RASA_MODEL): | $(RASA_VENV)/.complete
	@echo "training the Rasa model (its data changed or it was never built)"
	@mkdir -p $(dir $@)
	@$(RASA) train --quiet --config config.yml --domain domain.yml --data data \
		--out $(dir $@) --fixed-model-name $(basename $(basename $(notdir $@)))
	@rm -rf .rasa

model: $(RASA_MODEL) ## Train the Rasa model when its data changed

emotion: $(APP_VENV)/.complete ## Fine-tune the emotion and polarity model (cached)
	@$(PY) -m insight build emotion

# Profiles score review text with the emotion model's polarity head, so it is built first.
db: emotion ## Migrate and seed the demo shop and build its profiles (when missing or outdated)
	@$(PY) -m insight seed --if-empty
	@$(PY) -m insight build profiles --if-missing

# The FAQ index needs no shop database, so the Docker images build it (deploy/app.Dockerfile).
faq: $(APP_VENV)/.complete ## Build the FAQ index (cached)
	@OMP_NUM_THREADS=1 $(PY) -m insight build faq

# The recommender learns from the shop database and its profiles, so they come first.
artefacts: db faq ## Build the models and indexes insight needs (cached)
	@OMP_NUM_THREADS=1 $(PY) -m insight build recommend

# The widget's socket.io client comes from npm (package-lock.json), copied next to the widget.
WIDGET_ASSET := bot/static/vendor/socket.io.min.js

$(WIDGET_ASSET): package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(dir $@)
	@cp node_modules/socket.io-client/dist/socket.io.min.js $@

widget: $(WIDGET_ASSET) ## Build the widget's browser assets (the socket.io client, from npm)

chromium: ## Install Chromium for the browser tests when it is missing (Debian package)
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# The demo shop lives on a fixed day (insight/demo/clock.py): its return windows and late parcels
# are judged on that day unless SHOPSENSE_NOW says otherwise.
run: env model db artefacts widget ## Start Rasa, the action server and the gateway; Ctrl-C stops them
	@SHOPSENSE_DEMO_TOKENS=$${SHOPSENSE_DEMO_TOKENS:-1} SHOPSENSE_NOW=$${SHOPSENSE_NOW:-2024-09-24T10:00:00} \
		$(PY) -m bot.stack

lint: $(APP_VENV)/.complete ## ruff
	@$(APP_VENV)/bin/ruff check .
	@$(APP_VENV)/bin/ruff format --check .

typecheck: $(APP_VENV)/.complete ## mypy --strict
	@$(APP_VENV)/bin/mypy

rasa-validate: env ## rasa data validate; warnings fail (see scripts/rasa_validate.py)
	@$(PY) scripts/rasa_validate.py $(RASA)

rasa-stories: $(RASA_MODEL) ## Rasa test stories, prediction errors fail
	@$(RASA) test core --model $(RASA_MODEL) --stories tests/stories \
		--fail-on-prediction-errors --out test-results/rasa-stories
	@rm -rf .rasa

# The held-out NLU set (tests/nlu/heldout.yml, never trained on): `nlu-heldout` fails below the
# floors in scripts/eval_nlu.py, `eval-nlu` records the figures in eval-results/latest.json.
NLU_HELDOUT := test-results/nlu-heldout/$(basename $(basename $(notdir $(RASA_MODEL))))

$(NLU_HELDOUT)/intent_report.json: tests/nlu/heldout.yml | $(RASA_MODEL)
	@mkdir -p $(NLU_HELDOUT)
	@$(RASA) test nlu --model $(RASA_MODEL) --nlu tests/nlu/heldout.yml --out $(NLU_HELDOUT) \
		> $(NLU_HELDOUT)/rasa.log 2>&1 || (tail -40 $(NLU_HELDOUT)/rasa.log; exit 1)
	@rm -rf .rasa

nlu-heldout: $(NLU_HELDOUT)/intent_report.json ## Held-out NLU test set: intent macro-F1 and entity F1 floors
	@$(PY) scripts/eval_nlu.py $(NLU_HELDOUT)

eval-nlu: $(NLU_HELDOUT)/intent_report.json ## Held-out NLU figures → eval-results/latest.json
	@$(PY) scripts/eval_nlu.py $(NLU_HELDOUT) --record --min-intent-f1 0 --min-entity-f1 0

pytest: env model artefacts widget chromium ## pytest: unit, integration (SQLite + PostgreSQL), live, browser
	@$(PY) -m pytest

test: env model artefacts widget chromium ## Everything CI runs: lint, types, Rasa checks, every pytest suite
	@$(MAKE) lint
	@$(MAKE) typecheck
	@$(MAKE) rasa-validate
	@$(MAKE) rasa-stories
	@$(MAKE) nlu-heldout
	@$(MAKE) pytest

eval: env model artefacts ## Answer-quality evaluations → eval-results/latest.json
	@$(MAKE) eval-nlu
	@OMP_NUM_THREADS=1 $(PY) -m insight eval faq
	@$(PY) -m insight eval emotion
	@$(PY) -m insight eval understanding
	@$(PY) -m insight eval intent-folds
	@$(PY) -m insight eval clv
	@OMP_NUM_THREADS=1 $(PY) -m insight eval recommend
	@$(PY) -m tests.conversations

# tests/bench: start-up, memory, turn latency against bare Rasa and concurrent shoppers, then every
# `python -m insight bench <name>` command (register yours on insight/cli.py's bench_app).
# BENCH_ARGS="--minutes 5" for longer concurrency levels (python -m tests.bench --help).
bench: env model artefacts db ## Speed, scale and memory benchmarks → bench-results/latest.json
	@$(PY) -m tests.bench $(BENCH_ARGS)

clean-state: ## Delete the local demo database and logs (var/); the cache is kept
	rm -rf var

print-python: ## Print the app venv's Python (for running `python -m insight …` by hand)
	@echo $(PY)
