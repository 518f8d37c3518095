# The two commands of the README, and the builds behind them.
# make run   : install what is missing, build (Release), run the main job and print its report.
# make test  : the same set-up, then every test through ctest.
# make fuzz  : the libFuzzer harnesses (clang, build/fuzz), FUZZ_SECONDS (default 60) each.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
SCENARIO ?= data/scenarios/gaja-2025-06-10.json
LLMSIM := build/release/llmsim

.PHONY: setup build run test test-sanitize fuzz bench clean

setup:
	@bash scripts/setup.sh

build: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# A fresh machine waits for the llmsim binary only, not for the test and bench programs.
run: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target llmsim
	@$(LLMSIM) run $(SCENARIO)

test: build
	@ctest --preset release -j $(JOBS)

test-sanitize: setup
	@cmake --preset sanitize >/dev/null
	@cmake --build --preset sanitize -j $(JOBS)
	@ctest --preset sanitize -j $(JOBS)

fuzz: setup
	@JOBS=$(JOBS) bash fuzz/run.sh

bench: build
	@bash bench/run.sh

clean:
	rm -rf build
