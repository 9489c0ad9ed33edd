/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * notify.h: org.freedesktop.Notifications.Notify by hand. The D-Bus wire
 * format (little-endian here, as we write it): a 12-byte fixed header, an
 * array of (code, variant) header fields, padding to 8, the body; every
 * value aligned to its size from the start of the message. We send Hello
 * (a bus requires it first) and Notify, then read until the answer to
 * Notify comes; replies are only looked through for their REPLY_SERIAL,
 * nothing else of them is used.
 */
#include "cli/notify.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <fcntl.h>
#include <poll.h>
#include <time.h>

#include "ini-profiles/dbus-proxy.h"
#include "state/log.h"
#include "state/util.h"

#define NOTIFY_TIMEOUT_MS 1000
#define MSG_MAX           8192
#define NOTIFY_TEXT_MAX   700 /* bytes of the summary, and of the body: escaped (5 times each at
                                * most), both and the header fit MSG_MAX */

enum {
	MSG_METHOD_CALL = 1,
	MSG_METHOD_RETURN = 2,
	MSG_ERROR = 3,
	FIELD_PATH = 1,
	FIELD_INTERFACE = 2,
	FIELD_MEMBER = 3,
	FIELD_REPLY_SERIAL = 5,
	FIELD_DESTINATION = 6,
	FIELD_SIGNATURE = 8,
	SERIAL_HELLO = 1,
	SERIAL_NOTIFY = 2,
};

struct buf {
	uint8_t data[MSG_MAX];
	size_t len;
	bool overflow;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->overflow || n > sizeof(b->data) - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void
align(struct buf *b, size_t a)
{
	static const uint8_t zero[8];

	put(b, zero, (a - b->len % a) % a);
}

static void
put_u8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) v;
	p[1] = (uint8_t) (v >> 8);
	p[2] = (uint8_t) (v >> 16);
	p[3] = (uint8_t) (v >> 24);
}

static void
put_u32(struct buf *b, uint32_t v)
{
	uint8_t le[4];

	le32(le, v);
	align(b, 4);
	put(b, le, 4);
}

/* A STRING or OBJECT_PATH: length, bytes, NUL. */
static void
put_str(struct buf *b, const char *s)
{
	put_u32(b, (uint32_t) strlen(s));
	put(b, s, strlen(s) + 1);
}

/* A SIGNATURE: a byte of length, bytes, NUL. */
static void
put_sig(struct buf *b, const char *s)
{
	put_u8(b, (uint8_t) strlen(s));
	put(b, s, strlen(s) + 1);
}

static void
put_field(struct buf *b, uint8_t code, char type, const char *value)
{
	char sig[2] = {type, '\0'};

	align(b, 8);
	put_u8(b, code);
	put_sig(b, sig);
	if (type == 'g')
		put_sig(b, value);
	else
		put_str(b, value);
}

/* A method call; the body (SIG, may be NULL) is appended by the caller,
 * then end_message() sets its length. */
static void
begin_call(struct buf *b, uint32_t serial, const char *dest, const char *path, const char *iface,
           const char *member, const char *sig)
{
	size_t fields_at;

	b->len = 0;
	b->overflow = false;
	put(b, "l", 1);
	put_u8(b, MSG_METHOD_CALL);
	put_u8(b, 0);  /* flags: a reply is wanted, activation allowed */
	put_u8(b, 1);  /* protocol version */
	put_u32(b, 0); /* body length, set by end_message() */
	put_u32(b, serial);
	put_u32(b, 0); /* the fields' length, set below */
	fields_at = b->len;
	put_field(b, FIELD_PATH, 'o', path);
	put_field(b, FIELD_INTERFACE, 's', iface);
	put_field(b, FIELD_MEMBER, 's', member);
	put_field(b, FIELD_DESTINATION, 's', dest);
	if (sig != NULL)
		put_field(b, FIELD_SIGNATURE, 'g', sig);
	if (!b->overflow)
		le32(b->data + 12, (uint32_t) (b->len - fields_at));
	align(b, 8);
}

static int
end_message(struct buf *b, size_t body_at)
{
	if (b->overflow)
		return -E2BIG;
	le32(b->data + 4, (uint32_t) (b->len - body_at));
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads exactly N bytes before DEADLINE (CLOCK_MONOTONIC, ms). */
static int
read_full(int fd, void *p, size_t n, int64_t deadline)
{
	uint8_t *at = p;

	while (n > 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = deadline - now_ms();
		ssize_t k;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int) left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		k = read(fd, at, n);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -ECONNRESET;
		at += k;
		n -= (size_t) k;
	}
	return 0;
}

/* The auth line of the bus: "OK <guid>\r\n" (at most 128 bytes). */
static int
read_auth_line(int fd, int64_t deadline)
{
	char line[128];
	size_t n = 0;
	int r;

	for (;;) {
		if (n == sizeof(line) - 1)
			return -EPROTO;
		r = read_full(fd, line + n, 1, deadline);
		if (r < 0)
			return r;
		if (line[n++] == '\n')
			break;
	}
	line[n] = '\0';
	return strstartswith(line, "OK ") ? 0 : -EACCES;
}

static uint32_t
get_u32(const uint8_t *p, bool big)
{
	return big ? (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3]
	           : (uint32_t) p[3] << 24 | (uint32_t) p[2] << 16 | (uint32_t) p[1] << 8 | p[0];
}

/* The REPLY_SERIAL of the header fields F (N bytes), or 0. Only the
 * types a bus puts in header fields are walked: s, o, g, u. */
static uint32_t
reply_serial(const uint8_t *f, size_t n, bool big)
{
	size_t i = 0;

	while (i < n) {
		uint8_t code, siglen;
		char type;

		i = (i + 7) & ~(size_t) 7;
		if (i + 4 > n)
			return 0;
		code = f[i];
		siglen = f[i + 1];
		if (siglen != 1)
			return 0;
		type = (char) f[i + 2];
		i += 4; /* code, length, type, NUL */
		switch (type) {
		case 'u':
			i = (i + 3) & ~(size_t) 3;
			if (i + 4 > n)
				return 0;
			if (code == FIELD_REPLY_SERIAL)
				return get_u32(f + i, big);
			i += 4;
			break;
		case 's':
		case 'o':
			i = (i + 3) & ~(size_t) 3;
			if (i + 4 > n)
				return 0;
			i += 4 + (size_t) get_u32(f + i, big) + 1;
			break;
		case 'g':
			if (i + 1 > n)
				return 0;
			i += 1 + (size_t) f[i] + 1;
			break;
		default:
			return 0;
		}
	}
	return 0;
}

/* Reads messages until the reply to SERIAL: 0 for a method return,
 * -EHOSTUNREACH for an error (the service is not there). */
static int
wait_reply(int fd, uint32_t serial, int64_t deadline)
{
	static uint8_t skip[65536];

	for (;;) {
		uint8_t h[16];
		uint32_t body, fields;
		size_t rest;
		bool big;
		int r;

		r = read_full(fd, h, sizeof(h), deadline);
		if (r < 0)
			return r;
		if ((h[0] != 'l' && h[0] != 'B') || h[3] != 1)
			return -EPROTO;
		big = h[0] == 'B';
		body = get_u32(h + 4, big);
		fields = get_u32(h + 12, big);
		rest = ((16 + (size_t) fields + 7) & ~(size_t) 7) - 16 + body;
		if (rest > sizeof(skip))
			return -EPROTO;
		r = read_full(fd, skip, rest, deadline);
		if (r < 0)
			return r;
		if ((h[1] == MSG_METHOD_RETURN || h[1] == MSG_ERROR) &&
		    reply_serial(skip, fields, big) == serial)
			return h[1] == MSG_ERROR ? -EHOSTUNREACH : 0;
	}
}

/* The first entry of the bus address ADDRS, a local socket only. */
static int
bus_sockaddr(const char *addrs, struct sockaddr_un *sa, socklen_t *ret_len)
{
	_cleanup_free_ char *path = NULL, *abstract = NULL;
	const char *name;
	size_t n;
	int r;

	r = dbus_bus_socket(addrs, &path, &abstract);
	if (r < 0)
		return r;
	name = path != NULL ? path : abstract;
	n = strlen(name);
	if (n + 1 > sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	/* An abstract name starts with a NUL and has none at its end. */
	memcpy(sa->sun_path + (path == NULL), name, n);
	*ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

/* The length of the well-formed UTF-8 sequence at S (shortest form, no
 * surrogate, at most U+10FFFF), or 0: the bus drops a sender of anything
 * else. */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned c = s[0], n, cp;

	if (c < 0x80)
		return 1;
	n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
	if (n == 0 || c > 0xf4)
		return 0;
	cp = c & (0x7f >> n);
	for (unsigned i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A direction override or isolate (U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069) of the N bytes at S: text that reorders what follows it,
 * so that a name could show as another. */
static bool
bidi_control(const unsigned char *s, size_t n)
{
	return n == 3 && s[0] == 0xe2 &&
	       ((s[1] == 0x80 && (s[2] == 0x8e || s[2] == 0x8f || (s[2] >= 0xaa && s[2] <= 0xae))) ||
	        (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9));
}

/* TEXT as a notification shows it: at most NOTIFY_TEXT_MAX bytes of it,
 * cut at a character, so that the message stays within MSG_MAX whatever
 * the escapes add; valid UTF-8 ('?' for any other byte and for the bidi
 * controls), and '&', '<', '>' as entities, since servers read the body
 * as markup (a path named "<b>" stays that text). NULL on OOM. */
static char *
plain_text(const char *text, bool markup)
{
	size_t len = strlen(text);
	char *out = malloc((len < NOTIFY_TEXT_MAX ? len : NOTIFY_TEXT_MAX) * 5 + 4), *o = out;

	if (out == NULL)
		return NULL;
	for (const unsigned char *s = (const unsigned char *) text; *s != '\0';) {
		size_t n = utf8_len(s);

		if ((const char *) s - text + (n > 0 ? n : 1) > NOTIFY_TEXT_MAX) {
			o = stpcpy(o, "\u2026");
			break;
		}
		if (markup && (*s == '&' || *s == '<' || *s == '>')) {
			const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : "&gt;";

			o = stpcpy(o, e);
			s++;
		} else if (bidi_control(s, n)) {
			*o++ = '?';
			s += n;
		} else if (n == 0 || (*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f) {
			*o++ = '?';
			s++;
		} else {
			memcpy(o, s, n);
			o += n;
			s += n;
		}
	}
	*o = '\0';
	return out;
}

int
desktop_notify(const char *summary_in, const char *body_in)
{
	_cleanup_free_ char *summary = plain_text(summary_in, false);
	_cleanup_free_ char *body = plain_text(body_in, true);
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *fallback = NULL;
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	struct sockaddr_un sa;
	socklen_t sa_len;
	int64_t deadline = now_ms() + NOTIFY_TIMEOUT_MS;
	char auth[64], uid[16];
	struct buf *b;
	size_t body_at;
	int r, n;

	if (summary == NULL || body == NULL)
		return -ENOMEM;
	if (addr == NULL || addr[0] == '\0') {
		const char *rt = getenv("XDG_RUNTIME_DIR");

		/* Where systemd's user manager puts the session bus. */
		if (rt == NULL || rt[0] != '/' || asprintf(&fallback, "unix:path=%s/bus", rt) < 0)
			return -ENOENT;
		addr = fallback;
	}
	r = bus_sockaddr(addr, &sa, &sa_len);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO,
	               &(struct timeval){.tv_sec = NOTIFY_TIMEOUT_MS / 1000 + 1},
	               sizeof(struct timeval)) < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *) &sa, sa_len) < 0)
		return -errno;

	/* AUTH EXTERNAL: our uid in decimal, hex-encoded. */
	snprintf(uid, sizeof(uid), "%u", (unsigned) getuid());
	n = snprintf(auth, sizeof(auth), "%cAUTH EXTERNAL ", '\0');
	for (const char *c = uid; *c != '\0'; c++)
		n += snprintf(auth + n, sizeof(auth) - (size_t) n, "%02x", (unsigned char) *c);
	n += snprintf(auth + n, sizeof(auth) - (size_t) n, "\r\n");
	r = write_all(fd, auth, (size_t) n);
	if (r < 0)
		return r;
	r = read_auth_line(fd, deadline);
	if (r < 0)
		return r;
	r = write_all(fd, "BEGIN\r\n", 7);
	if (r < 0)
		return r;

	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	begin_call(b, SERIAL_HELLO, "org.freedesktop.DBus", "/org/freedesktop/DBus",
	           "org.freedesktop.DBus", "Hello", NULL);
	r = end_message(b, b->len);
	if (r >= 0)
		r = write_all(fd, b->data, b->len);
	if (r < 0)
		return free(b), r;

	begin_call(b, SERIAL_NOTIFY, "org.freedesktop.Notifications",
	           "/org/freedesktop/Notifications", "org.freedesktop.Notifications", "Notify",
	           "susssasa{sv}i");
	body_at = b->len;
	put_str(b, "jailsup"); /* app_name */
	put_u32(b, 0);         /* replaces_id */
	put_str(b, "dialog-error");
	put_str(b, summary);
	put_str(b, body);
	put_u32(b, 0); /* actions: an empty array of strings */
	put_u32(b, 0); /* hints: an empty dict, its entries aligned to 8 */
	align(b, 8);
	put_u32(b, (uint32_t) -1); /* expire_timeout: the server's default */
	r = end_message(b, body_at);
	if (r >= 0)
		r = write_all(fd, b->data, b->len);
	free(b);
	if (r < 0)
		return r;
	return wait_reply(fd, SERIAL_NOTIFY, deadline);
}
