/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A VPN jail's .ovpn, read as openvpn reads it (ovpn.h): its servers, and
 * the allowlist of what openvpn may take from it.
 *
 * Who writes the .ovpn is never certain (a provider mailed it, a browser
 * downloaded it), and openvpn runs on the host: `plugin`, `up`, `setenv opt
 * tls-verify …`, `pkcs11-providers` or `engine` would run code there, and
 * `log`, `status` or `replay-persist` would write files. A list of what is
 * forbidden always misses one, so this is a list of what is allowed, each
 * with the arguments it may have; the rest refuses the whole file with its
 * line.
 */
#include "ini-profiles/ovpn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "state/util.h"

/* openvpn's MAX_PARMS: the words of a line it reads; it ignores more. */
#define WORDS_MAX 16

struct words {
	char *v[WORDS_MAX];
	size_t n;
	char buf[OVPN_LINE_MAX + WORDS_MAX + 1];
};

/* One line of a .ovpn at a time, checked for what would make openvpn read
 * it otherwise than we do. */
struct reader {
	const char *p, *end;
	unsigned line_no;
	struct ovpn_error *err; /* may be NULL */
	char tag[64];           /* the inline file or <connection> block we are in */
	unsigned tag_line;      /* where it opened */
};

static int fail(struct ovpn_error *err, unsigned line, const char *fmt, ...) _printf_(3, 4);
static int
fail(struct ovpn_error *err, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -EINVAL;
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The next line, without its '\n' and a '\r' before it: 1, 0 at the end,
 * -EINVAL. */
static int
next_line(struct reader *r, const char **ret, size_t *ret_len)
{
	const char *line = r->p, *nl;
	size_t len;

	if (r->p >= r->end)
		return 0;
	nl = memchr(r->p, '\n', (size_t) (r->end - r->p));
	len = (size_t) ((nl != NULL ? nl : r->end) - r->p);
	r->p += len + (nl != NULL);
	r->line_no++;
	/* The raw length, the '\r' and a BOM included: what fgets() sees. */
	if (len > OVPN_LINE_MAX)
		return fail(r->err, r->line_no,
		            "a line longer than %d bytes (openvpn would read the rest of it as a "
		            "line of its own)",
		            OVPN_LINE_MAX);
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (r->line_no == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) line[i];

		if (c == '\0')
			return fail(r->err, r->line_no, "a NUL byte");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(r->err, r->line_no, "a control character (byte 0x%02x)", c);
	}
	*ret = line;
	*ret_len = len;
	return 1;
}

static bool
is_blank(char c)
{
	/* isspace() in the C locale, and the end of the line (openvpn's
	 * space()); only ' ' and '\t' get past next_line() in a line. */
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

/* Splits LINE into words as openvpn's parse_line() does, with its errors
 * as ours: a backslash before anything but \, " or a blank, a quote left
 * open, more words than it reads. Drops the "--" of a first word. */
static int
split_words(const char *line, size_t len, struct words *w, struct reader *r)
{
	enum { INITIAL, UNQUOTED, DQUOTED, SQUOTED } state = INITIAL;
	bool backslash = false;
	size_t at = 0, start = 0;

	w->n = 0;
	for (size_t i = 0; i <= len; i++) {
		char in = i < len ? line[i] : '\0', out = 0;
		bool done = false;

		if (!backslash && in == '\\' && state != SQUOTED) {
			backslash = true;
			continue;
		}
		switch (state) {
		case INITIAL:
			if (is_blank(in))
				break;
			/* A comment starts at any word, escaped or not. */
			if (in == '#' || in == ';')
				goto end;
			if (w->n >= WORDS_MAX)
				return fail(r->err, r->line_no,
				            "more than %d words (openvpn ignores the rest)",
				            WORDS_MAX);
			start = at;
			if (!backslash && in == '"')
				state = DQUOTED;
			else if (!backslash && in == '\'')
				state = SQUOTED;
			else {
				out = in;
				state = UNQUOTED;
			}
			break;
		case UNQUOTED:
			if (!backslash && is_blank(in))
				done = true;
			else
				out = in;
			break;
		case DQUOTED:
			if (!backslash && in == '"')
				done = true;
			else
				out = in;
			break;
		case SQUOTED:
			if (in == '\'')
				done = true;
			else
				out = in;
			break;
		}
		if (done) {
			w->buf[at++] = '\0';
			w->v[w->n++] = w->buf + start;
			state = INITIAL;
		}
		if (backslash && out != 0 && out != '\\' && out != '"' && !is_blank(out))
			return fail(r->err, r->line_no,
			            "a backslash before '%c' (only \\\\, \\\" and \\<blank> are "
			            "escapes)",
			            out);
		backslash = false;
		if (out != 0)
			w->buf[at++] = out;
	}
	if (state == DQUOTED || state == SQUOTED)
		return fail(r->err, r->line_no, "a quote that is never closed");
	if (state != INITIAL)
		return fail(r->err, r->line_no, "a backslash at the end of the line");
end:
	if (w->n > 0 && strlen(w->v[0]) >= 3 && strncmp(w->v[0], "--", 2) == 0)
		w->v[0] += 2;
	return 0;
}

/* The tag of an inline file's opening line (one word, "<tag>"), or NULL. */
static const char *
inline_tag(struct words *w)
{
	size_t len;

	if (w->n != 1)
		return NULL;
	len = strlen(w->v[0]);
	if (len < 1 || w->v[0][0] != '<' || w->v[0][len - 1] != '>')
		return NULL;
	w->v[0][len - 1] = '\0';
	return w->v[0] + 1;
}

/* Whether LINE ends the inline file TAG, as openvpn decides it: after
 * blanks, it starts with "</TAG>". 1, 0, or -EINVAL when text follows the
 * end tag (openvpn would ignore it). */
static int
ends_inline(const char *line, size_t len, const char *tag, struct reader *r)
{
	size_t i = 0, tag_len = strlen(tag);

	while (i < len && is_blank(line[i]))
		i++;
	if (len - i < tag_len + 3 || line[i] != '<' || line[i + 1] != '/' ||
	    memcmp(line + i + 2, tag, tag_len) != 0 || line[i + 2 + tag_len] != '>')
		return 0;
	for (i += tag_len + 3; i < len; i++)
		if (!is_blank(line[i]))
			return fail(r->err, r->line_no, "text after '</%s>'", tag);
	return 1;
}

enum line_kind {
	LINE_BLANK,  /* nothing but blanks or a comment */
	LINE_OPTION, /* words, in a <connection> block when in_connection */
	LINE_OPEN,   /* <tag> (in tag) */
	LINE_DATA,   /* a line of an inline file (raw, len) */
	LINE_CLOSE,  /* </tag> */
};

struct line {
	enum line_kind kind;
	bool in_connection;
	const char *raw;
	size_t len;
	struct words w;
	char tag[64]; /* of LINE_OPEN and LINE_CLOSE */
};

/* The next line of R, as openvpn reads it: 1, 0 at the end, -EINVAL. */
static int
read_line(struct reader *r, struct line *l)
{
	const char *t;
	int k;

	k = next_line(r, &l->raw, &l->len);
	if (k <= 0)
		return k;
	l->in_connection = streq(r->tag, "connection");
	if (r->tag[0] != '\0') {
		k = ends_inline(l->raw, l->len, r->tag, r);
		if (k < 0)
			return k;
		if (k > 0) {
			l->kind = LINE_CLOSE;
			memcpy(l->tag, r->tag, sizeof(l->tag));
			r->tag[0] = '\0';
			return 1;
		}
		/* An inline file's lines are data; a <connection> block's
		 * are options. */
		if (!l->in_connection) {
			l->kind = LINE_DATA;
			return 1;
		}
	}
	k = split_words(l->raw, l->len, &l->w, r);
	if (k < 0)
		return k;
	l->kind = l->w.n == 0 ? LINE_BLANK : LINE_OPTION;
	t = l->w.n > 0 ? inline_tag(&l->w) : NULL;
	if (t == NULL)
		return 1;
	if (l->in_connection)
		return fail(r->err, r->line_no, "an inline file inside a <connection> block");
	if (strlen(t) >= sizeof(r->tag))
		return fail(r->err, r->line_no, "an inline file tag longer than %zu bytes",
		            sizeof(r->tag) - 1);
	memcpy(r->tag, t, strlen(t) + 1);
	memcpy(l->tag, t, strlen(t) + 1);
	r->tag_line = r->line_no;
	l->kind = LINE_OPEN;
	return 1;
}

/* 0 when R ended outside any inline file, else -EINVAL. */
static int
read_end(struct reader *r)
{
	if (r->tag[0] == '\0')
		return 0;
	return fail(r->err, r->tag_line, "'<%s>' is never closed by '</%s>'", r->tag, r->tag);
}

/* --- the servers ------------------------------------------------------------ */

static bool
is_tcp(const char *proto)
{
	return strncmp(proto, "tcp", 3) == 0;
}

int
ovpn_remotes_parse(const char *text, struct ovpn_remote *out, size_t max, size_t *n,
                   unsigned *bad_line)
{
	struct reader r = {.p = text, .end = text + strlen(text)};
	unsigned default_port = 1194;
	int have_tcp[OVPN_REMOTES_MAX];
	bool have_port[OVPN_REMOTES_MAX], default_tcp = false;
	struct line l;
	int k;

	*n = 0;
	if (max > OVPN_REMOTES_MAX)
		max = OVPN_REMOTES_MAX;
	while ((k = read_line(&r, &l)) > 0) {
		const char *key = l.w.v[0];

		if (l.kind != LINE_OPTION)
			continue;
		if (streq(key, "port") || streq(key, "rport")) {
			if (l.w.n != 2 || parse_uint(l.w.v[1], 1, 65535, &default_port) < 0)
				goto bad;
		} else if (streq(key, "proto")) {
			if (l.w.n >= 2)
				default_tcp = is_tcp(l.w.v[1]);
		} else if (streq(key, "remote")) {
			struct ovpn_remote *o;
			unsigned v;

			if (*n >= max || l.w.n < 2 || l.w.n > 4 || l.w.v[1][0] == '\0' ||
			    strlen(l.w.v[1]) > OVPN_HOST_MAX)
				goto bad;
			o = &out[*n];
			*o = (struct ovpn_remote){};
			memcpy(o->host, l.w.v[1], strlen(l.w.v[1]) + 1);
			have_port[*n] = l.w.n >= 3;
			if (have_port[*n]) {
				if (parse_uint(l.w.v[2], 1, 65535, &v) < 0)
					goto bad;
				o->port = (uint16_t) v;
			}
			have_tcp[*n] = l.w.n >= 4 ? is_tcp(l.w.v[3]) : -1;
			(*n)++;
		}
	}
	if (k < 0 || read_end(&r) < 0)
		goto bad;
	for (size_t i = 0; i < *n; i++) {
		if (!have_port[i])
			out[i].port = (uint16_t) default_port;
		out[i].tcp = have_tcp[i] >= 0 ? have_tcp[i] : default_tcp;
	}
	return 0;
bad:
	*bad_line = r.line_no;
	return -EINVAL;
}

/* --- the allowlist ---------------------------------------------------------- */

enum {
	D_CONNECTION = 1 << 0, /* also allowed in a <connection> block */
	D_INLINE = 1 << 1,     /* may be an inline file <NAME>…</NAME> */
	D_JAILSUP = 1 << 2,    /* jailsup decides it: checked, not passed on */
};

/* Each directive with its arguments, which are checked word by word:
 * N a number, PORT 1-65535, WORD any word without blanks, TEXT anything,
 * FILE a file (a relative one is relative to the .ovpn's folder), PROTO a
 * client's protocol, TUN a tun device, a|b one of those words or kinds,
 * [x] optional (only at the end), x... repeated. The pattern is also the
 * usage shown when the arguments are wrong. */
struct directive {
	const char *name;
	const char *args;
	unsigned flags;
};

static const struct directive directives[] = {
    /* The role and the servers. jailsup gives openvpn the servers'
     * addresses it routed the jail to (from remote and <connection>), and
     * names the tun device the kill switch knows. */
    {"client", "", 0},
    {"tls-client", "", 0},
    {"pull", "", 0},
    {"dev", "TUN", D_JAILSUP},
    {"dev-type", "tun", D_JAILSUP},
    {"remote", "WORD [PORT] [PROTO]", D_CONNECTION | D_JAILSUP},
    {"proto", "PROTO", D_CONNECTION},
    {"port", "PORT", D_CONNECTION},
    {"rport", "PORT", D_CONNECTION},
    {"remote-random", "", 0},
    {"resolv-retry", "N|infinite", 0},
    {"nobind", "", D_CONNECTION},
    {"float", "", D_CONNECTION},
    {"persist-key", "", 0},
    {"persist-tun", "", 0},
    {"connect-retry", "N [N]", D_CONNECTION},
    {"connect-retry-max", "N", D_CONNECTION},
    {"connect-timeout", "N", D_CONNECTION},
    {"server-poll-timeout", "N", D_CONNECTION},
    {"explicit-exit-notify", "[N]", D_CONNECTION},
    /* Routes: every packet of the jail goes through the tunnel whatever
     * the file says (jailsup adds the routes itself); a `route` of the
     * file could only send some around it, and is refused. The server's
     * pushed routes stay inside the tunnel, or are dropped by the kill
     * switch; route-nopull only ignores them (and its pushed DNS). */
    {"redirect-gateway", "[WORD...]", D_JAILSUP},
    {"route-nopull", "", 0},
    {"tun-ipv6", "", D_JAILSUP}, /* a no-op since openvpn 2.5 */
    /* Keys and certificates, as files or inline. */
    {"ca", "FILE", D_INLINE},
    {"cert", "FILE", D_INLINE},
    {"key", "FILE", D_INLINE},
    {"extra-certs", "FILE", D_INLINE},
    {"pkcs12", "FILE", D_INLINE},
    {"dh", "none|FILE", D_INLINE},
    {"crl-verify", "FILE", D_INLINE},
    {"tls-auth", "FILE [0|1]", D_INLINE},
    {"tls-crypt", "FILE", D_INLINE},
    {"tls-crypt-v2", "FILE [force-cookie|allow-noncookie]", D_INLINE},
    {"key-direction", "0|1", 0},
    /* The user's password: from a file (or inline); openvpn has no
     * terminal to ask on. */
    {"auth-user-pass", "FILE", D_INLINE},
    {"askpass", "FILE", 0},
    {"auth-nocache", "", 0},
    {"auth-retry", "none|nointeract", 0},
    /* Ciphers and checks of the server. */
    {"cipher", "WORD", 0},
    {"data-ciphers", "WORD", 0},
    {"data-ciphers-fallback", "WORD", 0},
    {"ncp-ciphers", "WORD", 0},
    {"auth", "WORD", 0},
    {"tls-version-min", "1.0|1.1|1.2|1.3 [or-highest]", 0},
    {"tls-version-max", "1.0|1.1|1.2|1.3", 0},
    {"tls-cipher", "WORD", 0},
    {"tls-ciphersuites", "WORD", 0},
    {"tls-groups", "WORD", 0},
    {"remote-cert-tls", "server", 0},
    {"remote-cert-eku", "TEXT", 0},
    {"ns-cert-type", "server", 0},
    {"verify-x509-name", "TEXT [subject|name|name-prefix]", 0},
    {"reneg-sec", "N [N]", 0},
    {"reneg-bytes", "N", 0},
    {"reneg-pkts", "N", 0},
    /* Compression only as framing that compresses nothing: compressed
     * data next to data an attacker chooses leaks the rest (VORACLE).
     * jailsup also gives openvpn --allow-compression no. */
    {"comp-lzo", "no", 0},
    {"compress", "[stub|stub-v2]", 0},
    /* Timers, sizes, messages. */
    {"keepalive", "N N", 0},
    {"ping", "N", 0},
    {"ping-restart", "N", 0},
    {"ping-exit", "N", 0},
    {"ping-timer-rem", "", 0},
    {"mssfix", "[N] [mtu|fixed]", D_CONNECTION},
    {"fragment", "N [mtu]", D_CONNECTION},
    {"tun-mtu", "N [N]", D_CONNECTION},
    {"tun-mtu-extra", "N", D_CONNECTION},
    {"link-mtu", "N", D_CONNECTION},
    {"sndbuf", "N", 0},
    {"rcvbuf", "N", 0},
    {"fast-io", "", 0},
    {"verb", "N", 0},
    {"mute", "N", 0},
    {"mute-replay-warnings", "", 0},
};

/* Why some directives, or some of their forms, are refused, where the
 * reason is not plain. */
static const struct {
	const char *name;
	const char *why;
} refusals[] = {
    {"setenv", "it can make openvpn take any option ('setenv opt X' makes it take X)"},
    {"comp-lzo", "compression lets what the tunnel carries be guessed (VORACLE)"},
    {"compress", "compression lets what the tunnel carries be guessed (VORACLE)"},
    {"auth-user-pass", "openvpn has no terminal to ask on; put the username and the password "
                       "on two lines of a file of yours (mode 0600)"},
    {"askpass", "openvpn has no terminal to ask on; put the key's password in a file of "
                "yours (mode 0600)"},
    {"dev", "the jail's VPN is a tun device"},
    {"route", "every packet of the jail goes through the tunnel; jailsup sets the routes"},
    {"route-ipv6", "every packet of the jail goes through the tunnel; jailsup sets the routes"},
    {"http-proxy", "jailsup routes the jail to the VPN servers alone"},
    {"socks-proxy", "jailsup routes the jail to the VPN servers alone"},
    {"up", "jailsup runs its own script, which writes the jail's DNS servers"},
    {"down", "jailsup runs its own script, which writes the jail's DNS servers"},
    {"script-security", "jailsup runs its own script, which writes the jail's DNS servers"},
};

static const struct directive *
directive_find(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(directives); i++)
		if (streq(directives[i].name, name))
			return &directives[i];
	return NULL;
}

bool
ovpn_directive_allowed(const char *name)
{
	return directive_find(name) != NULL;
}

static const char *
refusal_reason(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(refusals); i++)
		if (streq(refusals[i].name, name))
			return refusals[i].why;
	return NULL;
}

static int
refuse(struct reader *r, const char *name, bool is_inline)
{
	const char *why = refusal_reason(name);

	return fail(r->err, r->line_no,
	            "directive '%s%.40s%s' is not allowed in a jail's VPN config%s%s",
	            is_inline ? "<" : "", name, is_inline ? ">" : "", why != NULL ? ": " : "",
	            why != NULL ? why : "");
}

/* An allowed directive D with arguments it may not have. */
static int
refuse_args(struct reader *r, const struct directive *d)
{
	const char *why = refusal_reason(d->name);

	if (why != NULL)
		return fail(r->err, r->line_no,
		            "'%s' is allowed in a jail's VPN config only as '%s %s': %s", d->name,
		            d->name, d->args, why);
	if (d->args[0] == '\0')
		return fail(r->err, r->line_no, "bad arguments to '%s' (it takes none)", d->name);
	return fail(r->err, r->line_no, "bad arguments to '%s' (expected: %s %s)", d->name, d->name,
	            d->args);
}

static bool
is_number(const char *s)
{
	size_t len = strspn(s, "0123456789");

	return len > 0 && len <= 10 && s[len] == '\0';
}

static bool
is_proto(const char *s)
{
	static const char *const protos[] = {
	    "udp",  "udp4",       "udp6",        "tcp",         "tcp4",
	    "tcp6", "tcp-client", "tcp4-client", "tcp6-client",
	};

	for (size_t i = 0; i < ELEMENTSOF(protos); i++)
		if (streq(s, protos[i]))
			return true;
	return false;
}

enum match {
	MATCH_NONE,
	MATCH,
	MATCH_FILE,
};

/* Which of the '|'-separated words or kinds of ALT (LEN bytes) ARG is:
 * a word or another kind before FILE ("dh none"). */
static enum match
arg_matches(const char *arg, const char *alt, size_t len)
{
	bool file = false;
	unsigned port;

	while (len > 0) {
		size_t one = strcspn(alt, "|");

		if (one > len)
			one = len;
#define IS(kind) (one == strlen(kind) && strncmp(alt, kind, one) == 0)
		if ((IS("N") && is_number(arg)) ||
		    (IS("PORT") && parse_uint(arg, 1, 65535, &port) >= 0) ||
		    (IS("WORD") && arg[0] != '\0' && strpbrk(arg, " \t") == NULL) || IS("TEXT") ||
		    (IS("PROTO") && is_proto(arg)) ||
		    (IS("TUN") && strncmp(arg, "tun", 3) == 0 && strpbrk(arg, " \t/") == NULL) ||
		    (strlen(arg) == one && strncmp(alt, arg, one) == 0))
			return MATCH;
		if (IS("FILE") && arg[0] != '\0')
			file = true;
#undef IS
		alt += one;
		len -= one;
		if (len > 0) {
			alt++;
			len--;
		}
	}
	return file ? MATCH_FILE : MATCH_NONE;
}

/* Checks the arguments W->v[1…] against D's pattern; *RET_FILE is the
 * index of a FILE argument (0: none). */
static bool
args_match(const struct directive *d, const struct words *w, size_t *ret_file)
{
	const char *p = d->args;
	size_t i = 1;

	*ret_file = 0;
	while (*p != '\0') {
		bool optional = *p == '[', repeat;
		size_t len;

		p += optional;
		len = strcspn(p, " ]");
		repeat = len > 3 && strncmp(p + len - 3, "...", 3) == 0;
		if (!optional && i >= w->n)
			return false;
		for (bool first = true; i < w->n && (first || repeat); first = false, i++) {
			enum match m = arg_matches(w->v[i], p, repeat ? len - 3 : len);

			if (m == MATCH_NONE)
				return false;
			if (m == MATCH_FILE)
				*ret_file = i;
		}
		p += len;
		p += strspn(p, "] ");
	}
	return i >= w->n;
}

/* --- writing the cleaned configuration -------------------------------------- */

struct out {
	char *s;
	size_t len, size;
	size_t line_start;
};

static int
out_add(struct out *o, const char *s, size_t len)
{
	if (o->len + len + 1 > o->size) {
		size_t size = (o->size + len + 1) * 2;
		char *s2 = realloc(o->s, size);

		if (s2 == NULL)
			return -ENOMEM;
		o->s = s2;
		o->size = size;
	}
	memcpy(o->s + o->len, s, len);
	o->len += len;
	o->s[o->len] = '\0';
	return 0;
}

static bool
is_plain(const char *s)
{
	return s[0] != '\0' &&
	       strspn(s,
	              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@=+,%-") ==
	           strlen(s);
}

/* WORD as openvpn reads it back: plain, or "…" with \\ and \" escaped. */
static int
out_word(struct out *o, const char *word)
{
	int r = 0;

	if (o->len > o->line_start)
		r = out_add(o, " ", 1);
	if (r < 0 || is_plain(word))
		return r < 0 ? r : out_add(o, word, strlen(word));
	r = out_add(o, "\"", 1);
	for (const char *c = word; r >= 0 && *c != '\0'; c++)
		r = *c == '\\' || *c == '"' ? out_add(o, (const char[]){'\\', *c}, 2)
		                            : out_add(o, c, 1);
	return r < 0 ? r : out_add(o, "\"", 1);
}

static int
out_tag(struct out *o, const char *open, const char *tag)
{
	int r = out_add(o, open, strlen(open));

	if (r >= 0)
		r = out_add(o, tag, strlen(tag));
	return r < 0 ? r : out_add(o, ">", 1);
}

static int
out_end_line(struct out *o, struct reader *r)
{
	if (o->len - o->line_start > OVPN_LINE_MAX)
		return fail(r->err, r->line_no,
		            "this line, with its file named by its full path, is longer than the "
		            "%d bytes openvpn reads",
		            OVPN_LINE_MAX);
	o->line_start = o->len + 1;
	return out_add(o, "\n", 1);
}

/* --- ovpn_clean() -------------------------------------------------------------- */

void
ovpn_config_done(struct ovpn_config *c)
{
	free(c->text);
	c->text = NULL;
	for (size_t i = 0; i < c->n_files; i++) {
		free(c->files[i].path);
		c->files[i].path = NULL;
	}
	c->n_files = 0;
}

/* NAME (a file of the .ovpn) as an absolute path without "." or ".."
 * components or repeated slashes: relative to DIR, ".." taken by name. The
 * path is where the supervisor gives openvpn the file, in openvpn's own
 * view of the filesystem, so it must name one place without a walk. */
static char *
file_path(const char *dir, const char *name)
{
	_cleanup_free_ char *joined = name[0] == '/' ? strdup(name) : path_join(dir, name);
	char *out;
	size_t len = 0;

	if (joined == NULL)
		return NULL;
	out = malloc(strlen(joined) + 2);
	if (out == NULL)
		return NULL;
	for (const char *p = joined; *p != '\0';) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			p += n;
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, p, n);
		len += n;
		p += n;
		out[len] = '\0';
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	return out;
}

static int
add_file(struct ovpn_config *c, const struct directive *d, const char *name, const char *dir,
         struct reader *r, const char **ret_path)
{
	struct ovpn_file *f;

	if (c->n_files >= OVPN_FILES_MAX)
		return fail(r->err, r->line_no, "more than %d files", OVPN_FILES_MAX);
	/* openvpn reads these two from its terminal when named so. */
	if ((streq(d->name, "auth-user-pass") || streq(d->name, "askpass")) && streq(name, "stdin"))
		return refuse_args(r, d);
	f = &c->files[c->n_files];
	f->path = file_path(dir, name);
	if (f->path == NULL)
		return -ENOMEM;
	f->directive = d->name;
	f->line = r->line_no;
	c->n_files++;
	*ret_path = f->path;
	return 0;
}

/* One option line W (in a <connection> block when IN_CONNECTION): checked,
 * and written to O unless jailsup decides it. */
static int
clean_option(struct ovpn_config *c, struct out *o, struct words *w, bool in_connection,
             const char *dir, struct reader *r)
{
	const struct directive *d = directive_find(w->v[0]);
	size_t file;
	int k;

	if (d == NULL || (in_connection && !(d->flags & D_CONNECTION)))
		return refuse(r, w->v[0], false);
	if (!args_match(d, w, &file))
		return refuse_args(r, d);
	if (file > 0) {
		k = add_file(c, d, w->v[file], dir, r, (const char **) &w->v[file]);
		if (k < 0)
			return k;
	}
	if (in_connection || (d->flags & D_JAILSUP))
		return 0;
	for (size_t i = 0; i < w->n; i++) {
		k = out_word(o, w->v[i]);
		if (k < 0)
			return k;
	}
	return 0;
}

/* One line L of R, checked and written to O. */
static int
clean_line(struct ovpn_config *c, struct out *o, struct line *l, const char *dir, struct reader *r)
{
	const struct directive *d;

	switch (l->kind) {
	case LINE_BLANK:
		return 0;
	case LINE_OPTION:
		return clean_option(c, o, &l->w, l->in_connection, dir, r);
	case LINE_OPEN:
		if (streq(l->tag, "connection"))
			return 0; /* jailsup routes the servers: the block goes */
		d = directive_find(l->tag);
		if (d == NULL || !(d->flags & D_INLINE))
			return refuse(r, l->tag, true);
		return out_tag(o, "<", l->tag);
	case LINE_DATA:
		/* Data, not options: as it is. */
		return out_add(o, l->raw, l->len);
	case LINE_CLOSE:
		return l->in_connection ? 0 : out_tag(o, "</", l->tag);
	}
	return -EINVAL;
}

int
ovpn_clean(const char *text, size_t size, const char *dir, struct ovpn_config *ret,
           struct ovpn_error *reterr)
{
	struct ovpn_config c = {};
	struct out o = {};
	struct reader r = {.p = text, .end = text + size, .err = reterr};
	struct line l;
	int k;

	if (dir[0] != '/' || strpbrk(dir, "\n\r") != NULL)
		return fail(reterr, 0,
		            "the folder of the VPN configuration must be an absolute path "
		            "without line breaks");
	k = out_add(&o, "", 0);
	while (k >= 0 && (k = read_line(&r, &l)) > 0) {
		o.line_start = o.len;
		k = clean_line(&c, &o, &l, dir, &r);
		if (k >= 0)
			k = out_end_line(&o, &r);
	}
	if (k >= 0)
		k = read_end(&r);
	if (k < 0) {
		free(o.s);
		ovpn_config_done(&c);
		return k;
	}
	c.text = o.s;
	*ret = c;
	return 0;
}
