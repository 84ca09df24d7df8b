# HeapLens top-level commands. `make demo` and `make test` do all set-up themselves.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
DEMO_DUMP  ?= tests/data/go/leakcache-go1.22.heapdump
# The sanitizer builds: clang, -O1 and line tables only (reports still name file:line). gcc at
# -O2 -g took about three times as long to compile them (MoarFormatTests.cpp under ASan: 49 CPU
# seconds against 15); -O1 instead of -O2 made the tests about 4% slower.
SAN_CMAKE  := $(GENERATOR) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
              "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" \
              -DHEAPLENS_ONLY_ANALYSIS=ON -DHEAPLENS_BENCH=OFF

.PHONY: all setup build demo test test-native asan test-asan test-tsan test-fuzz test-extension extension bench clean

all: build

setup:
	@bash scripts/setup.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/lsp/heaplens report $(DEMO_DUMP)

# Every test: unit, real dumps, transcripts, real clients (ctest), then in one clang build the
# parsers under ASan/UBSan with mutated dumps and the libFuzzer smoke run, the two-thread
# dominator code under ThreadSanitizer, and the VS Code extension (bundle, protocol test
# against the real binary, .vsix).
test: build
	$(MAKE) --no-print-directory test-native test-asan test-fuzz test-tsan test-extension

test-native:
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# ASan/UBSan: the analysis and parser tests, and the fuzz targets, in one build.
asan:
	cmake -S . -B $(ASAN_BUILD) $(SAN_CMAKE) -DHEAPLENS_SANITIZE=ON -DHEAPLENS_FUZZ=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)

test-asan: asan
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

test-fuzz: asan
	bash tests/fuzz/run-smoke.sh $(ASAN_BUILD)

# The dominator tests (2,000 random graphs with the helper thread forced on,
# cancellation mid-search) under ThreadSanitizer; tests/CMakeLists.txt says which.
test-tsan:
	cmake -S . -B $(TSAN_BUILD) $(SAN_CMAKE) -DHEAPLENS_SANITIZE_THREAD=ON
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target dominator_tests
	cd $(TSAN_BUILD) && ctest --output-on-failure -j $(JOBS)

extension test-extension: build
	cd vscode-extension && HEAPLENS_BIN=$(abspath $(BUILD))/lsp/heaplens npm run --silent ci

bench: build
	cmake --build $(BUILD) -j $(JOBS) --target benchmarks
	bash bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) build-fuzz
