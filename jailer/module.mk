# jailer: builds the namespaces and the filesystem view; its child then runs
# dispatch (dispatch/, linked in) as the jail's PID 1.
JAILER_SRCS  := $(wildcard jailer/*.c)
JAILER_OBJS  := $(JAILER_SRCS:%.c=$(B)/%.o) $(B)/jailer/seccomp-bpf.o
ALL_OBJS     += $(JAILER_OBJS) $(B)/jailer/gen/seccomp-gen.o
BINS         += $(B)/libexec/jailsup/jailer
LIBEXEC_BINS += $(B)/libexec/jailsup/jailer

# The seccomp filter is compiled once, here, by libseccomp (not at every
# start, where it cost 0.43 ms: docs/architecture.md §7); the jailer links
# the BPF and not libseccomp.
$(B)/jailer/gen/seccomp-gen: $(B)/jailer/gen/seccomp-gen.o
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/jailer/seccomp-bpf.c: $(B)/jailer/gen/seccomp-gen
	$< $@

$(B)/jailer/seccomp-bpf.o: $(B)/jailer/seccomp-bpf.c
	$(CC) $(CPPFLAGS) $(XCFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libexec/jailsup/jailer: $(JAILER_OBJS) $(patsubst %.c,$(B)/%.o,$(wildcard dispatch/*.c)) $(LIBPROFILE) $(LIBSTATE)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(call static_libs,-lcap -linih -lev)
