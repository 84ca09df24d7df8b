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

.PHONY: all setup setup-packages setup-npm native build demo test test-native asan test-asan \
        test-fuzz tsan test-tsan test-extension extension bench clean

all: build

setup: setup-packages setup-npm

setup-packages:
	@bash scripts/setup.sh packages

setup-npm: setup-packages
	@bash scripts/setup.sh npm

$(BUILD)/CMakeCache.txt: | setup-packages
	cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release

# The Release build: server, command line, tests (not the benchmarks: `make bench`).
native: setup-packages $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

build: setup native

demo: build
	./$(BUILD)/lsp/heaplens report $(DEMO_DUMP)

# Every test: unit, real dumps, transcripts, real clients (ctest on the Release build), the
# VS Code extension (bundle, protocol test against the real binary, .vsix), then in one clang
# build the parsers under ASan/UBSan with mutated dumps (ctest) and the libFuzzer smoke run,
# then the two-thread dominator code under ThreadSanitizer.
#
# Steps run two at a time (make -j2) only where they do not get in each other's way: npm ci
# beside the Release build, the extension's tests beside the ASan/UBSan build. Every ctest run
# and the fuzz smoke have the machine to themselves: the dominator code spin-waits on its
# helper thread and slows down many times with anything running beside it.
test:
	@$(MAKE) --no-print-directory -j2 TEST_ORDER=1 test-native test-extension test-asan test-fuzz test-tsan

ifdef TEST_ORDER
test-extension: | test-native
asan: | test-native
test-asan: | test-extension
test-fuzz: | test-asan
tsan: | test-fuzz
endif

test-native: native
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# ASan/UBSan: the analysis and parser tests, and the fuzz targets, in one build.
asan: setup-packages
	cmake -S . -B $(ASAN_BUILD) $(SAN_CMAKE) -DHEAPLENS_SANITIZE=ON -DHEAPLENS_FUZZ=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)

test-asan: asan
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

test-fuzz: asan
	bash tests/fuzz/run-smoke.sh $(ASAN_BUILD)

# ThreadSanitizer: only the dominator tests (tests/CMakeLists.txt says which).
tsan: setup-packages
	cmake -S . -B $(TSAN_BUILD) $(SAN_CMAKE) -DHEAPLENS_SANITIZE_THREAD=ON
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target dominator_tests

test-tsan: tsan
	cd $(TSAN_BUILD) && ctest --output-on-failure -j $(JOBS)

# Its output is kept until it ends, so it does not mix with a build running beside it.
extension test-extension: native setup-npm
	@echo "extension: typecheck, bundle, tests against $(BUILD)/lsp/heaplens, .vsix (output when done)"
	@cd vscode-extension && HEAPLENS_BIN=$(abspath $(BUILD))/lsp/heaplens npm run --silent ci \
	  > $(abspath $(BUILD))/extension.log 2>&1; status=$$?; cat $(abspath $(BUILD))/extension.log; exit $$status

bench: build
	cmake --build $(BUILD) -j $(JOBS) --target benchmarks
	bash bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) build-fuzz build-go-programs
