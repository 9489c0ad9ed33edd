# leak-check: the helper `jailsup check` runs inside a jail (docs/jail.md
# "jailsup check"). The
# CLI hands it to the jail as a sealed memfd, so it needs no path there.
CHECK_SRCS   := $(wildcard leak-check/*.c)
CHECK_OBJS   := $(CHECK_SRCS:%.c=$(B)/%.o)
ALL_OBJS     += $(CHECK_OBJS)
BINS         += $(B)/libexec/jailsup/leak-check
LIBEXEC_BINS += $(B)/libexec/jailsup/leak-check

$(B)/libexec/jailsup/leak-check: $(CHECK_OBJS) $(LIBSTATE)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)
