# Unit tests (cmocka, one binary per tests/unit/test-*.c), fuzz targets
# (libFuzzer: clang builds the library sources again with coverage), and the
# helpers integration tests run inside jails (no sanitizers: they must make
# raw system calls and run in a seccomp jail).
UNIT_SRCS  := $(wildcard tests/unit/test-*.c)
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%)
ALL_OBJS   += $(UNIT_SRCS:%.c=$(B)/%.o)
TESTS      += $(UNIT_TESTS)

# Profile tests link the profile library; the others only the state library,
# so each library's tests build on their own. (Static pattern rules: a
# pattern rule's stem is never empty, so test-profile% would miss test-profile.)
PROFILE_TESTS := $(filter $(B)/tests/unit/test-profile%,$(UNIT_TESTS))
$(PROFILE_TESTS): $(B)/tests/unit/%: $(B)/tests/unit/%.o $(LIBPROFILE) $(LIBSTATE)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS)

$(filter-out $(PROFILE_TESTS) $(B)/tests/unit/test-desktop-entry $(B)/tests/unit/test-desktop-mime $(B)/tests/unit/test-dbus-proxy $(B)/tests/unit/test-seccomp-bpf $(B)/tests/unit/test-gpu-sysfs $(B)/tests/unit/test-keeper $(B)/tests/unit/test-pty-relay $(B)/tests/unit/test-vpn-leak $(B)/tests/unit/test-clipboard-text,$(UNIT_TESTS)): $(B)/tests/unit/%: $(B)/tests/unit/%.o $(LIBSTATE)
	$(CC) $(XLDFLAGS) $(UNIT_WRAP) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS)

# Faults no test filesystem makes for real: a filesystem without
# RENAME_NOREPLACE (NFS) under state_rm_rf().
$(B)/tests/unit/test-state: UNIT_WRAP := -Wl,--wrap=renameat2

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)
FUZZERS   := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)
TESTS     += $(FUZZERS)
FUZZ_CFLAGS := -std=gnu17 -g -O1 -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

# A target that compiles a library file in (for its private types) names
# it in FUZZ_OWN_name, so the libraries' sources leave it out.
FUZZ_OWN_fuzz-control := state/control.c

$(B)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(STATE_SRCS) $(PROFILE_SRCS) $(wildcard state/*.h ini-profiles/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(filter-out $(FUZZ_OWN_fuzz-$*),$(STATE_SRCS) $(PROFILE_SRCS)) $(PKG_LIBS)

HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPERS     := $(HELPER_SRCS:tests/helpers/%.c=$(B)/tests/helpers/%)
TESTS       += $(HELPERS)

$(B)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu17 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -o $@ $<

tests-all: $(TESTS)

# Keep the test objects: without this make deletes them as intermediates and
# recompiles every test on each run.
.SECONDARY: $(UNIT_SRCS:%.c=$(B)/%.o)

# test-desktop-entry tests a file of the CLI: its object goes in before the
# libraries (an extra prerequisite would land after them in $^).
$(B)/tests/unit/test-desktop-entry: $(B)/tests/unit/test-desktop-entry.o \
		$(B)/cli/desktop-entry.o $(LIBSTATE)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS)
$(B)/tests/unit/test-desktop-mime: $(B)/tests/unit/test-desktop-mime.o \
		$(B)/cli/desktop-mime.o $(LIBSTATE)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS)
# test-vpn-leak tests the CLI's reader of a VPN jail's leak probe.
$(B)/tests/unit/test-vpn-leak: $(B)/tests/unit/test-vpn-leak.o $(B)/cli/vpn-leak.o $(LIBSTATE)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS)
# test-clipboard-text tests the clipboard bridge's checks of what it reads.
$(B)/tests/unit/test-clipboard-text: $(B)/tests/unit/test-clipboard-text.o \
		$(B)/clipboard/clipboard-text.o $(LIBSTATE)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS)
# test-gpu-sysfs tests one file of the jailer.
$(B)/tests/unit/test-gpu-sysfs: $(B)/tests/unit/test-gpu-sysfs.o $(B)/jailer/gpu-sysfs.o \
		$(LIBPROFILE) $(LIBSTATE)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS)
# test-seccomp-bpf runs the filters the build generated.
$(B)/tests/unit/test-seccomp-bpf: $(B)/tests/unit/test-seccomp-bpf.o $(B)/jailer/seccomp-bpf.o \
		$(LIBSTATE)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS)
$(B)/fuzz/fuzz-desktop-entry: cli/desktop-entry.c cli/desktop-entry.h
# The jailer's spec is not library code: the target compiles its file in.
$(B)/fuzz/fuzz-spec: jailer/spec.c jailer/jailer.h

# test-dbus-proxy tests the supervisor's proxy arguments and sandbox (plain
# data: no libev, no spawn), the same way.
$(B)/tests/unit/test-dbus-proxy: $(B)/tests/unit/test-dbus-proxy.o \
		$(B)/ini-profiles/dbus-proxy.o $(LIBPROFILE) $(LIBSTATE)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS)

# test-pty-relay checks the CLI's pty relay (cli/pty-relay.c) on
# real ptys and pipes.
$(B)/tests/unit/test-pty-relay: $(B)/tests/unit/test-pty-relay.o $(B)/cli/pty-relay.o \
		$(LIBSTATE)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS)

# test-keeper forks real keepers: the supervisor's keeper.c and the state
# file code it uses, before the libraries, with libev ($(LIBS)).
$(B)/tests/unit/test-keeper: $(B)/tests/unit/test-keeper.o $(B)/supervisor/keeper.o \
		$(B)/state/jail-state.o $(LIBSTATE)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS)

# The crash test's binaries (76-crash-start.bats): the supervisor and the
# jailer compiled a second time with -DJAILSUP_FAULT_INJECTION (state/fault.h:
# each dies with SIGKILL at the step $JAILSUP_CRASH_AT names), in a tree of
# their own with an installation's layout, so they find each other (and the
# CLI finds this supervisor) as installed binaries do. Never installed.
# Every supervisor file that includes start-steps.h holds a fault point (or
# lists them): found, not listed, so a step added in a new file is never
# linked from the archive's copy without it.
FAULT         := $(B)/tests/helpers/fault
FAULT_SUP_SRC := $(shell grep -l '"supervisor/start-steps.h"' supervisor/*.c)
FAULT_JAIL_SRC := jailer/main.c
FAULT_OBJS    := $(patsubst %.c,$(B)/fault-obj/%.o,$(FAULT_SUP_SRC) $(FAULT_JAIL_SRC))
ALL_OBJS      += $(FAULT_OBJS)
tests-all: $(FAULT)/bin/jailsup $(FAULT)/libexec/jailsup/supervisor \
           $(FAULT)/libexec/jailsup/jailer $(FAULT)/libexec/jailsup/vpn-script

$(B)/fault-obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(XCFLAGS) $(CFLAGS) -DJAILSUP_FAULT_INJECTION -c -o $@ $<

# The fault objects first: the archive's copies of them are then never
# pulled in.
$(FAULT)/libexec/jailsup/supervisor: $(patsubst %.c,$(B)/fault-obj/%.o,$(FAULT_SUP_SRC)) \
		$(LIBSUPERVISOR) $(LIBPROFILE) $(LIBSTATE)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(call static_libs,-lcap -linih -lev -lseccomp) -lmnl

$(FAULT)/libexec/jailsup/jailer: $(B)/fault-obj/jailer/main.o \
		$(filter-out $(B)/jailer/main.o,$(JAILER_OBJS)) \
		$(patsubst %.c,$(B)/%.o,$(wildcard dispatch/*.c)) $(LIBPROFILE) $(LIBSTATE)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(call static_libs,-lcap -linih -lev)

$(FAULT)/bin/jailsup: $(B)/bin/jailsup
	@mkdir -p $(@D)
	cp $< $@

$(FAULT)/libexec/jailsup/vpn-script: $(B)/libexec/jailsup/vpn-script
	@mkdir -p $(@D)
	cp $< $@
