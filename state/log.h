/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The only code that writes diagnostics. One line on stderr:
 *   PROG[JAIL]: LEVEL: message: strerror
 * with a "<N>" syslog priority prefix when stderr is the journal
 * (JOURNAL_STREAM names our stderr). Libraries log at debug level at most;
 * the binaries decide what is an error.
 */
#ifndef JAILSUP_LOG_H
#define JAILSUP_LOG_H

#include "state/exit-codes.h"
#include "state/util.h"

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	_LOG_LEVEL_MAX,
	_LOG_LEVEL_INVALID = -EINVAL,
};

/* PROG is kept by pointer (a string literal or argv[0]); JAIL is copied. */
void log_setup(const char *prog);
void log_set_jail(const char *jail);
void log_set_level(enum log_level level);
/* Also send every line to FD (the jail's state-dir log); -1 stops it. */
void log_set_tee_fd(int fd);
enum log_level log_get_level(void);

/* Each returns R (a negative errno) so a caller can write
 * `return log_error_errno(r, "unable to …");`. */
int log_internal(enum log_level level, int r, const char *fmt, ...) _printf_(3, 4);

#define log_error(...)		  log_internal(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warn(...)		  log_internal(LOG_LEVEL_WARN, 0, __VA_ARGS__)
#define log_info(...)		  log_internal(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...)		  log_internal(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(r, ...)	  log_internal(LOG_LEVEL_ERROR, (r), __VA_ARGS__)
#define log_warn_errno(r, ...)	  log_internal(LOG_LEVEL_WARN, (r), __VA_ARGS__)
#define log_info_errno(r, ...)	  log_internal(LOG_LEVEL_INFO, (r), __VA_ARGS__)
#define log_debug_errno(r, ...)	  log_internal(LOG_LEVEL_DEBUG, (r), __VA_ARGS__)

_noreturn_ void die(int code, const char *fmt, ...) _printf_(2, 3);
_noreturn_ void die_errno(int code, int r, const char *fmt, ...) _printf_(3, 4);

#endif
