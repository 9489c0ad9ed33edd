# dispatch: PID 1 of a jail.
DISPATCH_SRCS := $(wildcard dispatch/*.c)
DISPATCH_OBJS := $(DISPATCH_SRCS:%.c=$(B)/%.o)
ALL_OBJS      += $(DISPATCH_OBJS)
BINS          += $(B)/libexec/jailsup/dispatch
LIBEXEC_BINS  += $(B)/libexec/jailsup/dispatch

$(B)/libexec/jailsup/dispatch: $(DISPATCH_OBJS) $(LIBSTATE)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(STATIC_PIE) $(LDFLAGS) -o $@ $^ -lev
