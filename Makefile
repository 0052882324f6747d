# The two commands of the README are `make run` and `make test`; everything else here
# serves them. Each target bootstraps (installs missing Debian packages) and builds first.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= 2
DATA ?= ../shared/data/diamonds.csv
MODEL ?= $(BUILD_DIR)/model.json

.PHONY: all bootstrap configure build run test bench clean

all: build

bootstrap:
	@scripts/bootstrap.sh

configure: bootstrap
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Trains the seed's chosen model (linear4C-positive) on DATA, prints its metrics,
# and writes the model file to MODEL.
run: build
	$(BUILD_DIR)/diamond train --data $(DATA) --features carat,cut,color,clarity --positive \
	  --holdout 0.2 --seed 42 -o $(MODEL)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	bench/run_benchmarks.sh $(BUILD_DIR) $(DATA)

clean:
	rm -rf $(BUILD_DIR)
