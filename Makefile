# Build, test and install the buoy toolkit.
#
#   make            build every program into build/
#   make test       build and run every test (starts its own Redis and PostgreSQL)
#   make run        run the embedded pipeline: buoy-fetch --latest --interval | buoy-sse
#   make install    install programs, man pages, systemd units and the live page
#   make bench      measure buoy-sse and the ingest programs (prints figures)
#   make fuzz       fuzz the parsers with libFuzzer
#
# Warnings and the C standard are kept whatever CFLAGS the user passes.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
UNITDIR  ?= $(PREFIX)/lib/systemd/system
WEBDIR   ?= $(PREFIX)/share/buoy/web
DESTDIR  ?=

CC       ?= cc
CFLAGS   ?= -O2 -g
BUILD    ?= build
PKG_CONFIG ?= pkg-config

# make V=1 prints the full compiler commands.
ifeq ($(V),1)
Q =
else
Q = @
endif

WARNINGS = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
ifeq ($(CI),true)
WARNINGS += -Werror
endif

# libjq 1.6 ships no pkg-config file, so fall back to plain -ljq.
JQ_LIBS := $(shell $(PKG_CONFIG) --libs libjq 2>/dev/null || echo -ljq)

PKGS_fetch   = libcurl zlib
PKGS_upsert  = libpq
PKGS_publish = hiredis
PKGS_sub     = hiredis
PKGS_sse     = libevent

ALL_PKGS = libcurl zlib libpq hiredis libevent
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(ALL_PKGS) 2>/dev/null)

ALL_CPPFLAGS = -Ilib -D_DEFAULT_SOURCE -D_GNU_SOURCE -DBUOY_VERSION='"$(VERSION)"' $(CPPFLAGS)
ALL_CFLAGS   = -std=c17 $(WARNINGS) $(PKG_CFLAGS) $(CFLAGS)

PROGRAMS = buoy-fetch buoy-upsert buoy-publish buoy-sub buoy-sse
BINS     = $(addprefix $(BUILD)/,$(PROGRAMS))

LIB_SRCS = $(wildcard lib/*.c)
LIB_OBJS = $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
CMD_OBJS = $(patsubst %,$(BUILD)/cmd/%.o,$(PROGRAMS))
# A program's own sources beyond its main: cmd/<program>/*.c
SUB_SRCS = $(wildcard cmd/*/*.c)
SUB_OBJS = $(patsubst cmd/%.c,$(BUILD)/cmd/%.o,$(SUB_SRCS))

UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

MANPAGES = $(wildcard man/*.[1-8])
UNITS    = $(wildcard systemd/*.service systemd/*.timer)

.PHONY: all deps test unit-test run install uninstall clean check-man bench fuzz

all: $(BINS)

deps:
	@scripts/install-deps

$(BUILD)/lib/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/cmd/%.o: cmd/%.c $(wildcard lib/*.h cmd/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libbuoy.a: $(LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

# Each program links its main, its own folder's objects, cmd/common's (code
# that prints and exits, which lib/ must not), the shared library
# and the packages it uses. A function keeps '%' out of the prerequisite
# text, where make would replace it with the stem.
own_objects = $(filter $(BUILD)/cmd/buoy-$(1)/% $(BUILD)/cmd/common/%,$(SUB_OBJS))
.SECONDARY:
.SECONDEXPANSION:
$(BUILD)/buoy-%: $(BUILD)/cmd/buoy-%.o $$(call own_objects,$$*) $(BUILD)/libbuoy.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ \
	    $$($(PKG_CONFIG) --libs $(PKGS_$*)) $(JQ_LIBS) -lm

# A unit test may include a program's own .c files, so it depends on them.
$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libbuoy.a $(wildcard cmd/*/*.c cmd/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libbuoy.a \
	    $$($(PKG_CONFIG) --libs cmocka $(ALL_PKGS)) $(JQ_LIBS) -lm

unit-test: $(UNIT_BINS)

test: deps
	@tests/run-all

run: deps all
	@scripts/run-embedded

# Benchmarks print figures; they assert nothing and are not part of test.
# Each bench/*-bench script prints its own figures; BENCH_ONLY=sse (or
# parse, store) runs one of them.
BENCH_SCRIPTS = $(if $(BENCH_ONLY),$(BENCH_ONLY:%=bench/%-bench),$(wildcard bench/*-bench))

bench: deps all
	@set -e; for script in $(BENCH_SCRIPTS); do $$script; done

# Coverage-guided fuzzing with libFuzzer; FUZZ_SECONDS sets the time per target.
fuzz: deps
	@fuzz/run

check-man:
	@for page in $(MANPAGES); do mandoc -Tlint -W warning $$page || exit 1; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(UNITDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	for page in $(MANPAGES); do \
	    section=$${page##*.}; \
	    install -m 644 $$page $(DESTDIR)$(MANDIR)/man$$section/; \
	done
	for unit in $(UNITS); do \
	    sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@WEBDIR@|$(WEBDIR)|g' \
	        $$unit > $(DESTDIR)$(UNITDIR)/$${unit##*/}; \
	    chmod 644 $(DESTDIR)$(UNITDIR)/$${unit##*/}; \
	done
	# The live page that buoy-sse --static serves.
	install -d $(DESTDIR)$(WEBDIR)
	install -m 644 $(wildcard web/*) $(DESTDIR)$(WEBDIR)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGRAMS))
	for page in $(MANPAGES); do \
	    section=$${page##*.}; \
	    rm -f $(DESTDIR)$(MANDIR)/man$$section/$${page##*/}; \
	done
	for unit in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$${unit##*/}; done
	rm -f $(addprefix $(DESTDIR)$(WEBDIR)/,$(notdir $(wildcard web/*)))
	rmdir $(DESTDIR)$(WEBDIR) $(dir $(DESTDIR)$(WEBDIR)) 2>/dev/null || true

clean:
	rm -rf build build-asan
