# cli/: bin/jailsup, the command line. It links statically (no dynamic
# loader at every start: docs/architecture.md §7), and only its own objects
# and the libraries: nothing of the supervisor (supervisor/module.mk).
CLI_SRCS := $(wildcard cli/*.c)
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/%.o)
ALL_OBJS += $(CLI_OBJS)
BINS     += $(B)/bin/jailsup

$(B)/bin/jailsup: $(CLI_OBJS) $(LIBPROFILE) $(LIBSTATE)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(STATIC_PIE) $(LDFLAGS) -o $@ $^ -lcap -linih
