# The two commands of the README are `make run` and `make test`; everything else here
# serves them. Each target bootstraps (installs missing Debian packages) and builds first.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= 2
DATA ?= ../shared/data/diamonds.csv
MODEL ?= $(BUILD_DIR)/model.json
DATA_DIR ?= var
LISTEN ?= 127.0.0.1:8080

PREFIX ?= /usr/local

.PHONY: all bootstrap configure build install run train test test-fast bench bench-http clean

all: build

bootstrap:
	@scripts/bootstrap.sh

configure: bootstrap
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The binary in PREFIX/bin and the files it serves (/docs, /console) in PREFIX/share/diamond,
# where the installed binary finds them (docs/operations.md, "Installing").
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# Serves the REST API on the embedded default: SQLite and blobs under DATA_DIR.
run: build
	$(BUILD_DIR)/diamond serve --data-dir $(DATA_DIR) --listen $(LISTEN)

# Trains the seed's chosen model (linear4C-positive) on DATA from the command line, prints
# its metrics, and writes the model file to MODEL.
train: build
	$(BUILD_DIR)/diamond train --data $(DATA) --features carat,cut,color,clarity --positive \
	  --holdout 0.2 --seed 42 -o $(MODEL)

# Every test: all suites, again under ASan+UBSan and TSan, and short fuzzing (scripts/test_all.sh).
test: build
	@JOBS=$(JOBS) scripts/test_all.sh $(BUILD_DIR)

# Only the release build's suites (quick, while developing).
test-fast: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	bench/run_benchmarks.sh $(BUILD_DIR) $(DATA)

bench-http: build
	bench/http_load.sh $(BUILD_DIR) $(DATA)

clean:
	rm -rf $(BUILD_DIR)
