# jailer: builds the namespaces and the filesystem view, then execs dispatch.
JAILER_SRCS  := $(wildcard jailer/*.c)
JAILER_OBJS  := $(JAILER_SRCS:%.c=$(B)/%.o)
ALL_OBJS     += $(JAILER_OBJS)
BINS         += $(B)/libexec/jailsup/jailer
LIBEXEC_BINS += $(B)/libexec/jailsup/jailer

$(B)/libexec/jailsup/jailer: $(JAILER_OBJS) $(LIBPROFILE) $(LIBSTATE)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)
