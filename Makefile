# Snow — build, run, test, sanitizers, benchmarks and fuzzing.
#
#   make run     install what building needs, build, run the demo program
#   make test    also install what the tests drive (tmux, valgrind, ...), run every test
#   make asan    the test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan    the threaded-scheduler tests under ThreadSanitizer
#   make bench   install the peers (Lua, Erlang, hyperfine), benchmarks side by side
#   make fuzz    libFuzzer targets (clang)
# (each target installs only its own missing Debian packages: scripts/install-deps)
#   make leakcheck  valgrind over the conformance programs
#   make install    install snow, its man pages, completions and editor files
#                   (PREFIX=/usr/local, DESTDIR for staging); make uninstall
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
# llhttp (the HTTP parser, net/http_parse.h): compiled from the sources
# Debian's node-llhttp package ships (scripts/install-deps), never copied
# into the tree; strict mode.  Warnings are theirs, not ours: -w.
LLHTTP_DIR := /usr/share/llhttp
LLHTTP_INC := /usr/share/include/llhttp
OBJS    += $(addprefix $(BUILD)/llhttp/,api.o http.o llhttp.o)
LIBOBJS := $(filter-out $(BUILD)/cmd/main.o,$(OBJS))
DEPS    := $(OBJS:.o=.d)

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wvla
INCS    := $(addprefix -iquote ,$(SRCDIRS))
# -fstack-clash-protection: a frame bigger than a page probes each page, so it
# cannot jump over the guard region under a process stack (runtime/stack.h).
BASEFLAGS := -std=c17 -D_GNU_SOURCE -g $(WARN) $(INCS) -fno-strict-aliasing -fstack-clash-protection
LIBS    := -Wl,--as-needed -lm -lpthread -ledit -lncursesw -lutf8proc -lssl -lcrypto -lsqlite3 -lpq -lwslay

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
CFLAGS  += $(BASEFLAGS) $(OPT) -I/usr/include/postgresql -isystem $(LLHTTP_INC) -DLLHTTP_STRICT_MODE=1
LDFLAGS += $(LDEXTRA)

ifeq ($(MODE),release)
  SNOW := snow
else
  SNOW := $(BUILD)/snow
endif

.PHONY: all deps run test test-only asan tsan bench fuzz fuzzlib leakcheck clean unit docs install uninstall install-manifest

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

$(BUILD)/llhttp/%.o: $(LLHTTP_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) -std=c11 -g $(OPT) -DLLHTTP_STRICT_MODE=1 -I$(LLHTTP_INC) -w -c $< -o $@

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

# Each job installs only the Debian packages it needs (scripts/install-deps).
deps:
	@scripts/install-deps run

run: deps
	@$(MAKE) --no-print-directory all
	./snow run examples/demo.snow

test:
	@scripts/install-deps test
	@$(MAKE) --no-print-directory all unit
	@scripts/run-tests ./snow $(BUILD)

# Runs the tests without the dependency check (used by the sanitizer targets).
test-only: all unit
	@scripts/run-tests $(SNOW) $(BUILD)

asan:
	@scripts/install-deps test sanitize
	@$(MAKE) --no-print-directory MODE=asan CC=$(CC) test-only

tsan:
	@scripts/install-deps test sanitize
	@$(MAKE) --no-print-directory MODE=tsan CC=clang all build/tsan/tests/test_threads build/tsan/tests/test_poll build/tsan/tests/test_handle
	@scripts/run-tsan build/tsan/snow

bench:
	@scripts/install-deps bench
	@$(MAKE) --no-print-directory all
	@bench/run

fuzz:
	@scripts/install-deps sanitize
	@scripts/build-fuzz

leakcheck:
	@scripts/install-deps test
	@$(MAKE) --no-print-directory MODE=debug all
	@scripts/leakcheck build/debug/snow

# ---- installation (GNU conventions: PREFIX or prefix, DESTDIR, bindir, ...)
#
# The man pages and the shell completions are rendered by the built snow from
# its command table (`snow help --man`, `snow help --completion`), so they
# always describe the binary they are installed with.  Everything else snow
# needs (the prelude, the standard library) is inside the binary.
PREFIX      ?= /usr/local
prefix      ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir      ?= $(exec_prefix)/bin
datarootdir ?= $(prefix)/share
datadir     ?= $(datarootdir)
mandir      ?= $(datarootdir)/man
man1dir     ?= $(mandir)/man1
docdir      ?= $(datarootdir)/doc/snow
bashcompdir ?= $(datadir)/bash-completion/completions
zshcompdir  ?= $(datadir)/zsh/site-functions
vimdir      ?= $(datadir)/vim/vimfiles
snowdatadir ?= $(datadir)/snow
INSTALL         ?= install
INSTALL_PROGRAM ?= $(INSTALL)
INSTALL_DATA    ?= $(INSTALL) -m 644

DOCS     := $(BUILD)/docs
# the commands of the table (cmd/commands.c), read from the source so that
# uninstall works without a built snow; tests/scripts/install.sh checks the
# list against `snow help`
COMMANDS := $(shell sed -n 's/^ *\.name = "\([a-z-]*\)",$$/\1/p' cmd/commands.c)
MANPAGES := snow.1 $(addprefix snow-,$(addsuffix .1,$(COMMANDS)))
VIMFILES := syntax/snow.vim ftdetect/snow.vim ftplugin/snow.vim indent/snow.vim
VSCODEFILES := package.json language-configuration.json syntaxes/snow.tmLanguage.json

# Every file `make install` writes, relative to $(DESTDIR) (uninstall removes these).
INSTALLED = $(bindir)/snow $(addprefix $(man1dir)/,$(MANPAGES)) $(bashcompdir)/snow $(zshcompdir)/_snow \
            $(addprefix $(vimdir)/,$(VIMFILES)) $(addprefix $(snowdatadir)/editors/vscode/,$(VSCODEFILES)) \
            $(docdir)/README.md

# man pages and completion scripts, rendered by the built snow
docs: $(SNOW)
	@mkdir -p $(DOCS)/man $(DOCS)/completions
	@echo "  GEN   $(DOCS)/man/*.1 $(DOCS)/completions"
	$(Q)./$(SNOW) help --man > $(DOCS)/man/snow.1
	$(Q)for c in $(COMMANDS); do ./$(SNOW) help --man $$c > $(DOCS)/man/snow-$$c.1 || exit 1; done
	$(Q)./$(SNOW) help --completion bash > $(DOCS)/completions/snow.bash
	$(Q)./$(SNOW) help --completion zsh > $(DOCS)/completions/_snow

install: all docs
	$(INSTALL) -d "$(DESTDIR)$(bindir)" "$(DESTDIR)$(man1dir)" "$(DESTDIR)$(bashcompdir)" "$(DESTDIR)$(zshcompdir)" \
	    "$(DESTDIR)$(docdir)" $(foreach d,syntax ftdetect ftplugin indent,"$(DESTDIR)$(vimdir)/$(d)") \
	    "$(DESTDIR)$(snowdatadir)/editors/vscode/syntaxes"
	$(INSTALL_PROGRAM) $(SNOW) "$(DESTDIR)$(bindir)/snow"
	$(INSTALL_DATA) $(addprefix $(DOCS)/man/,$(MANPAGES)) "$(DESTDIR)$(man1dir)/"
	$(INSTALL_DATA) $(DOCS)/completions/snow.bash "$(DESTDIR)$(bashcompdir)/snow"
	$(INSTALL_DATA) $(DOCS)/completions/_snow "$(DESTDIR)$(zshcompdir)/_snow"
	for f in $(VIMFILES); do $(INSTALL_DATA) editors/vim/$$f "$(DESTDIR)$(vimdir)/$$f" || exit 1; done
	for f in $(VSCODEFILES); do $(INSTALL_DATA) editors/vscode/$$f "$(DESTDIR)$(snowdatadir)/editors/vscode/$$f" || exit 1; done
	$(INSTALL_DATA) README.md "$(DESTDIR)$(docdir)/README.md"

# Removes exactly what install wrote, then the directories that only snow
# used (if they are empty); shared directories such as bin/ are left.
uninstall:
	rm -f $(foreach f,$(INSTALLED),"$(DESTDIR)$(f)")
	-rmdir "$(DESTDIR)$(snowdatadir)/editors/vscode/syntaxes" "$(DESTDIR)$(snowdatadir)/editors/vscode" \
	    "$(DESTDIR)$(snowdatadir)/editors" "$(DESTDIR)$(snowdatadir)" "$(DESTDIR)$(docdir)" 2>/dev/null || true

# The list of installed files, for tests and packagers.
install-manifest:
	@for f in $(INSTALLED); do echo "$$f"; done

clean:
	rm -rf build snow
