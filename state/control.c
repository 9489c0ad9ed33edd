/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * control.h: framing of control-socket messages. Layout: u32 magic,
 * u16 version, u16 type, u32 length (whole message), u32 field count, then
 * exactly that many NUL-terminated fields filling the rest.
 */
#include "state/control.h"

struct control_header {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t length;
	uint32_t n_fields;
};

/* What control_decode() takes as a field: "key=value" with a key. */
static bool
field_valid(const char *f)
{
	return f[0] != '=' && strchr(f, '=') != NULL;
}

static bool
type_valid(uint32_t type)
{
	return type == CONTROL_START || type == CONTROL_REPLY || type == CONTROL_PROGRESS;
}

int
control_encode(enum control_type type, char *const *fields, void **ret, size_t *ret_len)
{
	size_t n = strv_length(fields), len = sizeof(struct control_header);
	struct control_header h;
	char *buf, *p;

	/* Only what the decoder reads back: a message we send is never one
	 * the other side refuses. */
	if (!type_valid((uint32_t) type))
		return -EINVAL;
	if (n > CONTROL_FIELDS_MAX)
		return -E2BIG;
	for (size_t i = 0; i < n; i++) {
		if (!field_valid(fields[i]))
			return -EINVAL;
		len += strlen(fields[i]) + 1;
	}
	if (len > CONTROL_MSG_MAX)
		return -E2BIG;
	buf = malloc(len);
	if (buf == NULL)
		return -ENOMEM;
	h = (struct control_header){ CONTROL_MAGIC, CONTROL_VERSION, (uint16_t) type,
				     (uint32_t) len, (uint32_t) n };
	memcpy(buf, &h, sizeof(h));
	p = buf + sizeof(h);
	for (size_t i = 0; i < n; i++)
		p = stpcpy(p, fields[i]) + 1;
	*ret = buf;
	*ret_len = len;
	return 0;
}

int
control_decode(const void *buf, size_t len, struct control_msg *ret)
{
	const char *p, *end = (const char *) buf + len;
	_cleanup_free_ char **fields = NULL;
	struct control_header h;

	if (len < sizeof(h) || len > CONTROL_MSG_MAX)
		return -EBADMSG;
	memcpy(&h, buf, sizeof(h));
	p = (const char *) buf + sizeof(h);
	if (h.magic != CONTROL_MAGIC || h.version != CONTROL_VERSION)
		return -EPROTO;
	if (h.length != len || h.n_fields > CONTROL_FIELDS_MAX || !type_valid(h.type))
		return -EBADMSG;
	fields = calloc(h.n_fields + 1, sizeof(char *));
	if (fields == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < h.n_fields; i++) {
		const char *nul;

		if (p >= end)
			return -EBADMSG;
		nul = memchr(p, '\0', (size_t) (end - p));
		if (nul == NULL || !field_valid(p))
			return -EBADMSG;
		fields[i] = (char *) p;
		p = nul + 1;
	}
	if (p != end)
		return -EBADMSG;
	ret->type = (enum control_type) h.type;
	ret->fields = TAKE_PTR(fields);
	return 0;
}

void
control_msg_done(struct control_msg *m)
{
	free(m->fields);
	m->fields = NULL;
}

const char *
control_get(const struct control_msg *m, const char *key)
{
	size_t len = strlen(key);

	for (char **f = m->fields; f != NULL && *f != NULL; f++)
		if (strncmp(*f, key, len) == 0 && (*f)[len] == '=')
			return *f + len + 1;
	return NULL;
}
