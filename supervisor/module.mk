# supervisor/: two binaries. bin/jailsup, the CLI, links statically (no
# dynamic loader at every start: issue 8); libexec/jailsup/supervisor, the
# daemon that `jailsup daemon` execs, needs libmnl, getaddrinfo() and
# dlopen() and stays dynamic. Both take what they use from one archive of
# the directory's objects, so each links only its own side: the helpers'
# sandbox (state/sandbox.o, libseccomp) is pulled in by the daemon's
# dbus-proxy-spawn.o, helper.o and net.o (openvpn's) only, never by the CLI.
SUPERVISOR_SRCS := $(wildcard supervisor/*.c)
SUPERVISOR_OBJS := $(SUPERVISOR_SRCS:%.c=$(B)/%.o)
SUPERVISOR_MAINS := $(B)/supervisor/main.o $(B)/supervisor/supervisor-main.o
LIBSUPERVISOR   := $(B)/libsupervisor.a
ALL_OBJS        += $(SUPERVISOR_OBJS)
BINS            += $(B)/bin/jailsup $(B)/libexec/jailsup/supervisor
LIBEXEC_BINS    += $(B)/libexec/jailsup/supervisor

$(LIBSUPERVISOR): $(filter-out $(SUPERVISOR_MAINS),$(SUPERVISOR_OBJS))
	$(AR) rcs $@ $^

$(B)/bin/jailsup: $(B)/supervisor/main.o $(LIBSUPERVISOR) $(LIBPROFILE) $(LIBSTATE)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(STATIC_PIE) $(LDFLAGS) -o $@ $^ -lcap -linih

$(B)/libexec/jailsup/supervisor: $(B)/supervisor/supervisor-main.o $(LIBSUPERVISOR) $(LIBPROFILE) $(LIBSTATE)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(call static_libs,-lcap -linih -lev -lseccomp) -lmnl
