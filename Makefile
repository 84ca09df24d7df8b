# HeapLens top-level commands. `make demo` and `make test` do all set-up themselves.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
DEMO_DUMP  ?= tests/data/go/leakcache-go1.22.heapdump
VSIX       := vscode-extension/heaplens-$(shell sed -n 's/^  "version": "\(.*\)",/\1/p' vscode-extension/package.json).vsix
# The sanitizer builds: clang, -O1 and line tables only (reports still name file:line). gcc at
# -O2 -g took about three times as long to compile them (MoarFormatTests.cpp under ASan: 49 CPU
# seconds against 15); -O1 instead of -O2 made the tests about 4% slower.
SAN_CMAKE  := $(GENERATOR) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
              "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" \
              -DHEAPLENS_ONLY_ANALYSIS=ON -DHEAPLENS_BENCH=OFF

.PHONY: all setup setup-packages setup-npm native build demo test test-native asan test-asan \
        test-fuzz tsan test-tsan test-extension extension test-vscode bench clean

all: build

setup: setup-packages setup-npm

setup-packages:
	@bash scripts/setup.sh packages

setup-npm: setup-packages
	@bash scripts/setup.sh npm
	$(STEP_DONE)

# The Release build is the product (server, command line), the server's tests and those that run it as
# users do; the analysis and parser tests are built and run once, in the ASan/UBSan build.
$(BUILD)/CMakeCache.txt: | setup-packages
	cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release -DHEAPLENS_ANALYSIS_TESTS=OFF

# The Release build: server, command line, the tests of the binary (not the benchmarks: `make bench`).
native: setup-packages $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	$(STEP_DONE)

build: setup native

demo: build
	./$(BUILD)/lsp/heaplens report $(DEMO_DUMP)

# Every test, each built and run once:
#  - on the Release build (the product): the server's tests, the transcripts, the README's editor
#    snippets in Neovim and Emacs, the page-dump page in Chromium (ctest), the VS Code extension
#    (bundle, protocol test against the real binary, .vsix) and the same .vsix in a real VS Code
#    (code-server in headless Chromium);
#  - in one clang build under ASan/UBSan: the analysis and parser tests (unit, real dumps, mutated
#    dumps) and the libFuzzer smoke run;
#  - the two-thread dominator code under ThreadSanitizer.
#
# Steps run two at a time (make -j2): npm ci beside the Release build, and the ASan/UBSan build from when
# npm ends; the Release build's tests, the extension's and its end-to-end test beside the ASan/UBSan
# build; the TSan build and test beside the rest of it; then the ASan/UBSan tests and the fuzz smoke.
# Each step prints when it ended, in seconds since `make test` started (TEST_T0).
test:
	@$(MAKE) --no-print-directory -j2 TEST_ORDER=1 TEST_T0=$$(date +%s) test-native test-extension test-vscode test-asan test-fuzz test-tsan
	@echo "make test: every step passed"

STEP_DONE = $(if $(TEST_T0),@echo "make test: $@ done at $$(( $$(date +%s) - $(TEST_T0) )) s")

ifdef TEST_ORDER
test-extension: | test-native
asan: | setup-npm
test-asan: | test-vscode
test-fuzz: | test-asan
tsan: | test-vscode
endif

test-native: native
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(STEP_DONE)

# ASan/UBSan: the analysis and parser tests, and the fuzz targets, in one build.
asan: setup-packages
	cmake -S . -B $(ASAN_BUILD) $(SAN_CMAKE) -DHEAPLENS_SANITIZE=ON -DHEAPLENS_FUZZ=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	$(STEP_DONE)

test-asan: asan
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)
	$(STEP_DONE)

test-fuzz: asan
	bash tests/fuzz/run-smoke.sh $(ASAN_BUILD)
	$(STEP_DONE)

# ThreadSanitizer: only the dominator tests (tests/CMakeLists.txt says which).
tsan: setup-packages
	cmake -S . -B $(TSAN_BUILD) $(SAN_CMAKE) -DHEAPLENS_SANITIZE_THREAD=ON
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target dominator_tests
	$(STEP_DONE)

test-tsan: tsan
	cd $(TSAN_BUILD) && ctest --output-on-failure -j $(JOBS)
	$(STEP_DONE)

# Its output is kept until it ends, so it does not mix with a build running beside it.
extension test-extension: native setup-npm
	@echo "extension: typecheck, bundle, tests against $(BUILD)/lsp/heaplens, .vsix (output when done)"
	@cd vscode-extension && HEAPLENS_BIN=$(abspath $(BUILD))/lsp/heaplens npm run --silent ci \
	  > $(abspath $(BUILD))/extension.log 2>&1; status=$$?; cat $(abspath $(BUILD))/extension.log; exit $$status
	$(STEP_DONE)

# The extension in a real VS Code (tests/vscode-e2e/): screenshots of each step in $(BUILD)/vscode-e2e/shots.
# Its output, too, is kept until it ends.
test-vscode: test-extension
	@echo "vscode-e2e: the .vsix in code-server in headless Chromium (output when done)"
	@bash tests/vscode-e2e/run.sh $(BUILD)/lsp/heaplens $(VSIX) $(BUILD)/vscode-e2e \
	  > $(abspath $(BUILD))/vscode-e2e.log 2>&1; status=$$?; cat $(abspath $(BUILD))/vscode-e2e.log; exit $$status
	$(STEP_DONE)

bench: build
	cmake --build $(BUILD) -j $(JOBS) --target benchmarks
	bash bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) build-fuzz build-go-programs
