# Copydesk. `make help` lists the targets.
SHELL := /bin/bash
CARGO ?= cargo
DATA ?= $(or $(COPYDESK_DATA_DIR),../shared/data)
export COPYDESK_DATA_DIR := $(abspath $(DATA))

.DEFAULT_GOAL := help
.PHONY: help build run console test test-unit test-integration test-wordpress bench train-ner eval-ner eval-summary eval-summary-multi eval-extraction \
        eval-events eval-guard eval-llm \
        llm-up test-llm deploy-check fuzz lint fmt clean cluster-up cluster-down

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-17s %s\n", $$1, $$2}'

build: ## Build every binary (debug)
	$(CARGO) build --workspace --bins

run: ## Run the whole pipeline on samples/ (starts RabbitMQ if needed); Ctrl-C stops it
	@scripts/ensure-rabbitmq.sh
	$(CARGO) build --workspace --bins
	@scripts/run-pipeline.sh

console: ## The operator console on http://127.0.0.1:9190/ (starts RabbitMQ if needed; prints the login token)
	@scripts/ensure-rabbitmq.sh
	$(CARGO) run -p copydesk-cli --bin copydesk -- console

test: ## Unit and integration tests (starts RabbitMQ and PostgreSQL, installs headless Chromium and strace if needed), then test-wordpress
	@scripts/ensure-rabbitmq.sh
	@scripts/ensure-postgres.sh
	@scripts/ensure-chromium.sh
	@scripts/ensure-test-tools.sh
	$(CARGO) build --workspace --bins
	@# One step at a time under a watchdog on the broker: see scripts/test.sh.
	@CARGO=$(CARGO) scripts/test.sh
	@$(MAKE) --no-print-directory test-wordpress

test-wordpress: ## The WordPress sink against a real WordPress 6.1 (installs and starts it: scripts/ensure-wordpress.sh)
	@eval "$$(scripts/ensure-wordpress.sh)" && $(CARGO) test -p copydesk-publish --test wordpress_real -- --nocapture

test-unit: ## Unit tests only (no broker)
	$(CARGO) test --workspace --lib --bins

bench: ## Benchmarks: end-to-end pipeline vs raw broker baseline, ingest parse, extract, summarize
	@scripts/ensure-rabbitmq.sh
	$(CARGO) build --release --workspace --bins
	@scripts/bench.sh

cluster-up: ## Three-node RabbitMQ cluster on 127.0.0.1:5791-5793 (prints the amqp.urls value); the tests start their own
	@scripts/cluster-up.sh

cluster-down: ## Stop and remove the nodes of `make cluster-up`
	@scripts/cluster-down.sh

fuzz: ## Fuzz the ingest parsers (nightly + cargo-fuzz; FUZZ_SECONDS=300, FUZZ_TARGET=parse_document|parse_named|deep_nesting)
	@scripts/fuzz.sh $(or $(FUZZ_TARGET),parse_document)

# LANG is also the locale variable, so only de, nb and fi select a model; anything else is English.
NER_LANG := $(if $(filter de nb fi,$(LANG)),$(LANG),en)
NER_DATA := $(if $(filter en,$(NER_LANG)),$(DATA)/ner/conll2003,$(DATA)/ner/$(NER_LANG))
NER_UNLABELED := $(if $(filter en,$(NER_LANG)),--unlabeled $(DATA)/news/unlabeled,)

train-ner: ## Train the entity model of LANG=en|de|nb|fi (default en; English also learns word clusters); deterministic
	$(CARGO) run --release -p copydesk-extract --bin copydesk-train-ner -- --lang $(NER_LANG) --data $(NER_DATA) $(NER_UNLABELED)

eval-ner: ## Score the entity model of LANG=en|de|nb|fi on its dev split
	$(CARGO) run --release -p copydesk-cli --bin copydesk -- eval ner --lang $(NER_LANG) --gold $(NER_DATA)/dev.iob2

eval-summary: ## ROUGE of the built-in summarizer against LEAD-3 on CNN/DailyMail dev
	$(CARGO) run --release -p copydesk-cli --bin copydesk -- eval summary --data $(DATA)/summ/cnndm-dev.jsonl

eval-summary-multi: ## ROUGE of the event article against a round-robin lead on Multi-News dev
	$(CARGO) run --release -p copydesk-cli --bin copydesk -- eval summary --data $(DATA)/summ/multi-dev.jsonl

eval-extraction: ## Article-body extraction F1 on the benchmark pages in $(DATA)/extraction
	$(CARGO) run --release -p copydesk-cli --bin copydesk -- eval extraction --data $(DATA)/extraction
eval-events: ## B3 of the online event clusterer on ECB+ dev (several orders, leave-topics-out check)
	$(CARGO) run --release -p copydesk-cli --bin copydesk -- eval events --data $(DATA)/events/dev.jsonl

eval-guard: ## Precision/recall of the LLM faithfulness guard on our labelled rewrites
	$(CARGO) run --release -p copydesk-cli --bin copydesk -- eval guard

eval-llm: ## Section-mode LLM rewriting of 50 BBC stories against the server of `make llm-up`
	$(CARGO) run --release -p copydesk-cli --bin copydesk -- eval llm --stories $(DATA)/news/bbc --limit 50

llm-up: ## Build and start a local OpenAI-compatible server (llama-cpp-python + SmolLM2-135M); takes minutes
	@scripts/llm-up.sh

test-llm: ## Integration test of the LLM path against the server from `make llm-up`
	COPYDESK_LLM_BASE_URL=$${COPYDESK_LLM_BASE_URL:-http://127.0.0.1:8089/v1} $(CARGO) test -p copydesk-summarize --test llm_live -- --nocapture

deploy-check: ## Validate deploy/ (YAML, compose, KEDA, systemd units)
	@deploy/validate.sh

lint: ## Clippy with warnings as errors
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt: ## Format the code
	$(CARGO) fmt --all

clean: ## Remove build output and the run folders
	$(CARGO) clean
	rm -rf inbox out .run
