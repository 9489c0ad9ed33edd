# scripts/ and docs/: the man pages (scdoc, built into $(B)/man/), and what
# `make install` adds to the binaries and profiles through $(INSTALL_EXTRA):
# the man pages, the bash completion, and the supervisor's login autostart
# (an XDG autostart file and a systemd user unit, whose @bindir@ becomes
# $(PREFIX)/bin), and the jailer's AppArmor profile (where AppArmor is). The autostart file goes to /etc/xdg/autostart for
# PREFIX=/usr (where sessions look), else below $(PREFIX).
MAN_SRCS  := docs/jailsup.1.scd docs/jailsup-profile.5.scd
MAN_PAGES := $(MAN_SRCS:docs/%.scd=$(B)/man/%)
DATA      += $(MAN_PAGES)

$(B)/man/%: docs/%.scd
	@mkdir -p $(@D)
	scdoc <$< >$@

# AppArmor loads profiles from /etc/apparmor.d whatever the PREFIX; the
# profile names the jailer at its installed path. APPARMOR_ABI (4.0 or 3.0)
# overrides what scripts/install-apparmor.sh finds out on this system.
APPARMOR_DIR        ?= /etc/apparmor.d
APPARMOR_ABI        ?=
MANDIR              ?= $(PREFIX)/share/man
BASH_COMPLETION_DIR ?= $(PREFIX)/share/bash-completion/completions
AUTOSTART_DIR       ?= $(if $(filter /usr,$(PREFIX)),/etc/xdg/autostart,$(PREFIX)/etc/xdg/autostart)
SYSTEMD_USER_DIR    ?= $(PREFIX)/lib/systemd/user

# One recipe line per line: make runs each in its own shell.
define INSTALL_SCRIPTS
install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASH_COMPLETION_DIR) \
        $(DESTDIR)$(AUTOSTART_DIR) $(DESTDIR)$(SYSTEMD_USER_DIR)
install -m 0644 $(B)/man/jailsup.1 $(DESTDIR)$(MANDIR)/man1/jailsup.1
install -m 0644 $(B)/man/jailsup-profile.5 $(DESTDIR)$(MANDIR)/man5/jailsup-profile.5
install -m 0644 scripts/jailsup.bash-completion $(DESTDIR)$(BASH_COMPLETION_DIR)/jailsup
install -m 0644 scripts/jailsup.desktop $(DESTDIR)$(AUTOSTART_DIR)/jailsup.desktop
sed 's|@bindir@|$(PREFIX)/bin|g' scripts/jailsup.service >$(DESTDIR)$(SYSTEMD_USER_DIR)/jailsup.service
chmod 0644 $(DESTDIR)$(SYSTEMD_USER_DIR)/jailsup.service
DESTDIR='$(DESTDIR)' scripts/install-apparmor.sh scripts/apparmor-jailer $(PREFIX)/libexec/jailsup/jailer $(APPARMOR_DIR) $(APPARMOR_ABI)
endef
INSTALL_EXTRA += $(INSTALL_SCRIPTS)

# openvpn's script of a VPN jail: the supervisor finds it beside its jailer.
BINS         += $(B)/libexec/jailsup/vpn-script
LIBEXEC_BINS += $(B)/libexec/jailsup/vpn-script

$(B)/libexec/jailsup/vpn-script: scripts/vpn-script
	@mkdir -p $(@D)
	install -m 0755 $< $@
