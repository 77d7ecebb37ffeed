# tests/bare/bare.mk -- the bare-metal test images (included by Makefile).
#
#   make test-bare-an385   Cortex-M3  on QEMU mps2-an385 (newlib-nano)
#   make test-bare-an386   Cortex-M4F on QEMU mps2-an386 (newlib-nano, hard float)
#   make test-bare-virt    RV32IMAC   on QEMU virt (freestanding: tests/bare/libc)
#
# Each image holds the core (CORE_SRCS + CORE_SC, compiled for that CPU),
# the core's checks (core_test.sc), memory streams under the conformance
# suite and fault injection (stream_test.sc), and machines from the
# generator's corpus with outputs computed on the host (corpus.py), and the
# protocol parsers (proto_test.c: HTTP/1.1, the DNS codec) and the DNS
# resolver over a memory transport (resolve_test.sc). It is
# run twice (outputs must be identical), a deliberately failing image must
# exit 1 and a deliberately faulting one 3 (tests/bare/run.sh). Objects go to $(BUILD)/bare/BOARD/.

BARE_BOARDS := an385 an386 virt

BARE_CC_an385 := arm-none-eabi-
BARE_CC_an386 := arm-none-eabi-
BARE_CC_virt := riscv64-unknown-elf-
BARE_ARCH_an385 := -mcpu=cortex-m3 -mthumb
BARE_ARCH_an386 := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
# -misa-spec=2.2: CSR instructions without _zicsr, which would select no
# multilib (and then the rv64 libgcc).
BARE_ARCH_virt := -march=rv32imac -mabi=ilp32 -misa-spec=2.2 -mcmodel=medany \
                  -ffreestanding -isystem tests/bare/libc/include
BARE_MPS2_LD := -T tests/bare/mps2.ld -nostartfiles \
                --specs=nano.specs --specs=rdimon.specs
BARE_LD_an385 := $(BARE_MPS2_LD)
BARE_LD_an386 := $(BARE_MPS2_LD)
BARE_LD_virt := -T tests/bare/virt.ld -nostdlib -nostartfiles \
                -Wl,--no-warn-rwx-segments
BARE_LIBS_virt := -lgcc
BARE_SRCS_an385 := tests/bare/startup.c tests/bare/board_mps2.c
BARE_SRCS_an386 := $(BARE_SRCS_an385)
BARE_SRCS_virt := tests/bare/virt_start.S tests/bare/board_virt.c \
                  tests/bare/libc/libc.c
BARE_QEMU_ARM = timeout 60 qemu-system-arm -M mps2-$(1) -nographic \
                -semihosting-config enable=on,target=native \
                -icount shift=5,sleep=off
BARE_QEMU_an385 := $(call BARE_QEMU_ARM,an385)
BARE_QEMU_an386 := $(call BARE_QEMU_ARM,an386)
BARE_QEMU_virt := timeout 60 qemu-system-riscv32 -M virt -bios none \
                  -nographic -icount shift=5,sleep=off

# Corpus programs run on the targets: every one without floating point
# (newlib-nano's printf and tests/bare/libc have none), %zu or %lld
# (newlib-nano has neither), nor tleaf_calls() (counts across programs).
BARE_CORPUS := $(filter-out $(shell grep -l 'float\|double\|%zu\|%ll\|tleaf_calls' tests/gen/corpus/*.sc | \
                  sed 's|.*/||; s|\.sc$$||'), \
                  $(patsubst tests/gen/corpus/%.sc,%,$(wildcard tests/gen/corpus/*.sc)))
BARE_CORPUS_DIR := $(GEN)/tests/bare/corpus
BARE_CORPUS_C := $(BARE_CORPUS:%=$(BARE_CORPUS_DIR)/%_entry.c)

BARE_TEST_SC := tests/bare/core_test.sc tests/bare/stream_test.sc \
                tests/bare/tickless_test.sc tests/bare/resolve_test.sc
BARE_COMMON_SRCS := $(CORE_SRCS) \
    $(addprefix $(GEN_LIB)/,$(notdir $(CORE_SC:.sc=.c))) \
    tests/bare/harness.c tests/bare/corpus_run.c tests/gen/support/leaf.c \
    tests/bare/proto_test.c $(PROTO_RE:%.re=$(GEN)/%.c) \
    $(BARE_TEST_SC:tests/bare/%.sc=$(GEN)/tests/bare/%.c) \
    $(BARE_CORPUS_DIR)/corpus_table.c

BARE_CFLAGS = -std=c11 -Wall -Wextra -Werror -g -Os -ffunction-sections \
              -fdata-sections -Iruntime/include -I$(GEN)/runtime -Itests/bare \
              -I$(GEN)/tests/bare -Itests/gen/support -MMD -MP

.PHONY: test-bare-an385 test-bare-an386 test-bare-virt

$(BARE_CORPUS_C) $(BARE_CORPUS_DIR)/corpus_table.c &: \
        $(BARE_CORPUS:%=tests/gen/corpus/%.sc) tests/bare/corpus.py \
        tests/gen/differential.py tests/bare/bare.mk $(GENERATOR)
	@mkdir -p $(BARE_CORPUS_DIR)
	$(PYTHON) tests/bare/corpus.py --out $(BARE_CORPUS_DIR) --cc $(CC) \
	  --include runtime/include $(BARE_CORPUS)

# $(1): board
define BARE_BOARD
BARE_OBJS_$(1) := $$(patsubst %,$(BUILD)/bare/$(1)/obj/%.o, \
    $$(basename $$(BARE_COMMON_SRCS) $$(BARE_SRCS_$(1))))
BARE_CORPUS_OBJS_$(1) := $$(BARE_CORPUS:%=$(BUILD)/bare/$(1)/corpus/%.o)

$(BUILD)/bare/$(1)/obj/%.o: %.c | $(LIB_GEN_H)
	@mkdir -p $$(@D)
	$$(BARE_CC_$(1))gcc $$(BARE_CFLAGS) $$(BARE_ARCH_$(1)) \
	  $$(if $$(findstring libc/,$$<),-fno-builtin -fno-tree-loop-distribute-patterns) \
	  -c -o $$@ $$<
$(BUILD)/bare/$(1)/obj/%.o: %.S
	@mkdir -p $$(@D)
	$$(BARE_CC_$(1))gcc $$(BARE_ARCH_$(1)) -c -o $$@ $$<
# Each corpus program in its own object, only its descriptor left global.
$(BUILD)/bare/$(1)/corpus/%.o: $(BARE_CORPUS_DIR)/%_entry.c | $(LIB_GEN_H)
	@mkdir -p $$(@D)
	$$(BARE_CC_$(1))gcc $$(BARE_CFLAGS) $$(BARE_ARCH_$(1)) \
	  -I$(BARE_CORPUS_DIR) -c -o $$@.tmp $$<
	$$(BARE_CC_$(1))objcopy --keep-global-symbol=corpus_prog_$$* $$@.tmp $$@
	@rm -f $$@.tmp

$(BUILD)/bare/$(1)/test.elf: $$(BARE_OBJS_$(1)) $(BUILD)/bare/$(1)/obj/tests/bare/main.o \
        $$(BARE_CORPUS_OBJS_$(1))
	@echo "LINK $$@"
	@$$(BARE_CC_$(1))gcc $$(BARE_ARCH_$(1)) $$(BARE_LD_$(1)) -Wl,--gc-sections \
	  -o $$@ $$^ $$(BARE_LIBS_$(1))
$(BUILD)/bare/$(1)/fail.elf: $$(BARE_OBJS_$(1)) $(BUILD)/bare/$(1)/obj/fail_main.o \
        $$(BARE_CORPUS_OBJS_$(1))
	@echo "LINK $$@"
	@$$(BARE_CC_$(1))gcc $$(BARE_ARCH_$(1)) $$(BARE_LD_$(1)) -Wl,--gc-sections \
	  -o $$@ $$^ $$(BARE_LIBS_$(1))
$(BUILD)/bare/$(1)/fault.elf: $$(BARE_OBJS_$(1)) $(BUILD)/bare/$(1)/obj/fault_main.o \
        $$(BARE_CORPUS_OBJS_$(1))
	@echo "LINK $$@"
	@$$(BARE_CC_$(1))gcc $$(BARE_ARCH_$(1)) $$(BARE_LD_$(1)) -Wl,--gc-sections \
	  -o $$@ $$^ $$(BARE_LIBS_$(1))
$(BUILD)/bare/$(1)/obj/fail_main.o: tests/bare/main.c | $(LIB_GEN_H)
	@mkdir -p $$(@D)
	$$(BARE_CC_$(1))gcc $$(BARE_CFLAGS) $$(BARE_ARCH_$(1)) \
	  -DBARE_DELIBERATE_FAIL -c -o $$@ $$<
$(BUILD)/bare/$(1)/obj/fault_main.o: tests/bare/main.c | $(LIB_GEN_H)
	@mkdir -p $$(@D)
	$$(BARE_CC_$(1))gcc $$(BARE_CFLAGS) $$(BARE_ARCH_$(1)) \
	  -DBARE_DELIBERATE_FAULT -c -o $$@ $$<

test-bare-$(1): deps $(BUILD)/bare/$(1)/test.elf $(BUILD)/bare/$(1)/fail.elf \
        $(BUILD)/bare/$(1)/fault.elf
	@bash tests/bare/run.sh bare-$(1) $(BUILD)/bare/$(1)/test.elf \
	  $(BUILD)/bare/$(1)/fail.elf $(BUILD)/bare/$(1)/fault.elf $$(BARE_QEMU_$(1))

-include $$(BARE_OBJS_$(1):.o=.d) $$(BARE_CORPUS_OBJS_$(1):.o=.d)
endef

$(foreach b,$(BARE_BOARDS),$(eval $(call BARE_BOARD,$(b))))
