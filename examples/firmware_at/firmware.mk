# examples/firmware_at/firmware.mk -- the AT-command firmware example
# (included by Makefile, after tests/bare/bare.mk, whose an386 rules build
# the core for the Cortex-M4F).
#
#   make test-firmware   builds $(BUILD)/bare/an386/firmware_at.elf, runs
#                        it on QEMU mps2-an386 with script.txt on the UART
#                        and compares what it answers with expected.txt

FW_DIR := examples/firmware_at
FW_SC := $(FW_DIR)/uart_stream_impl.sc $(FW_DIR)/at_server.sc
FW_GEN := $(GEN)/examples/firmware_at
FW_GEN_C := $(FW_SC:$(FW_DIR)/%.sc=$(FW_GEN)/%.c)
FW_ELF := $(BUILD)/bare/an386/firmware_at.elf
FW_OBJS := $(patsubst %,$(BUILD)/bare/an386/obj/%.o, \
    $(basename $(CORE_SRCS) $(addprefix $(GEN_LIB)/,$(notdir $(CORE_SC:.sc=.c))) \
    $(FW_GEN_C) $(FW_DIR)/board.c tests/bare/startup.c))
FW_QEMU := timeout 20 qemu-system-arm -M mps2-an386 -nographic \
           -semihosting-config enable=on,target=native -icount shift=5,sleep=off

.PHONY: test-firmware

# One generator run: at_server.sc awaits the UART stream's operations.
$(FW_GEN_C) $(FW_GEN_C:.c=.h) &: $(FW_SC) $(FW_DIR)/uart_stream.h $(FW_DIR)/at.h \
        $(LIB_GEN_H) $(PUBLIC_H) $(GENERATOR)
	@mkdir -p $(FW_GEN)
	$(PYTHON) generator.py -o $(FW_GEN) $(GEN_INCLUDES) -I $(FW_DIR) $(FW_SC)

$(filter $(BUILD)/bare/an386/obj/$(FW_GEN)/% $(BUILD)/bare/an386/obj/$(FW_DIR)/%,$(FW_OBJS)): \
    BARE_CFLAGS += -I$(FW_DIR) -I$(FW_GEN)
$(filter $(BUILD)/bare/an386/obj/$(FW_GEN)/% $(BUILD)/bare/an386/obj/$(FW_DIR)/%,$(FW_OBJS)): \
    | $(FW_GEN_C)

$(FW_ELF): $(FW_OBJS)
	@echo "LINK $@"
	@$(BARE_CC_an386)gcc $(BARE_ARCH_an386) $(BARE_LD_an386) -Wl,--gc-sections \
	  -o $@ $^

test-firmware: deps $(FW_ELF)
	@bash $(FW_DIR)/run.sh $(FW_ELF) $(FW_DIR)/script.txt $(FW_DIR)/expected.txt $(FW_QEMU)

# `make sizes`: sizeof the runtime's objects on the Cortex-M4 (nm -S).
$(BUILD)/bare/an386/size_probe.o: tests/bare/size_probe.c $(FW_GEN_C) | $(LIB_GEN_H)
	@mkdir -p $(@D)
	$(BARE_CC_an386)gcc $(BARE_CFLAGS) -mcpu=cortex-m4 -mthumb -fno-common \
	  -I$(FW_DIR) -I$(FW_GEN) -c -o $@ $<
