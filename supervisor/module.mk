# supervisor/: two binaries. bin/jailsup, the CLI, links statically (no
# dynamic loader at every start: docs/architecture.md §7);
# libexec/jailsup/supervisor, the daemon that `jailsup daemon` execs, needs
# libmnl, getaddrinfo() and dlopen() and stays dynamic. Both take what they
# use from one archive of the directory's objects, so the linker pulls in
# only the objects each one references: the daemon's (daemon.o, helper.o,
# net.o, keeper.o…, and the helpers' sandbox, state/sandbox.o with
# libseccomp) never land in the CLI, nor the CLI's verbs in the daemon.
# Some objects are in both (docs/architecture.md §7 lists them).
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
