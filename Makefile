# Snow — build, run, test, sanitizers, benchmarks and fuzzing.
#
#   make run     install missing packages, build, run the demo program
#   make test    install missing packages, build, run every test
#   make asan    the test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan    the threaded-scheduler tests under ThreadSanitizer
#   make bench   benchmarks side by side with Lua, Python and Erlang
#   make fuzz    libFuzzer targets (clang)
#   make leakcheck  valgrind over the conformance programs
#
# Sources are discovered by wildcard: a new module is a new .c/.h pair in its
# directory and needs no Makefile change.

CC      ?= gcc
MODE    ?= release
BUILD   := build/$(MODE)

# The folders, bottom layer first (docs/architecture.md; tests/scripts/layers.sh
# checks that includes only go down): runtime <- net, dist <- front <- typecheck
# <- interp <- debugger <- cmd.
SRCDIRS := runtime net dist front typecheck interp debugger cmd
SRCS    := $(foreach d,$(SRCDIRS),$(wildcard $(d)/*.c))
ASMS    := $(foreach d,$(SRCDIRS),$(wildcard $(d)/*.S))
OBJS    := $(patsubst %.c,$(BUILD)/%.o,$(SRCS)) $(patsubst %.S,$(BUILD)/%.o,$(ASMS))
LIBOBJS := $(filter-out $(BUILD)/cmd/main.o,$(OBJS))
DEPS    := $(OBJS:.o=.d)

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter
INCS    := $(addprefix -iquote ,$(SRCDIRS))
BASEFLAGS := -std=c17 -D_GNU_SOURCE -g $(WARN) $(INCS) -fno-strict-aliasing
LIBS    := -Wl,--as-needed -lm -lpthread -ledit -lncursesw -lutf8proc -lssl -lcrypto -lsqlite3 -lpq

ifeq ($(MODE),release)
  OPT := -O2 -DNDEBUG
else ifeq ($(MODE),debug)
  OPT := -O0 -fno-omit-frame-pointer
else ifeq ($(MODE),asan)
  OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -DSNOW_ASAN
  LDEXTRA := -fsanitize=address,undefined
else ifeq ($(MODE),tsan)
  OPT := -O1 -fno-omit-frame-pointer -fsanitize=thread -DSNOW_TSAN
  LDEXTRA := -fsanitize=thread
else ifeq ($(MODE),fuzz)
  # objects for the libFuzzer targets (scripts/build-fuzz links them)
  OPT := -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -DSNOW_ASAN
endif

CFLAGS  ?=
CFLAGS  += $(BASEFLAGS) $(OPT) -I/usr/include/postgresql
LDFLAGS += $(LDEXTRA)

ifeq ($(MODE),release)
  SNOW := snow
else
  SNOW := $(BUILD)/snow
endif

.PHONY: all deps run test test-only asan tsan bench fuzz fuzzlib leakcheck clean unit

all: $(SNOW)

# V=1 shows the full commands
Q := $(if $(V),,@)

$(SNOW): $(OBJS)
	@echo "  LINK  $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS    $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

-include $(DEPS)

# ---- unit tests: every tests/unit/test_*.c links against the library objects
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

$(BUILD)/tests/%: tests/unit/%.c tests/unit/harness.h $(LIBOBJS)
	@mkdir -p $(dir $@)
	@echo "  TEST  $@"
	$(Q)$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

unit: $(UNIT_BINS)

# the library objects alone (MODE=fuzz CC=clang: for scripts/build-fuzz)
fuzzlib: $(LIBOBJS)

deps:
	@scripts/install-deps

run: deps
	@$(MAKE) --no-print-directory all
	./snow run examples/demo.snow

test: deps
	@$(MAKE) --no-print-directory all unit
	@scripts/run-tests ./snow $(BUILD)

# Runs the tests without the dependency check (used by the sanitizer targets).
test-only: all unit
	@scripts/run-tests $(SNOW) $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory MODE=asan CC=$(CC) test-only

tsan: deps
	@$(MAKE) --no-print-directory MODE=tsan CC=clang all build/tsan/tests/test_threads
	@scripts/run-tsan build/tsan/snow

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run

fuzz: deps
	@scripts/build-fuzz

leakcheck: deps
	@$(MAKE) --no-print-directory MODE=debug all
	@scripts/leakcheck build/debug/snow

clean:
	rm -rf build snow
