# dbus-bridge: runs inside a jail whose profile has [dbus] own-private, a
# client of both the jail's private dbus-daemon and its xdg-dbus-proxy
# (docs/jail.md "A private session bus"). The jailer hands it to dispatch
# as an fd, so it needs no path in the jail; GLib's GDBus parses the
# messages.
BRIDGE_SRCS  := $(wildcard dbus-bridge/*.c)
BRIDGE_OBJS  := $(BRIDGE_SRCS:%.c=$(B)/%.o)
ALL_OBJS     += $(BRIDGE_OBJS)
BINS         += $(B)/libexec/jailsup/dbus-bridge
LIBEXEC_BINS += $(B)/libexec/jailsup/dbus-bridge
GIO_CFLAGS   := $(shell pkg-config --cflags gio-2.0 2>/dev/null)
GIO_LIBS     := $(shell pkg-config --libs gio-2.0 2>/dev/null)

# GLib callbacks take parameters a handler may not need.
$(BRIDGE_OBJS): XCFLAGS += $(GIO_CFLAGS) -Wno-unused-parameter

$(B)/libexec/jailsup/dbus-bridge: $(BRIDGE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(GIO_LIBS)
