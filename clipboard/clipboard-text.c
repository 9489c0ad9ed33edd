/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clipboard/clipboard-text.h"

#include <errno.h>

bool
clipboard_text_valid(const uint8_t *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t b = buf[i];
		uint32_t cp;
		size_t n;

		if (b == 0)
			return false;
		if (b < 0x80) {
			i++;
			continue;
		}
		/* C0, C1 (always overlong) and F5..FF never start a sequence. */
		if (b >= 0xc2 && b <= 0xdf)
			n = 1, cp = b & 0x1f;
		else if (b >= 0xe0 && b <= 0xef)
			n = 2, cp = b & 0x0f;
		else if (b >= 0xf0 && b <= 0xf4)
			n = 3, cp = b & 0x07;
		else
			return false;
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((buf[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (buf[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* The counted field at *POS, which moves past it; NULL when it is cut. */
static const uint8_t *
field(const uint8_t *buf, size_t len, size_t *pos, uint16_t *ret_len)
{
	const uint8_t *f;
	uint16_t n;

	if (len < 2 || *pos > len - 2)
		return NULL;
	n = (uint16_t) (buf[*pos] << 8 | buf[*pos + 1]);
	if (n > len - 2 - *pos)
		return NULL;
	f = buf + *pos + 2;
	*pos += 2 + (size_t) n;
	*ret_len = n;
	return f;
}

int
clipboard_xauth_first(const uint8_t *buf, size_t len, struct clipboard_cookie *ret)
{
	const uint8_t *name, *data;
	uint16_t name_len, data_len, skip;
	size_t pos = 2; /* past the family */

	if (len < 2)
		return -EBADMSG;
	if (field(buf, len, &pos, &skip) == NULL || field(buf, len, &pos, &skip) == NULL)
		return -EBADMSG;
	name = field(buf, len, &pos, &name_len);
	data = name != NULL ? field(buf, len, &pos, &data_len) : NULL;
	if (data == NULL)
		return -EBADMSG;
	*ret = (struct clipboard_cookie){
	    .name = name, .name_len = name_len, .data = data, .data_len = data_len};
	return 0;
}
