/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.h: formats one diagnostic line and writes it with a single write(2),
 * so lines from the jailer, dispatch and the supervisor never interleave
 * mid-line in a shared log file.
 */
#include <stdarg.h>
#include <sys/stat.h>

#include "state/log.h"

static const char *log_prog = "jailsup";
static char log_jail[72];
static enum log_level log_level = LOG_LEVEL_INFO;
static int log_tee_fd = -1;
static int log_journal = -1; /* -1: not yet checked */

static const char *const level_names[_LOG_LEVEL_MAX] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

/* syslog priorities for the journal's "<N>" prefix */
static const int level_prio[_LOG_LEVEL_MAX] = {
	[LOG_LEVEL_ERROR] = 3,
	[LOG_LEVEL_WARN] = 4,
	[LOG_LEVEL_INFO] = 6,
	[LOG_LEVEL_DEBUG] = 7,
};

void
log_setup(const char *prog)
{
	const char *slash = strrchr(prog, '/');
	const char *env = getenv("JAILSUP_LOG_LEVEL");

	log_prog = slash != NULL ? slash + 1 : prog;
	if (env != NULL) {
		if (streq(env, "debug"))
			log_level = LOG_LEVEL_DEBUG;
		else if (streq(env, "info"))
			log_level = LOG_LEVEL_INFO;
		else if (streq(env, "warning"))
			log_level = LOG_LEVEL_WARN;
		else if (streq(env, "error"))
			log_level = LOG_LEVEL_ERROR;
	}
}

void
log_set_jail(const char *jail)
{
	if (jail == NULL)
		log_jail[0] = '\0';
	else
		snprintf(log_jail, sizeof(log_jail), "%s", jail);
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_set_tee_fd(int fd)
{
	log_tee_fd = fd;
}

/* JOURNAL_STREAM is "DEV:INO" of the journal socket; it applies only when
 * our stderr still is that socket (a child may have redirected it). */
static bool
stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	struct stat st;
	char expect[64];

	if (env == NULL || fstat(STDERR_FILENO, &st) < 0)
		return false;
	snprintf(expect, sizeof(expect), "%llu:%llu", (unsigned long long) st.st_dev,
		 (unsigned long long) st.st_ino);
	return streq(env, expect);
}

/* format(printf, 3, 0): FMT is checked at the callers; without it clang's
 * -Wformat-nonliteral fires on the vsnprintf() below. */
static void log_emit(enum log_level level, int r, const char *fmt, va_list ap) _printf_(3, 0);

static void
log_emit(enum log_level level, int r, const char *fmt, va_list ap)
{
	char line[2048];
	size_t len = 0;
	int n;

	if (log_journal < 0)
		log_journal = stderr_is_journal();
	if (log_journal)
		len += (size_t) snprintf(line, sizeof(line), "<%d>", level_prio[level]);
	if (log_jail[0] != '\0')
		n = snprintf(line + len, sizeof(line) - len, "%s[%s]: %s: ", log_prog, log_jail,
			     level_names[level]);
	else
		n = snprintf(line + len, sizeof(line) - len, "%s: %s: ", log_prog,
			     level_names[level]);
	if (n > 0)
		len += (size_t) n;
	if (len < sizeof(line)) {
		n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
		if (n > 0)
			len += (size_t) n;
	}
	if (r < 0 && len < sizeof(line)) {
		n = snprintf(line + len, sizeof(line) - len, ": %s", strerror(-r));
		if (n > 0)
			len += (size_t) n;
	}
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	(void) write_all(STDERR_FILENO, line, len);
	if (log_tee_fd >= 0) {
		size_t skip = log_journal ? (size_t) (strchr(line, '>') - line) + 1 : 0;
		(void) write_all(log_tee_fd, line + skip, len - skip);
	}
}

int
log_internal(enum log_level level, int r, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (level <= log_level) {
		va_start(ap, fmt);
		log_emit(level, r, fmt, ap);
		va_end(ap);
	}
	errno = saved;
	return r;
}

void
die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	_exit(code);
}

void
die_errno(int code, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, r, fmt, ap);
	va_end(ap);
	_exit(code);
}
