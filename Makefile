# strio -- top-level build (GNU make >= 4.3: grouped targets `&:`).
#
#   make [all]            build/libstrio.a
#   make test             every suite, in order; last line "N passed, M failed"
#                         (`make -k test` runs the remaining suites after a failure)
#   make demo             run examples/demo, net_demo (echo over loopback)
#                         and tls_demo.sh (HTTPS on loopback), with frame reports
#   make core             Cortex-M core library + bare-metal smoke program
#   make sizes            Cortex-M sizes of the core, then the frame report
#   make test-bare        the test images on QEMU mps2-an385 (Cortex-M3),
#                         mps2-an386 (Cortex-M4F) and virt (RV32), and blinky
#                         (tests/bare/bare.mk: test-bare-BOARD for one)
#   make test-firmware    examples/firmware_at on QEMU with a scripted session
#   make install          PREFIX=/usr/local DESTDIR=
#   make deps             install the build dependencies (scripts/deps.sh)
#   make fuzz             libFuzzer targets fuzz/*.c, FUZZ_SECONDS each (default 60)
#   make bench, clean
#
# Knobs: CC, CFLAGS, LDFLAGS, CROSS, SANITIZE=1, BUILD, PREFIX, DESTDIR, PYTHON.
# Everything generated or compiled lands under $(BUILD); the source tree
# stays clean, so several configurations can coexist side by side.

VERSION := 0.1.0

PYTHON ?= python3
PREFIX ?= /usr/local
DESTDIR ?=
CROSS ?=
SANITIZE ?=
# The toolchain that `make core`, `make sizes` and `make test` use for the
# firmware build when CROSS is not given.
CORE_CROSS ?= arm-none-eabi-

# Each configuration gets its own tree, so switching between them never
# mixes objects built with different flags.
ifneq ($(CROSS),)
BUILD ?= build/$(firstword $(subst -, ,$(CROSS)))
else ifeq ($(SANITIZE),1)
BUILD ?= build/san
else
BUILD ?= build
endif

# A cross build always uses the cross toolchain's gcc: `make CC=clang test`
# passes CC=clang down to the sub-make that builds the firmware core, and a
# host compiler there would silently build the wrong thing.
ifneq ($(CROSS),)
override CC := $(CROSS)gcc
else ifeq ($(origin CC),default)
CC := gcc
endif
ifeq ($(origin AR),default)
AR := $(CROSS)ar
endif
NM ?= $(CROSS)nm
SIZE ?= $(CROSS)size

# ---------------------------------------------------------------- flags --
# CFLAGS is the user's: it comes last so it can override -O2 and friends,
# but it cannot drop the warnings or the include paths.
CFLAGS ?=
LDFLAGS ?=
OPT := -g -O2
ARCH_FLAGS :=
ifeq ($(CROSS),arm-none-eabi-)
# The firmware reference target (DESIGN.md section 6); sections per function
# let the final link drop whatever the application does not use.
ARCH_FLAGS := -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections
OPT := -g -Os
endif
ifeq ($(CROSS),riscv64-unknown-elf-)
# RV32IMAC, freestanding: Debian has no libc for this toolchain, so the
# few headers and functions the core uses come from tests/bare/libc
# (-misa-spec=2.2: CSR instructions and the rv32 multilib together).
ARCH_FLAGS := -march=rv32imac -mabi=ilp32 -misa-spec=2.2 -ffreestanding \
              -isystem tests/bare/libc/include -ffunction-sections -fdata-sections
OPT := -g -Os
endif
ifeq ($(SANITIZE)$(CROSS),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all
endif

GEN := $(BUILD)/gen
# Generated library files go to gen/runtime/strio/ and -I points at
# gen/runtime, so `#include <strio/NAME.h>` means the same file in the tree
# and after `make install` (which puts them in include/strio/).
GEN_LIB := $(GEN)/runtime/strio

STRIO_CFLAGS = -std=c11 -Wall -Wextra -Werror $(OPT) $(ARCH_FLAGS) $(SAN_FLAGS) \
               -Iruntime/include -I$(GEN)/runtime -MMD -MP $(CFLAGS)
STRIO_LDFLAGS = $(ARCH_FLAGS) $(SAN_FLAGS) $(LDFLAGS)
# Host programs: the worker pool runs on threads.
HOST_LDLIBS := -pthread
# TLS (strio/tls.h) runs on BearSSL; host builds only (the Cortex-M core
# never links it).
HOST_LDLIBS += -lbearssl

# Everything generated depends on the generator's own sources too: a changed
# generator may emit different code from the same input.
GENERATOR := generator.py $(wildcard gen/*.py)
GEN_INCLUDES := -I runtime/include -I $(GEN)/runtime
# Keep Python's bytecode caches out of the source tree as well.
export PYTHONPYCACHEPREFIX := $(abspath $(BUILD))/pycache

# -------------------------------------------------------------- sources --
PUBLIC_H := $(wildcard runtime/include/strio/*.h)

# Library: hand-written C plus annotated sources. All library .sc files go
# through ONE generator run, because awaits across files are resolved within
# a run; protocols/ joins the same run since its logic awaits the runtime.
LIB_C := $(wildcard runtime/src/*.c)
# protocols/: hand-written codecs (plain C) next to the dialect's machines.
LIB_C += $(wildcard protocols/*.c)
LIB_SC := $(wildcard runtime/src/*.sc protocols/*.sc)
LIB_GEN_C := $(addprefix $(GEN_LIB)/,$(notdir $(LIB_SC:.sc=.c)))
LIB_GEN_H := $(LIB_GEN_C:.c=.h)
LIB_OBJS := $(LIB_C:%.c=$(BUILD)/obj/%.o) $(LIB_GEN_C:.c=.o)
LIB := $(BUILD)/libstrio.a

# One flat output directory: two inputs with one name would overwrite each
# other, and a generated header must not shadow a hand-written public one.
ifneq ($(words $(sort $(notdir $(LIB_SC)))),$(words $(LIB_SC)))
$(error two library .sc files share a name: $(LIB_SC))
endif
ifneq ($(filter $(notdir $(LIB_GEN_H)),$(notdir $(PUBLIC_H))),)
$(error generated header would shadow runtime/include/strio/$(filter $(notdir $(LIB_GEN_H)),$(notdir $(PUBLIC_H))))
endif

# Core: what builds for firmware with newlib and no OS (scheduler, timers,
# cancellation, nurseries, memory streams, parsers). Host-only files (the
# POSIX backend, sockets, TLS, files, processes) stay out of this list.
CORE_SRCS := runtime/src/task.c runtime/src/loop.c runtime/src/timer.c \
             runtime/src/cancel.c runtime/src/nursery.c runtime/src/waitq.c \
             runtime/src/clock.c runtime/src/error.c runtime/src/stream.c \
             runtime/src/listener.c \
             runtime/src/sync.c
# The bare backend is core too (strio/bare.h).
CORE_SRCS += runtime/src/bare.c
# The DNS message codec and the stub resolver's machine need no OS
# (strio/dns.h, strio/dns_resolver.h; the UDP transport is dns_posix).
CORE_SRCS += protocols/dns_msg.c protocols/dns_resolver.c
CORE_SC := runtime/src/sleep.sc
CORE_SC += runtime/src/bufread_impl.sc
CORE_SC += runtime/src/memstream_impl.sc runtime/src/stapled_impl.sc
CORE_SC += runtime/src/conformance_impl.sc
# HTTP/1.1 over any stream (string.h only)
CORE_SC += protocols/http_conn_impl.sc
CORE_SC += protocols/dns_resolver_impl.sc
CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/obj/%.o) \
             $(addprefix $(GEN_LIB)/,$(notdir $(CORE_SC:.sc=.o)))
# protocols/*.re: re2c push lexers (DESIGN.md section 9: -c conditions,
# -f storable state, -T tags). The C they generate lands in $(GEN)/protocols/
# and is never committed. Parsers are plain C: library and firmware core.
RE2C ?= re2c
RE2C_FLAGS := -c -f -T -W -Werror --no-generation-date --no-version
PROTO_RE := $(wildcard protocols/*.re)
PROTO_OBJS := $(PROTO_RE:%.re=$(GEN)/%.o)
LIB_OBJS += $(PROTO_OBJS)
CORE_OBJS += $(PROTO_OBJS)
CORE_LIB := $(BUILD)/libstrio-core.a
# examples/bare/blinky.sc: a real program for the MPS2 AN386 board (QEMU's
# mps2-an386), generated and linked with tests/bare/mps2.ld.
BLINKY := $(BUILD)/examples/bare/blinky.elf
BARE_LD := tests/bare/mps2.ld
# QEMU for blinky. -icount makes virtual time exact (identical output each
# run), timeout catches a hang (exit 124); the exit status is the guest's.
# The test images: tests/bare/bare.mk.
QEMU_M4 := timeout 20 qemu-system-arm -M mps2-an386 -nographic \
           -semihosting-config enable=on,target=native -icount shift=5,sleep=off

# Criterion unit tests: one binary. Test .sc files share one generator run
# for the same reason as the library's.
UNIT_C := $(wildcard tests/unit/test_*.c) tests/unit/sweep.c
UNIT_SC := $(wildcard tests/unit/*.sc)
UNIT_GEN_C := $(addprefix $(GEN)/tests/,$(notdir $(UNIT_SC:.sc=.c)))
UNIT_GEN_H := $(UNIT_GEN_C:.c=.h)
UNIT_OBJS := $(UNIT_C:%.c=$(BUILD)/obj/%.o) $(UNIT_GEN_C:.c=.o)
UNIT_BIN := $(BUILD)/tests/unit_tests

# Examples: each examples/NAME.sc is a program of its own, generated alone.
EXAMPLE_SC := $(wildcard examples/*.sc)
EXAMPLE_BINS := $(EXAMPLE_SC:examples/%.sc=$(BUILD)/examples/%)

# ------------------------------------------------------------- targets --
.PHONY: all test test-gen test-diff test-unit test-heap test-examples demo core sizes test-bare test-blinky \
        install clean bench deps fuzz

# A cross build has no host library: `all` means the firmware core there.
ifneq ($(CROSS),)
all: core
else
all: $(LIB)
endif

deps:
	@bash scripts/deps.sh

# The suites run one after the other through tests/suites.sh, which keeps
# each suite's output, counts its tests, stops at the first failure (unless
# make runs with -k) and ends with the "N passed, M failed" line. Each suite
# builds what it needs itself, so a build failure is that suite's failure.
test: deps
	@bash tests/suites.sh $(if $(findstring k,$(firstword -$(MAKEFLAGS))),--keep-going) \
	  generator    "$(MAKE) --no-print-directory test-gen" \
	  differential "$(MAKE) --no-print-directory test-diff" \
	  unit         "$(MAKE) --no-print-directory test-unit" \
	  no-heap      "$(MAKE) --no-print-directory test-heap" \
	  unit-asan    "$(MAKE) --no-print-directory SANITIZE=1 BUILD=$(BUILD)/san test-unit" \
	  examples     "$(MAKE) --no-print-directory test-examples" \
	  core-arm     "$(MAKE) --no-print-directory core CROSS=$(CORE_CROSS) BUILD=$(BUILD)/arm" \
	  bare-an385   "$(MAKE) --no-print-directory test-bare-an385" \
	  bare-an386   "$(MAKE) --no-print-directory test-bare-an386" \
	  bare-virt    "$(MAKE) --no-print-directory test-bare-virt" \
	  blinky       "$(MAKE) --no-print-directory test-blinky" \
	  firmware-at  "$(MAKE) --no-print-directory test-firmware"

test-gen:
	$(PYTHON) -m unittest discover -s tests/gen -p 'test_*.py' -v

test-diff:
	$(PYTHON) tests/gen/differential.py --cc $(CC) --build $(BUILD)/difftest

# Under SANITIZE=1, LeakSanitizer ignores a leak inside Criterion's own
# runner (tests/unit/lsan.supp says which); the variable is inert otherwise.
test-unit: $(UNIT_BIN)
	LSAN_OPTIONS=suppressions=$(abspath tests/unit/lsan.supp) $(UNIT_BIN) --jobs 2

# DESIGN.md section 4: the library never allocates. Checked on the archive,
# so it also covers generated code and anything linked in later.
test-heap: $(LIB)
	@bash scripts/check-no-heap.sh $(NM) $(LIB)

# Every example must build; the two demos run (loopback only, ~20 ms);
# http_server and connect_proxy are checked with curl (tests/http/, ~1 s).
test-examples: $(EXAMPLE_BINS)
	$(BUILD)/examples/demo >/dev/null
	$(BUILD)/examples/net_demo
	bash tests/http/curl_server.sh $(BUILD)/examples/http_server
	bash tests/http/curl_proxy.sh $(BUILD)/examples
	bash examples/tls_demo.sh $(BUILD)/examples
	@echo "examples: 5 passed, 0 failed"

demo: deps $(BUILD)/examples/demo $(BUILD)/examples/net_demo \
      $(BUILD)/examples/tls_echo_server $(BUILD)/examples/https_get
	$(BUILD)/examples/demo
	$(PYTHON) generator.py --report -o $(GEN)/report $(GEN_INCLUDES) examples/demo.sc
	$(BUILD)/examples/net_demo
	$(PYTHON) generator.py --report -o $(GEN)/report $(GEN_INCLUDES) examples/echo_server.sc
	bash examples/tls_demo.sh $(BUILD)/examples

# blinky is MPS2 (Cortex-M) firmware: other toolchains build the library.
ifneq ($(CROSS),)
core: $(CORE_LIB) $(if $(filter arm-none-eabi-,$(CROSS)),$(BLINKY))
	@bash scripts/check-no-heap.sh $(NM) $(CORE_LIB)
	$(if $(filter arm-none-eabi-,$(CROSS)),$(SIZE) $(BLINKY))
else
core:
	@$(MAKE) --no-print-directory core CROSS=$(CORE_CROSS) BUILD=$(BUILD)/arm
endif

# The test images on three emulated boards (tests/bare/bare.mk), then
# blinky must run its 3 s demo and reset the board (-no-reboot makes that
# QEMU's exit 0).
ifeq ($(CROSS),arm-none-eabi-)
test-blinky: $(BLINKY)
	$(QEMU_M4) -no-reboot -kernel $(BLINKY) </dev/null
	@echo "blinky: ran its demo and reset the board"
else
test-blinky: deps
	@$(MAKE) --no-print-directory test-blinky CROSS=arm-none-eabi- BUILD=$(BUILD)/arm
test-bare: test-bare-an385 test-bare-an386 test-bare-virt test-blinky
include tests/bare/bare.mk
include examples/firmware_at/firmware.mk
endif

# Sizes of the firmware build (what a Cortex-M4 pays), then the frame
# report. Library files form one report run (cross-file awaits); each
# example is a separate program, so it gets a run of its own.
sizes: $(if $(EXAMPLE_SC),$(LIB_GEN_H)) $(FW_ELF) $(BUILD)/bare/an386/size_probe.o
	@$(MAKE) --no-print-directory core CROSS=$(CORE_CROSS) BUILD=$(BUILD)/arm >/dev/null
	@$(PYTHON) scripts/sizes.py --size $(CORE_CROSS)size --nm $(CORE_CROSS)nm \
	  --core-dir $(BUILD)/arm/obj/runtime --core-dir $(BUILD)/arm/gen/runtime \
	  --probe $(BUILD)/bare/an386/size_probe.o \
	  --example "examples/bare/blinky (generated + board)=$(BUILD)/arm/gen/examples/bare/blinky.o" \
	  --example "examples/firmware_at: AT server (generated)=$(BUILD)/bare/an386/obj/$(FW_GEN)/at_server.o" \
	  --example "examples/firmware_at: UART stream (generated)=$(BUILD)/bare/an386/obj/$(FW_GEN)/uart_stream_impl.o" \
	  --example "examples/firmware_at: board glue=$(BUILD)/bare/an386/obj/$(FW_DIR)/board.o" \
	  --image $(BUILD)/arm/examples/bare/blinky.elf --image $(FW_ELF)
ifneq ($(LIB_SC),)
	$(PYTHON) generator.py --report -o $(GEN)/report $(GEN_INCLUDES) $(LIB_SC)
endif
ifneq ($(EXAMPLE_SC),)
	@set -e; for f in $(EXAMPLE_SC); do \
	  echo "$(PYTHON) generator.py --report -o $(GEN)/report $(GEN_INCLUDES) $$f"; \
	  $(PYTHON) generator.py --report -o $(GEN)/report $(GEN_INCLUDES) $$f; \
	done
endif

# `make fuzz`: every fuzz/NAME.c is a libFuzzer target (one per parser;
# seeds in fuzz/seeds/NAME/, a dictionary in fuzz/NAME.dict). The library is built with clang and coverage
# instrumentation in its own tree, each target is linked against it with
# -fsanitize=fuzzer,address,undefined and runs FUZZ_SECONDS; new inputs it
# finds go to $(FUZZ_BUILD)/corpus/NAME, so later runs start from them.
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
FUZZ_SRCS := $(wildcard fuzz/*.c)
fuzz: deps
	@$(MAKE) --no-print-directory CC=clang BUILD=$(FUZZ_BUILD) \
	  CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_BUILD)/libstrio.a
	@set -e; for src in $(FUZZ_SRCS); do \
	  name=$$(basename $$src .c); \
	  echo "fuzz: $$name for $(FUZZ_SECONDS) s"; \
	  clang -std=c11 -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer $(FUZZ_SAN) \
	    -Iruntime/include -I$(FUZZ_BUILD)/gen/runtime -o $(FUZZ_BUILD)/$$name \
	    $$src $(FUZZ_BUILD)/libstrio.a -pthread; \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$name $(FUZZ_BUILD)/artifacts/$$name; \
	  $(FUZZ_BUILD)/$$name -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$name/ \
	    $$(test -f fuzz/$$name.dict && echo -dict=fuzz/$$name.dict) \
	    $(FUZZ_BUILD)/corpus/$$name $$(ls -d fuzz/seeds/$$name 2>/dev/null) \
	    2>$(FUZZ_BUILD)/$$name.log || { tail -40 $(FUZZ_BUILD)/$$name.log; exit 1; }; \
	  grep -E '^stat::(number_of_executed_units|new_units_added)' $(FUZZ_BUILD)/$$name.log; \
	done

# Figures, not pass/fail: each line names its aim (and later, its peers).
bench:
	@$(PYTHON) bench/gen_throughput.py
	@CC=$(CC) $(PYTHON) bench/frames.py
	@$(MAKE) --no-print-directory -s $(LIB)
	@CC=$(CC) BUILD=$(BUILD) $(PYTHON) bench/switch.py
	@CC=$(CC) BUILD=$(BUILD) $(PYTHON) bench/streams.py
	@CC=$(CC) BUILD=$(BUILD) $(PYTHON) bench/http_parser.py
	@$(MAKE) --no-print-directory -s $(BUILD)/examples/http_server
	@BUILD=$(BUILD) $(PYTHON) bench/http_server.py
	@CC=$(CC) BUILD=$(BUILD) $(PYTHON) bench/files.py
	@CC=$(CC) BUILD=$(BUILD) $(PYTHON) bench/tls.py
	@CC=$(CC) BUILD=$(BUILD) $(PYTHON) bench/process.py
	@CC=$(CC) BUILD=$(BUILD) $(PYTHON) bench/echo.py

clean:
	rm -rf $(BUILD)

# -------------------------------------------------------------- install --
INCLUDEDIR := $(PREFIX)/include
LIBDIR := $(PREFIX)/lib
DATADIR := $(PREFIX)/share/strio

# strio.pc and strio-gen bake in PREFIX (never DESTDIR: that is only a
# staging root), so they are written afresh on every install. strio-gen puts
# the installed headers on the generator's -I, so annotated code including
# <strio/...> finds the library's async declarations without being told.
install: $(LIB) $(LIB_GEN_H) strio.pc.in $(GENERATOR)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/strio \
	           $(DESTDIR)$(DATADIR)/gen $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(PUBLIC_H) $(LIB_GEN_H) $(DESTDIR)$(INCLUDEDIR)/strio/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' strio.pc.in \
	  > $(BUILD)/strio.pc
	install -m 644 $(BUILD)/strio.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 644 generator.py $(DESTDIR)$(DATADIR)/
	$(if $(wildcard gen/*.py),install -m 644 $(wildcard gen/*.py) $(DESTDIR)$(DATADIR)/gen/)
	printf '#!/bin/sh\nexec %s %s -I %s "$$@"\n' \
	  '$(PYTHON)' '$(DATADIR)/generator.py' '$(INCLUDEDIR)' > $(BUILD)/strio-gen
	install -m 755 $(BUILD)/strio-gen $(DESTDIR)$(PREFIX)/bin/

# ---------------------------------------------------------------- rules --
$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(CORE_LIB): $(CORE_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# Firmware images: own startup code and vector table, no crt0. blinky
# needs no C library calls at all; the test prints through semihosting.
$(BLINKY): $(GEN)/examples/bare/blinky.o $(CORE_LIB) $(BARE_LD)
	@mkdir -p $(@D)
	$(CC) $(STRIO_LDFLAGS) -T $(BARE_LD) -nostartfiles -Wl,--gc-sections \
	  --specs=nano.specs --specs=nosys.specs -o $@ $(filter-out %.ld,$^)

# The TLS tests drive these examples as subprocesses.
$(UNIT_BIN): | $(BUILD)/examples/https_get $(BUILD)/examples/tls_echo_server
$(UNIT_BIN): $(UNIT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(STRIO_LDFLAGS) -o $@ $^ -lcriterion $(HOST_LDLIBS)

$(BUILD)/examples/%: $(GEN)/examples/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(STRIO_LDFLAGS) -o $@ $^ $(HOST_LDLIBS)

# Sources from the tree. Everything compiled waits for the generated library
# headers on a first build; after that -MMD's .d files track includes.
$(BUILD)/obj/%.o: %.c | $(LIB_GEN_H)
	@mkdir -p $(@D)
	$(CC) $(STRIO_CFLAGS) -c -o $@ $<

# Generated sources; a generated file's own header sits next to it.
$(GEN)/%.o: $(GEN)/%.c | $(LIB_GEN_H)
	@mkdir -p $(@D)
	$(CC) $(STRIO_CFLAGS) -c -o $@ $<

# Unit tests may include the headers generated from tests/unit/*.sc. Only
# they get that directory on -I, so a test named like a system header
# (time.sc) cannot shadow it anywhere else.
$(UNIT_OBJS): STRIO_CFLAGS += -I$(GEN)/tests
$(UNIT_OBJS): | $(UNIT_GEN_H)

# Grouped targets: one generator run writes all of them.
ifneq ($(LIB_SC),)
$(LIB_GEN_C) $(LIB_GEN_H) &: $(LIB_SC) $(PUBLIC_H) $(GENERATOR)
	@mkdir -p $(GEN_LIB)
	$(PYTHON) generator.py -o $(GEN_LIB) $(GEN_INCLUDES) $(LIB_SC)
endif

ifneq ($(UNIT_SC),)
$(UNIT_GEN_C) $(UNIT_GEN_H) &: $(UNIT_SC) $(LIB_GEN_H) $(PUBLIC_H) $(GENERATOR)
	@mkdir -p $(GEN)/tests
	$(PYTHON) generator.py -o $(GEN)/tests $(GEN_INCLUDES) $(UNIT_SC)
endif

$(GEN)/protocols/%.c: protocols/%.re
	@mkdir -p $(@D)
	$(RE2C) $(RE2C_FLAGS) -o $@ $<

$(GEN)/tests/bare/%.c $(GEN)/tests/bare/%.h: tests/bare/%.sc tests/bare/harness.h $(LIB_GEN_H) $(PUBLIC_H) $(GENERATOR)
	@mkdir -p $(@D)
	$(PYTHON) generator.py -o $(@D) $(GEN_INCLUDES) -I tests/bare $<

$(GEN)/examples/%.c $(GEN)/examples/%.h: examples/%.sc $(LIB_GEN_H) $(PUBLIC_H) $(GENERATOR)
	@mkdir -p $(@D)
	$(PYTHON) generator.py -o $(@D) $(GEN_INCLUDES) $<

# Generated sources are precious enough to keep for reading and debugging.
.SECONDARY:
.DELETE_ON_ERROR:

ALL_OBJS := $(LIB_OBJS) $(CORE_OBJS) $(UNIT_OBJS) $(GEN)/examples/bare/blinky.o \
            $(EXAMPLE_BINS:$(BUILD)/examples/%=$(GEN)/examples/%.o)
-include $(ALL_OBJS:.o=.d)
