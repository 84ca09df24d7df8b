# HeapLens top-level commands. `make demo` and `make test` do all set-up themselves.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
DEMO_DUMP  ?= tests/data/go/leakcache-go1.22.heapdump

.PHONY: all setup build demo test test-native test-asan test-tsan test-fuzz test-extension extension bench clean

all: build

setup:
	@bash scripts/setup.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/lsp/heaplens report $(DEMO_DUMP)

# Every test: unit, real dumps, transcripts, real clients (ctest), then the
# parsers under ASan/UBSan with mutated dumps, the two-thread dominator code
# under ThreadSanitizer, the libFuzzer smoke run, and the VS Code extension
# (bundle, protocol test against the real binary, .vsix).
test: build
	$(MAKE) --no-print-directory test-native test-asan test-tsan test-fuzz test-extension

test-native:
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan:
	cmake -S . -B $(ASAN_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DHEAPLENS_SANITIZE=ON -DHEAPLENS_ONLY_ANALYSIS=ON -DHEAPLENS_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

# The dominator tests (2,000 random graphs with the helper thread forced on,
# cancellation mid-search) under ThreadSanitizer; tests/CMakeLists.txt says which.
test-tsan:
	cmake -S . -B $(TSAN_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DHEAPLENS_SANITIZE_THREAD=ON -DHEAPLENS_ONLY_ANALYSIS=ON -DHEAPLENS_BENCH=OFF
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target dominator_tests
	cd $(TSAN_BUILD) && ctest --output-on-failure -j $(JOBS)

test-fuzz:
	cmake -S . -B $(FUZZ_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DHEAPLENS_FUZZ=ON -DHEAPLENS_ONLY_ANALYSIS=ON \
	  -DHEAPLENS_TESTS=OFF -DHEAPLENS_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	bash tests/fuzz/run-smoke.sh $(FUZZ_BUILD)

extension test-extension: build
	cd vscode-extension && HEAPLENS_BIN=$(abspath $(BUILD))/lsp/heaplens npm run --silent ci

bench: build
	cmake --build $(BUILD) -j $(JOBS) --target benchmarks
	bash bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
