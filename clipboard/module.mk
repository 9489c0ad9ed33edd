# clipboard/: libexec/jailsup/clipboard, the bridge between the user's
# display and a jail's own X server (docs/jail.md "The clipboard bridge"),
# which the supervisor starts confined. An X client: it links libxcb and
# its XFixes, dynamically (Debian ships no archive of them).
CLIPBOARD_SRCS := $(wildcard clipboard/*.c)
CLIPBOARD_OBJS := $(CLIPBOARD_SRCS:%.c=$(B)/%.o)
ALL_OBJS       += $(CLIPBOARD_OBJS)
BINS           += $(B)/libexec/jailsup/clipboard
LIBEXEC_BINS   += $(B)/libexec/jailsup/clipboard

$(CLIPBOARD_OBJS): XCFLAGS += $(shell pkg-config --cflags xcb xcb-xfixes 2>/dev/null)

$(B)/libexec/jailsup/clipboard: $(CLIPBOARD_OBJS) $(LIBSTATE)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xcb xcb-xfixes 2>/dev/null)
