/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the control socket's framing (supervisor/control.c):
 * the supervisor decodes whatever a process of the user sends, the CLI
 * whatever comes back. The same bytes are used twice:
 *
 *  - as a datagram: it decodes into fields that lie inside it, each a
 *    "key=value" with a key, that re-encode to the very same bytes; or it
 *    is refused, with -EPROTO or -EBADMSG;
 *  - as a message to send: the first byte picks the type, the rest splits
 *    at NULs into fields; the encoder takes exactly what the decoder will
 *    take (same type check, same field check, same limits), and
 *    decode(encode(x)) gives x back, field for field.
 */
/* The checks below are the point of the target: keep them in any build. */
#undef NDEBUG
#include <assert.h>

/* Its file compiled in, for the private header struct: the fuzz rule
 * leaves it out of the libraries' sources (tests/module.mk). */
#include "state/control.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
as_datagram(const uint8_t *data, size_t size)
{
	struct control_msg m = {};
	void *copy, *again = NULL;
	size_t len, n;
	int r;

	/* An exact-size heap copy, so ASan sees any read past the datagram. */
	copy = malloc(size == 0 ? 1 : size);
	if (copy == NULL)
		return;
	memcpy(copy, data, size);
	r = control_decode(copy, size, &m);
	if (r < 0) {
		assert(r == -EPROTO || r == -EBADMSG || r == -ENOMEM);
		assert(m.fields == NULL);
		free(copy);
		return;
	}
	n = strv_length(m.fields);
	for (size_t i = 0; i < n; i++) {
		const char *f = m.fields[i];

		assert(f >= (const char *) copy && f + strlen(f) < (const char *) copy + size);
		assert(f[0] != '=' && strchr(f, '=') != NULL);
	}
	assert(control_encode(m.type, m.fields, &again, &len) == 0);
	assert(len == size && memcmp(again, copy, size) == 0);
	/* control_get() finds the first field of a key, never a later one. */
	if (n > 0) {
		_cleanup_free_ char *key = strndup(m.fields[0], strcspn(m.fields[0], "="));

		assert(key != NULL);
		assert(control_get(&m, key) == m.fields[0] + strlen(key) + 1);
	}
	free(again);
	control_msg_done(&m);
	free(copy);
}

static void
as_message(const uint8_t *data, size_t size)
{
	_cleanup_strv_ char **fields = NULL;
	struct control_msg m = {};
	enum control_type type;
	bool fields_valid = true, type_ok, too_big;
	void *buf = NULL;
	size_t len, n = 0, cap = 2, total = sizeof(struct control_header);
	int r;

	if (size == 0)
		return;
	/* Mostly the real types, sometimes any. */
	type = data[0] < 0x60	? CONTROL_START
	       : data[0] < 0xb0 ? CONTROL_REPLY
	       : data[0] < 0xf0 ? CONTROL_PROGRESS
				: data[0] & 0x0f;
	type_ok = type == CONTROL_START || type == CONTROL_REPLY || type == CONTROL_PROGRESS;
	for (size_t i = 1; i < size; i++)
		cap += data[i] == '\0';
	fields = calloc(cap, sizeof(char *));
	if (fields == NULL)
		return;
	for (const uint8_t *p = data + 1, *end = data + size; p < end;) {
		const uint8_t *nul = memchr(p, '\0', (size_t) (end - p));
		size_t l = nul != NULL ? (size_t) (nul - p) : (size_t) (end - p);

		fields[n] = strndup((const char *) p, l);
		if (fields[n] == NULL)
			return;
		fields_valid = fields_valid && l > 0 && p[0] != '=' && memchr(p, '=', l) != NULL;
		total += l + 1;
		n++;
		p += l + 1;
	}
	too_big = n > CONTROL_FIELDS_MAX || total > CONTROL_MSG_MAX;
	r = control_encode(type, fields, &buf, &len);
	if (!type_ok || !fields_valid) {
		/* Which of two faults is named first is the encoder's choice. */
		assert(r == -EINVAL || (too_big && r == -E2BIG));
		return;
	}
	if (too_big) {
		assert(r == -E2BIG);
		return;
	}
	assert(r == 0 && len == total);
	assert(control_decode(buf, len, &m) == 0);
	assert(m.type == type && strv_length(m.fields) == n);
	for (size_t i = 0; i < n; i++)
		assert(streq(m.fields[i], fields[i]));
	control_msg_done(&m);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_datagram(data, size);
	as_message(data, size);
	return 0;
}
