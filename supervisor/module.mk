# supervisor/: libexec/jailsup/supervisor, the daemon that `jailsup daemon`
# execs. It needs libmnl, getaddrinfo() and dlopen() and stays dynamic; it
# is not on a launch's path. What it shares with the CLI lives in state/
# and ini-profiles/. The archive lets the crash test's build link its own
# copies of some objects first (tests/module.mk).
SUPERVISOR_SRCS := $(wildcard supervisor/*.c)
SUPERVISOR_OBJS := $(SUPERVISOR_SRCS:%.c=$(B)/%.o)
SUPERVISOR_MAIN := $(B)/supervisor/supervisor-main.o
LIBSUPERVISOR   := $(B)/libsupervisor.a
ALL_OBJS        += $(SUPERVISOR_OBJS)
BINS            += $(B)/libexec/jailsup/supervisor
LIBEXEC_BINS    += $(B)/libexec/jailsup/supervisor

$(LIBSUPERVISOR): $(filter-out $(SUPERVISOR_MAIN),$(SUPERVISOR_OBJS))
	rm -f $@
	$(AR) rcs $@ $^

$(B)/libexec/jailsup/supervisor: $(SUPERVISOR_MAIN) $(LIBSUPERVISOR) $(LIBPROFILE) $(LIBSTATE)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(call static_libs,-lcap -linih -lev -lseccomp) -lmnl
