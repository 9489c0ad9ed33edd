# jailsup: the CLI and the per-user daemon (one binary).
SUPERVISOR_SRCS := $(wildcard supervisor/*.c)
SUPERVISOR_OBJS := $(SUPERVISOR_SRCS:%.c=$(B)/%.o)
ALL_OBJS        += $(SUPERVISOR_OBJS)
BINS            += $(B)/bin/jailsup

$(B)/bin/jailsup: $(SUPERVISOR_OBJS) $(LIBPROFILE) $(LIBSTATE)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(call static_libs,-lcap -linih -lev) -lmnl
