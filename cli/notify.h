/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A desktop notification, the way notify-send shows one: a call of
 * org.freedesktop.Notifications.Notify on the session bus. Hand-written
 * (an AUTH EXTERNAL handshake and two messages): the CLI links statically
 * and is started for every app, so it links no D-Bus library, and only a
 * start that failed without a terminal ever comes here.
 */
#ifndef JAILSUP_CLI_NOTIFY_H
#define JAILSUP_CLI_NOTIFY_H

/* Shows SUMMARY with BODY (plain text) through the notification service of
 * the session bus ($DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus,
 * unix: addresses only). Waits at most about a second for the service's
 * answer. Returns 0, -ENOENT no session bus, -EHOSTUNREACH the bus answered
 * with an error (no notification service), -ETIMEDOUT, -EPROTO, -errno. */
int desktop_notify(const char *summary, const char *body);

#endif
