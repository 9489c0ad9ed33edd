/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log-relay.h: the bounded, marked copy of a jail's pipe into its log.
 */
#include <assert.h>
#include <fcntl.h>

#include "state/log-relay.h"

/* One pump reads at most READS_PER_PUMP times READ_SIZE (1 MiB): a jail that
 * writes without pause cannot keep the caller from its other fds. */
#define READ_SIZE      65536
#define READS_PER_PUMP 16

/* Lines on their way to the log, written together. Room for one line at
 * least: the prefix (a program and a jail name), the escaped bytes, the
 * mark of a cut line and its newline. */
#define PREFIX_MAX 256
struct out {
	size_t len;
	char buf[PREFIX_MAX + TEXT_ESCAPE_MAX(LOG_RELAY_LINE_MAX) + sizeof(LOG_RELAY_CUT) + 4096];
};

void
log_relay_init(struct log_relay *r, int fd, int log_fd, const char *prefix, size_t max)
{
	assert(strlen(prefix) <= PREFIX_MAX);
	*r = (struct log_relay){.fd = fd, .log_fd = log_fd, .prefix = prefix, .left = max};
	if (fd >= 0)
		(void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void
flush(const struct log_relay *r, struct out *o)
{
	/* A log that cannot be written (its filesystem full) loses these
	 * lines; the jail goes on. */
	if (o->len > 0)
		(void) write_all(r->log_fd, o->buf, o->len);
	o->len = 0;
}

/* Adds the line held in R to O, marked as cut when CUT, and empties it.
 * A line that does not fit into what is left fills the relay instead. */
static void
emit(struct log_relay *r, struct out *o, bool cut)
{
	size_t plen = strlen(r->prefix), n;
	char *p;

	if (sizeof(o->buf) - o->len < plen + TEXT_ESCAPE_MAX(r->len) + sizeof(LOG_RELAY_CUT) + 1)
		flush(r, o);
	p = o->buf + o->len;
	memcpy(p, r->prefix, plen);
	n = plen + text_escape_to(p + plen, r->line, r->len, false);
	if (cut) {
		memcpy(p + n, LOG_RELAY_CUT, strlen(LOG_RELAY_CUT));
		n += strlen(LOG_RELAY_CUT);
	}
	p[n++] = '\n';
	r->len = 0;
	if (n > r->left) {
		r->full = true;
		return;
	}
	r->left -= n;
	o->len += n;
}

/* Splits N bytes read from the pipe into lines. */
static void
take(struct log_relay *r, struct out *o, const char *p, size_t n)
{
	const char *end = p + n;

	while (p < end && !r->full) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t seg = (size_t) ((nl != NULL ? nl : end) - p);

		if (!r->cutting) {
			size_t room = sizeof(r->line) - r->len;

			memcpy(r->line + r->len, p, seg < room ? seg : room);
			r->len += seg < room ? seg : room;
			if (seg > room) {
				emit(r, o, true);
				r->cutting = true;
			}
		}
		if (nl == NULL)
			return;
		if (!r->cutting)
			emit(r, o, false);
		r->cutting = false;
		p = nl + 1;
	}
}

/* The writers are gone: a last line without its newline still counts. */
static void
finish(struct log_relay *r, struct out *o)
{
	if (r->len > 0 && !r->cutting && !r->full)
		emit(r, o, false);
	r->fd = safe_close(r->fd);
}

int
log_relay_pump(struct log_relay *r)
{
	struct out o;
	char buf[READ_SIZE];
	bool was_full = r->full;
	int result = LOG_RELAY_MORE;

	if (r->fd < 0)
		return LOG_RELAY_EOF;
	o.len = 0; /* only what is used of its buffer is ever written */
	for (int i = 0; i < READS_PER_PUMP; i++) {
		ssize_t n = read(r->fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR) {
			i--;
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			result = LOG_RELAY_AGAIN;
			break;
		}
		if (n <= 0) {
			result = n < 0 ? -errno : LOG_RELAY_EOF;
			finish(r, &o);
			break;
		}
		if (!r->full)
			take(r, &o, buf, (size_t) n);
	}
	flush(r, &o);
	/* Said once, and before an EOF that came with it: the next pump
	 * of a closed relay says EOF. */
	if (r->full && !was_full)
		return LOG_RELAY_FULL;
	return result;
}

void
log_relay_done(struct log_relay *r)
{
	struct out o;

	if (r->fd < 0)
		return;
	o.len = 0;
	finish(r, &o);
	flush(r, &o);
}
