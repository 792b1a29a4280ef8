# otter: the targets users type. CMake does the building; this file only
# makes sure the Debian packages are there and runs the right steps.

JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
BUILD     ?= build
ASAN      ?= build-asan
BUILD_DEPS = cmake gcc make pkg-config libmbedtls-dev libcmocka-dev
TEST_DEPS  = $(BUILD_DEPS) libbsd-dev python3-jinja2 python3-jsonschema nginx-light openssl curl clang libclang-rt-14-dev python3 gcc-arm-none-eabi libnewlib-arm-none-eabi xxd bc \
            qemu-system-arm qemu-system-misc gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
BENCH_DEPS = $(TEST_DEPS) curl valgrind gcc-riscv64-unknown-elf gcc-xtensa-lx106

PREFIX    ?= /usr/local

.PHONY: all build build-asan test test-fast demo bench fuzz cross clean install deps-build deps-test deps-bench arduino

all: build

deps-build:
	@scripts/deps.sh $(BUILD_DEPS)
deps-test:
	@scripts/deps.sh $(TEST_DEPS)
deps-bench:
	@scripts/deps.sh $(BENCH_DEPS)

build: deps-build
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOTTER_ERROR_TEXTS=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps-build
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DOTTER_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

# Every test against the system's mbedTLS (2.28), again under AddressSanitizer
# + UBSan, then against mbedTLS 3.6.6 and 4.0.0 (built once into .deps/), one
# summary line per leg; then the core built freestanding for Cortex-M4; then
# the core's tests under QEMU on Cortex-M4 and RV32IMC (scripts/target.sh).
test: deps-test
	@scripts/test.sh
	@scripts/cross.sh arm-m4
	@scripts/test.sh target
	@echo "== figures from the sweeps (plain build)"
	@grep -hE '^(powerloss|powerloss-update|powerloss-refused|powerloss-wrap|network-cut|network-lie|watchdog):' $(BUILD)/Testing/Temporary/LastTest.log || true

# Only the plain build's tests (quick edit-compile-test loop).
test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: deps-test build
	@scripts/demo.sh $(BUILD)

# Measures the plain build, and side by side (bench/RESULTS.md §7) the same
# tree against mbedTLS 3.6.6 and 4.0.0 (built once into .deps/ by
# scripts/mbedtls.sh); a version whose sources are absent is skipped with a line.
# §8: the footprint of a whole HTTPS update on Cortex-M4 and RV32IMC under
# QEMU (bench/target.sh, called by bench/run.sh).
bench: deps-bench build
	@more=""; for v in 3.6 4.0; do \
	    if scripts/mbedtls.sh $$v >/dev/null; then \
	        cmake -S . -B build-mbedtls$$v -DOTTER_MBEDTLS=$$v -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && \
	        cmake --build build-mbedtls$$v -j $(JOBS) || exit 1; \
	        more="$$more build-mbedtls$$v"; \
	    else \
	        echo "bench: mbedTLS $$v skipped (see the line above)"; more="$$more skip:$$v"; \
	    fi; \
	done; \
	bench/run.sh $(BUILD) $$more

fuzz: deps-test
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DOTTER_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@scripts/fuzz.sh build-fuzz

cross: deps-bench
	@scripts/cross.sh all

# The CLI to $(PREFIX)/bin/otter, the core and POSIX port libraries to
# $(PREFIX)/lib, headers to $(PREFIX)/include/otter, and otter.pc.
install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

# The Arduino / PlatformIO library in $(BUILD)/arduino/otter/ and a .zip of it
# (scripts/arduino.sh; README "Arduino").
arduino:
	@scripts/arduino.sh $(BUILD)/arduino/otter

clean:
	rm -rf $(BUILD) $(ASAN) build-fuzz build-mbedtls3.6 build-mbedtls4.0
