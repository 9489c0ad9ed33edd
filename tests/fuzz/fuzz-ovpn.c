/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the allowlist of a VPN jail's .ovpn (ini-profiles/
 * ovpn.c), whose output openvpn reads outside the jail. Whatever
 * ovpn_clean() accepts, its output must hold, read independently here:
 * one line for each line of the input (openvpn's line numbers stay the
 * file's); no line longer than openvpn reads whole, no NUL, CR or other
 * control byte; outside inline files only blank lines or lines whose first
 * word is an allowed directive; inline files opened and closed by lines of
 * exactly "<tag>" and "</tag>" of an allowed inline directive, and no line
 * of their data that openvpn could take for the end tag; every named file
 * absolute and written into the text; and cleaning the output again gives
 * it back unchanged. ovpn_remotes_parse() must survive the same bytes.
 */
/* The checks below are the point of the target: keep them in any build. */
#undef NDEBUG
#include <assert.h>

#include "ini-profiles/ovpn.h"
#include "state/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
count_lines(const char *s, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < size; i++)
		n += s[i] == '\n';
	return n + (size > 0 && s[size - 1] != '\n');
}

/* The output, read line by line without ovpn.c's reader. */
static void
check_output(const char *out)
{
	char tag[80] = "";

	for (const char *line = out; *line != '\0';) {
		const char *nl = strchr(line, '\n');
		size_t len, word;
		char first[80];

		assert(nl != NULL); /* every line ends with a newline */
		len = (size_t) (nl - line);
		assert(len <= OVPN_LINE_MAX);
		for (size_t i = 0; i < len; i++)
			assert((unsigned char) line[i] >= 0x20 || line[i] == '\t');
		if (tag[0] != '\0') {
			const char *p = line + strspn(line, " \t");
			char end[90];

			snprintf(end, sizeof(end), "</%s>", tag);
			if (len == strlen(end) && strncmp(line, end, len) == 0)
				tag[0] = '\0';
			else
				/* Data never ends the file early for openvpn. */
				assert(strncmp(p, end, strlen(end)) != 0);
		} else if (len > 0) {
			word = strcspn(line, " \n");
			assert(word > 0 && word < sizeof(first));
			memcpy(first, line, word);
			first[word] = '\0';
			if (first[0] == '<') {
				/* "<tag>" alone on its line */
				assert(word == len && first[word - 1] == '>' && first[1] != '/');
				first[word - 1] = '\0';
				assert(ovpn_directive_allowed(first + 1));
				snprintf(tag, sizeof(tag), "%s", first + 1);
			} else
				assert(ovpn_directive_allowed(first));
		}
		line = nl + 1;
	}
	assert(tag[0] == '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovpn_config c = {}, again = {};
	struct ovpn_error err = {};
	struct ovpn_remote remotes[OVPN_REMOTES_MAX];
	_cleanup_free_ char *text = NULL;
	size_t n_remotes;
	unsigned bad_line;
	int r;

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void) ovpn_remotes_parse(text, remotes, OVPN_REMOTES_MAX, &n_remotes, &bad_line);

	r = ovpn_clean(text, size, "/home/user/vpn", &c, &err);
	if (r < 0) {
		assert(r == -EINVAL || r == -ENOMEM);
		if (r == -EINVAL) {
			assert(err.line >= 1 && err.line <= count_lines(text, size));
			assert(err.msg[0] != '\0' && strchr(err.msg, '\n') == NULL);
		}
		return 0;
	}
	assert(c.text != NULL);
	assert(count_lines(c.text, strlen(c.text)) == count_lines(text, size));
	check_output(c.text);
	assert(c.n_files <= OVPN_FILES_MAX);
	for (size_t i = 0; i < c.n_files; i++) {
		assert(c.files[i].path[0] == '/');
		assert(c.files[i].line >= 1 && c.files[i].line <= count_lines(text, size));
		if (strpbrk(c.files[i].path, "\"\\") == NULL)
			assert(strstr(c.text, c.files[i].path) != NULL);
	}

	r = ovpn_clean(c.text, strlen(c.text), "/elsewhere", &again, &err);
	assert(r == 0);
	assert(streq(again.text, c.text));
	assert(again.n_files == c.n_files);
	for (size_t i = 0; i < c.n_files; i++)
		assert(streq(again.files[i].path, c.files[i].path));
	ovpn_config_done(&again);
	ovpn_config_done(&c);
	return 0;
}
