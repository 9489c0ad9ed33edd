/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libexec/jailsup/clipboard: the clipboard bridge between the user's
 * display and a jail's own X server (docs/jail.md "The clipboard bridge").
 *
 *   clipboard JAIL MODE HOST-DISPLAY HOST-AUTH JAIL-DISPLAY JAIL-AUTH
 *
 * A client of both displays (xcb). It follows the owner of the CLIPBOARD
 * selection on the source side (XFixes SelectionNotify) and, when someone
 * there takes it, takes the CLIPBOARD on the other side; a paste there is
 * a SelectionRequest to us, which we answer by converting from the source
 * (UTF8_STRING only), once per owner: the answer is kept until the owner
 * changes. MODE to-jail: the host is the only
 * source, the jail's selections are never read. both: each way.
 *
 * What the jail's X server sends us is the jail's to write: a selection
 * owner in the jail chooses the reply's type, format and size, and any
 * jail client can send us a forged SelectionRequest or SelectionNotify. So
 * the supervisor runs us confined (supervisor/xserver.c), and here the
 * targets are an allowlist (TARGETS, UTF8_STRING, TEXT), the reply must be
 * 8-bit UTF8_STRING, valid UTF-8, at most CLIP_MAX bytes (we never ask the
 * server for more), and INCR, the protocol of large transfers, is
 * refused. A source that does not answer within CONVERT_TIMEOUT_MS gives
 * the requestor a refusal. PRIMARY (whatever is merely highlighted) is not
 * bridged: only what the user copies on purpose.
 *
 * We exit when either display goes (the jail's Xephyr dies with the jail);
 * the tether that forked us kills us when the jailer is gone.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xcb/xcb.h>
#include <xcb/xfixes.h>

#include "clipboard/clipboard-text.h"
#include "state/log.h"
#include "state/util.h"

/* The largest text the bridge carries; larger selections are refused
 * (their owner would use INCR for most of them anyway). */
#define CLIP_MAX           (1024 * 1024)
#define CONVERT_TIMEOUT_MS 2000

enum atom {
	ATOM_CLIPBOARD,
	ATOM_UTF8_STRING,
	ATOM_TARGETS,
	ATOM_TEXT,
	ATOM_INCR,
	ATOM_PROPERTY, /* where a source puts what we asked for */
	_ATOM_MAX,
};

static const char *const atom_names[_ATOM_MAX] = {
    [ATOM_CLIPBOARD] = "CLIPBOARD", [ATOM_UTF8_STRING] = "UTF8_STRING",
    [ATOM_TARGETS] = "TARGETS",     [ATOM_TEXT] = "TEXT",
    [ATOM_INCR] = "INCR",           [ATOM_PROPERTY] = "_JAILSUP_CLIPBOARD",
};

struct display {
	const char *what; /* "the host's display", "the jail's display" */
	xcb_connection_t *c;
	xcb_window_t win;     /* ours, unmapped: owner and requestor */
	uint8_t xfixes_event; /* XFixes' first event code */
	bool source;          /* its owner is followed, its CLIPBOARD read */
	bool owned;           /* we own its CLIPBOARD for the other side */
	bool refused_logged;  /* one line per owner, not one per request */
	/* As a source: what its present owner gave (or why not), so that a
	 * flood of pastes, forged or not, costs its owner one conversion. */
	uint64_t epoch; /* counts the owner changes */
	bool cached;
	uint64_t cache_epoch;
	int cache_r;
	uint8_t *cache;
	size_t cache_len;
	xcb_atom_t atoms[_ATOM_MAX];
	struct display *other;
};

/* The first entry of the Xauthority file PATH, the nested server's one
 * cookie (the supervisor wrote it for display 0, which is the jail's
 * number, not ours), as xcb wants it; its buffers point into BUF. */
static int
read_cookie(const char *path, uint8_t *buf, size_t size, xcb_auth_info_t *ret)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct clipboard_cookie cookie;
	int r;

	if (f == NULL)
		return -errno;
	r = clipboard_xauth_first(buf, fread(buf, 1, size, f), &cookie);
	if (r < 0)
		return r;
	*ret = (xcb_auth_info_t){.namelen = cookie.name_len,
	                         .name = (char *) cookie.name,
	                         .datalen = cookie.data_len,
	                         .data = (char *) cookie.data};
	return 0;
}

static int
connect_display(struct display *d, const char *display, const char *auth, bool own_cookie)
{
	const xcb_query_extension_reply_t *ext;
	xcb_intern_atom_cookie_t cookies[_ATOM_MAX];
	xcb_screen_t *screen;
	xcb_auth_info_t info;
	uint8_t buf[512];
	int r;

	if (own_cookie) {
		r = read_cookie(auth, buf, sizeof(buf), &info);
		if (r < 0)
			return log_error_errno(r, "unable to read the cookie of %s in '%s'",
			                       d->what, auth);
		d->c = xcb_connect_to_display_with_auth_info(display, &info, NULL);
		explicit_bzero(buf, sizeof(buf));
	} else {
		/* libxcb finds the entry of the display in $XAUTHORITY. */
		if (setenv("XAUTHORITY", auth, 1) < 0)
			return -errno;
		d->c = xcb_connect(display, NULL);
		(void) unsetenv("XAUTHORITY");
	}
	r = xcb_connection_has_error(d->c);
	if (r != 0)
		return log_error_errno(-ECONNREFUSED, "unable to connect to %s '%s' (xcb error %d)",
		                       d->what, display, r);
	for (int i = 0; i < _ATOM_MAX; i++)
		cookies[i] =
		    xcb_intern_atom(d->c, false, (uint16_t) strlen(atom_names[i]), atom_names[i]);
	for (int i = 0; i < _ATOM_MAX; i++) {
		xcb_intern_atom_reply_t *rep = xcb_intern_atom_reply(d->c, cookies[i], NULL);

		if (rep == NULL)
			return log_error_errno(-EIO, "unable to intern atoms on %s", d->what);
		d->atoms[i] = rep->atom;
		free(rep);
	}
	screen = xcb_setup_roots_iterator(xcb_get_setup(d->c)).data;
	if (screen == NULL)
		return log_error_errno(-EIO, "%s has no screen", d->what);
	d->win = xcb_generate_id(d->c);
	xcb_create_window(d->c, XCB_COPY_FROM_PARENT, d->win, screen->root, 0, 0, 1, 1, 0,
	                  XCB_WINDOW_CLASS_INPUT_ONLY, XCB_COPY_FROM_PARENT, 0, NULL);
	if (!d->source)
		return 0;
	ext = xcb_get_extension_data(d->c, &xcb_xfixes_id);
	if (ext == NULL || !ext->present)
		return log_error_errno(-EOPNOTSUPP, "%s has no XFixes extension", d->what);
	d->xfixes_event = ext->first_event;
	free(xcb_xfixes_query_version_reply(d->c, xcb_xfixes_query_version(d->c, 5, 0), NULL));
	xcb_xfixes_select_selection_input(
	    d->c, d->win, d->atoms[ATOM_CLIPBOARD],
	    XCB_XFIXES_SELECTION_EVENT_MASK_SET_SELECTION_OWNER |
	        XCB_XFIXES_SELECTION_EVENT_MASK_SELECTION_WINDOW_DESTROY |
	        XCB_XFIXES_SELECTION_EVENT_MASK_SELECTION_CLIENT_CLOSE);
	return 0;
}

/* Drops SRC's cached text, which may be a password. */
static void
forget(struct display *src)
{
	if (src->cache != NULL)
		explicit_bzero(src->cache, src->cache_len);
	src->cache = mfree(src->cache);
	src->cache_len = 0;
	src->cached = false;
}

/* The source SRC's CLIPBOARD has a new OWNER: the other side's becomes
 * ours (a paste there comes to us), or, with no owner, is let go. */
static void
owner_changed(struct display *src, xcb_window_t owner)
{
	struct display *dst = src->other;

	if (owner == src->win)
		return; /* ours: we serve the other direction there */
	src->refused_logged = false;
	src->epoch++;
	forget(src);
	if (owner == XCB_NONE) {
		if (dst->owned)
			xcb_set_selection_owner(dst->c, XCB_NONE, dst->atoms[ATOM_CLIPBOARD],
			                        XCB_CURRENT_TIME);
		dst->owned = false;
	} else {
		xcb_set_selection_owner(dst->c, dst->win, dst->atoms[ATOM_CLIPBOARD],
		                        XCB_CURRENT_TIME);
		dst->owned = true;
	}
	xcb_flush(dst->c);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void refuse_request(struct display *d, const xcb_selection_request_event_t *req);
static void handle_event(struct display *d, xcb_generic_event_t *ev);

/* Asks SRC's CLIPBOARD owner for its text and reads it: 0 and *RET (to
 * free) of *RET_LEN bytes, or -ETIMEDOUT (no answer), -ENODATA (the owner
 * refused), -EMSGSIZE (INCR), -EFBIG (over CLIP_MAX), -EBADMSG (not 8-bit
 * UTF8_STRING), -EILSEQ (not UTF-8 text), -ECONNRESET (the display went). */
static int
convert(struct display *src, uint8_t **ret, size_t *ret_len)
{
	xcb_atom_t prop = src->atoms[ATOM_PROPERTY], utf8 = src->atoms[ATOM_UTF8_STRING];
	xcb_atom_t got = XCB_NONE;
	int64_t deadline = now_ms() + CONVERT_TIMEOUT_MS;
	xcb_get_property_reply_t *rep;
	uint8_t *buf;
	size_t len;

	xcb_delete_property(src->c, src->win, prop);
	xcb_convert_selection(src->c, src->win, src->atoms[ATOM_CLIPBOARD], utf8, prop,
	                      XCB_CURRENT_TIME);
	xcb_flush(src->c);
	for (;;) {
		xcb_generic_event_t *ev = xcb_poll_for_event(src->c);

		if (ev == NULL) {
			struct pollfd p = {.fd = xcb_get_file_descriptor(src->c), .events = POLLIN};
			int64_t left = deadline - now_ms();

			if (xcb_connection_has_error(src->c))
				return -ECONNRESET;
			if (left <= 0)
				return -ETIMEDOUT;
			(void) poll(&p, 1, (int) left);
			continue;
		}
		if ((ev->response_type & 0x7f) == XCB_SELECTION_NOTIFY) {
			xcb_selection_notify_event_t *n = (xcb_selection_notify_event_t *) ev;

			if (n->requestor == src->win &&
			    n->selection == src->atoms[ATOM_CLIPBOARD] && n->target == utf8) {
				got = n->property;
				free(ev);
				break;
			}
		} else if ((ev->response_type & 0x7f) == XCB_SELECTION_REQUEST) {
			/* We are busy with this side: a request here waits for no one. */
			refuse_request(src, (xcb_selection_request_event_t *) ev);
		} else {
			handle_event(src, ev); /* never waits: no recursion */
		}
		free(ev);
	}
	if (got == XCB_NONE)
		return -ENODATA;
	/* Never more than CLIP_MAX bytes from the server, whatever the
	 * property holds: bytes_after says there was more. */
	rep = xcb_get_property_reply(src->c,
	                             xcb_get_property(src->c, false, src->win, prop,
	                                              XCB_GET_PROPERTY_TYPE_ANY, 0, CLIP_MAX / 4),
	                             NULL);
	if (rep == NULL)
		return -ECONNRESET;
	if (rep->type == src->atoms[ATOM_INCR]) {
		/* Left as it is: the owner sends its chunks only once we delete
		 * it, and the next conversion starts from a deleted property. */
		free(rep);
		return -EMSGSIZE;
	}
	xcb_delete_property(src->c, src->win, prop);
	xcb_flush(src->c);
	if (rep->bytes_after > 0) {
		free(rep);
		return -EFBIG;
	}
	if (rep->type != utf8 || rep->format != 8) {
		free(rep);
		return -EBADMSG;
	}
	len = (size_t) xcb_get_property_value_length(rep);
	if (!clipboard_text_valid(xcb_get_property_value(rep), len)) {
		free(rep);
		return -EILSEQ;
	}
	buf = malloc(len + 1);
	if (buf == NULL) {
		free(rep);
		return -ENOMEM;
	}
	memcpy(buf, xcb_get_property_value(rep), len);
	free(rep);
	*ret = buf;
	*ret_len = len;
	return 0;
}

static void
notify(struct display *d, const xcb_selection_request_event_t *req, xcb_atom_t property)
{
	xcb_selection_notify_event_t n = {
	    .response_type = XCB_SELECTION_NOTIFY,
	    .time = req->time,
	    .requestor = req->requestor,
	    .selection = req->selection,
	    .target = req->target,
	    .property = property,
	};

	xcb_send_event(d->c, false, req->requestor, XCB_EVENT_MASK_NO_EVENT, (const char *) &n);
	xcb_flush(d->c);
}

static void
refuse_request(struct display *d, const xcb_selection_request_event_t *req)
{
	notify(d, req, XCB_NONE);
}

static const char *
why_refused(int r)
{
	switch (r) {
	case -ETIMEDOUT:
		return "its owner did not answer in time";
	case -ENODATA:
		return "its owner has no text";
	case -EMSGSIZE:
		return "its owner sends it in parts (INCR): too large";
	case -EFBIG:
		return "larger than 1 MiB";
	case -EBADMSG:
		return "not UTF8_STRING text";
	case -EILSEQ:
		return "not valid UTF-8 text";
	default:
		return strerror(-r);
	}
}

/* A paste on D, whose CLIPBOARD we own for the other side. */
static void
serve_request(struct display *d, const xcb_selection_request_event_t *req)
{
	struct display *src = d->other;
	xcb_atom_t prop = req->property != XCB_NONE ? req->property : req->target;
	uint64_t epoch = src->epoch;
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	/* A forged request (any client can send one) is answered as a real
	 * one would be: it gets only what a paste would get. */
	if (!d->owned || req->owner != d->win || req->selection != d->atoms[ATOM_CLIPBOARD] ||
	    req->requestor == XCB_NONE) {
		refuse_request(d, req);
		return;
	}
	if (req->target == d->atoms[ATOM_TARGETS]) {
		xcb_atom_t targets[] = {d->atoms[ATOM_TARGETS], d->atoms[ATOM_UTF8_STRING],
		                        d->atoms[ATOM_TEXT]};

		xcb_change_property(d->c, XCB_PROP_MODE_REPLACE, req->requestor, prop,
		                    XCB_ATOM_ATOM, 32, ELEMENTSOF(targets), targets);
		notify(d, req, prop);
		return;
	}
	/* Text only: images, files, MULTIPLE and every other target are refused. */
	if (req->target != d->atoms[ATOM_UTF8_STRING] && req->target != d->atoms[ATOM_TEXT]) {
		refuse_request(d, req);
		return;
	}
	if (src->cached && src->cache_epoch == epoch) {
		r = src->cache_r;
	} else {
		r = convert(src, &buf, &len);
		/* We write it in one request, never in parts. */
		if (r >= 0 && len + 64 > (size_t) xcb_get_maximum_request_length(d->c) * 4) {
			explicit_bzero(buf, len);
			buf = mfree(buf);
			r = -EFBIG;
		}
		/* Kept unless the owner changed meanwhile (convert() handles
		 * the source's events) or may answer next time. */
		if (src->epoch == epoch && r != -ETIMEDOUT && r != -ECONNRESET) {
			forget(src);
			src->cached = true;
			src->cache_epoch = epoch;
			src->cache_r = r;
			src->cache = TAKE_PTR(buf);
			src->cache_len = len;
		}
	}
	if (r >= 0 && src->cached && src->cache_epoch == epoch) {
		buf = src->cache;
		len = src->cache_len;
	}
	if (r < 0) {
		if (!src->refused_logged)
			log_warn("the clipboard of %s is not passed on: %s", src->what,
			         why_refused(r));
		src->refused_logged = true;
		refuse_request(d, req);
		return;
	}
	xcb_change_property(d->c, XCB_PROP_MODE_REPLACE, req->requestor, prop,
	                    d->atoms[ATOM_UTF8_STRING], 8, (uint32_t) len, buf);
	notify(d, req, prop);
	if (buf != src->cache) {
		explicit_bzero(buf, len);
		free(buf);
	}
}

static void
handle_event(struct display *d, xcb_generic_event_t *ev)
{
	uint8_t type = ev->response_type & 0x7f;

	if (d->source && type == (uint8_t) (d->xfixes_event + XCB_XFIXES_SELECTION_NOTIFY)) {
		xcb_xfixes_selection_notify_event_t *n = (xcb_xfixes_selection_notify_event_t *) ev;

		/* From the server only (XFixes events cannot be forged by
		 * SendEvent, which sets the top bit), and only CLIPBOARD. */
		if (!(ev->response_type & 0x80) && n->selection == d->atoms[ATOM_CLIPBOARD])
			owner_changed(d,
			              n->subtype == XCB_XFIXES_SELECTION_EVENT_SET_SELECTION_OWNER
			                  ? n->owner
			                  : XCB_NONE);
		return;
	}
	switch (type) {
	case XCB_SELECTION_REQUEST:
		serve_request(d, (xcb_selection_request_event_t *) ev);
		break;
	case XCB_SELECTION_CLEAR:
		if (!(ev->response_type & 0x80))
			d->owned = false;
		break;
	default:
		break; /* errors of requests we did not wait for, stray notifies */
	}
}

/* Drains what D has queued; false once its connection is gone. */
static bool
drain(struct display *d)
{
	xcb_generic_event_t *ev;

	while ((ev = xcb_poll_for_event(d->c)) != NULL) {
		handle_event(d, ev);
		free(ev);
	}
	return xcb_connection_has_error(d->c) == 0;
}

#if defined(__SANITIZE_ADDRESS__)
/* We end by the tether's SIGKILL or a broken display, and LeakSanitizer
 * would stop the world with ptrace, which our seccomp filter denies. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

int
main(int argc, char *argv[])
{
	struct display host = {.what = "the host's display"}, jail = {.what = "the jail's display"};
	xcb_get_selection_owner_reply_t *rep;
	struct display *both[] = {&host, &jail};
	bool to_host;

	log_setup("clipboard");
	if (argc != 7)
		die(EXIT_PERMANENT,
		    "usage: clipboard JAIL MODE HOST-DISPLAY HOST-AUTH JAIL-DISPLAY JAIL-AUTH");
	log_set_jail(argv[1]);
	if (!streq(argv[2], "to-jail") && !streq(argv[2], "both"))
		die(EXIT_PERMANENT, "unknown mode '%s' (expected to-jail or both)", argv[2]);
	to_host = streq(argv[2], "both");
	host.other = &jail;
	jail.other = &host;
	host.source = true;
	jail.source = to_host;
	if (connect_display(&host, argv[3], argv[4], false) < 0 ||
	    connect_display(&jail, argv[5], argv[6], true) < 0)
		return EXIT_TEMPORARY;
	/* What is already on a source's clipboard can be pasted at once. */
	for (size_t i = 0; i < ELEMENTSOF(both); i++) {
		struct display *d = both[i];

		if (!d->source)
			continue;
		rep = xcb_get_selection_owner_reply(
		    d->c, xcb_get_selection_owner(d->c, d->atoms[ATOM_CLIPBOARD]), NULL);
		if (rep != NULL && rep->owner != XCB_NONE)
			owner_changed(d, rep->owner);
		free(rep);
		xcb_flush(d->c);
	}
	log_debug("bridging the clipboard %s", to_host ? "both ways" : "to the jail only");
	for (;;) {
		struct pollfd p[2] = {{.fd = xcb_get_file_descriptor(host.c), .events = POLLIN},
		                      {.fd = xcb_get_file_descriptor(jail.c), .events = POLLIN}};

		if (!drain(&host) || !drain(&jail))
			break;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return EXIT_TEMPORARY;
	}
	log_debug("a display is gone, the bridge ends");
	return 0;
}
