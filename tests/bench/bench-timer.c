/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-timer — the timer of `make bench` (tests/bench/run). Two modes:
 *
 *   bench-timer [-n ROUNDS] [-w WARMUP] [-e ERRDIR] [-r RAWFILE]
 *               [-b NAME=CMD]… [-a NAME=CMD]… NAME=CMD…
 *
 * Runs the commands interleaved, A B C A B C …, ROUNDS times (after WARMUP
 * untimed rounds), each round starting one command further on so that no
 * command always follows the same one. A run is timed from just before
 * fork() to the return of waitpid(): fork, exec and everything the command
 * waits for, as a shell's `time` would see it, without a shell. CMD is
 * split at spaces (no quoting: the script passes plain words). -b and -a
 * give an untimed command to run before or after each run of NAME (to
 * kill a daemon first, or wait until a jail has fully ended). stdin and
 * stdout of the commands are /dev/null; stderr goes to ERRDIR/NAME.err
 * (appended) or /dev/null. Prints one line per command:
 *
 *   NAME MEDIAN_US MIN_US MEAN_US P90_US OK FAILED LAST_STATUS
 *
 * (runs that exited non-zero are counted in FAILED and left out of the
 * statistics; MEDIAN_US is "-" when none succeeded), and with -r every
 * timed run as "ROUND NAME US STATUS" into RAWFILE.
 *
 *   bench-timer -u TEXT [-t SECONDS] CMD [ARG…]     (-u first)
 *
 * Starts CMD with its stderr (and stdout) on a pipe and times how long it
 * takes to print a line containing TEXT; prints "US PID LINES" and exits,
 * leaving CMD running (for a daemon's "ready" line).
 *
 * Built without sanitizers: it measures, it is not measured.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS  32
#define MAX_WORDS 64

struct cmd {
	char *name;
	char *argv[MAX_WORDS + 1];
	char *before[MAX_WORDS + 1];
	char *after[MAX_WORDS + 1];
	int err_fd;
	uint64_t *ns; /* one per successful timed run */
	unsigned n_ok, n_failed;
	int last_status;
};

static struct cmd cmds[MAX_CMDS];
static unsigned n_cmds;

static void
usage(void)
{
	fprintf(stderr, "usage: bench-timer [-n ROUNDS] [-w WARMUP] [-e ERRDIR] [-r RAWFILE]\n"
	                "                   [-b NAME=CMD]... [-a NAME=CMD]... NAME=CMD...\n"
	                "       bench-timer -u TEXT [-t SECONDS] CMD [ARG...]\n");
	exit(2);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static unsigned
parse_count(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > 1000000)
		usage();
	return (unsigned) v;
}

/* Splits S (modified) at spaces into WORDS, NULL-terminated. */
static void
split_words(char *s, char **words)
{
	unsigned n = 0;

	for (char *w = strtok(s, " "); w != NULL; w = strtok(NULL, " ")) {
		if (n == MAX_WORDS) {
			fprintf(stderr, "bench-timer: too many words in a command\n");
			exit(2);
		}
		words[n++] = w;
	}
	words[n] = NULL;
	if (n == 0)
		usage();
}

/* "NAME=CMD": returns CMD, NAME cut off at the '='. */
static char *
split_spec(char *spec, char **ret_name)
{
	char *eq = strchr(spec, '=');

	if (eq == NULL || eq == spec)
		usage();
	*eq = '\0';
	*ret_name = spec;
	return eq + 1;
}

static struct cmd *
cmd_find(const char *name)
{
	for (unsigned i = 0; i < n_cmds; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

/* Runs ARGV with stdin and stdout on /dev/null, stderr on ERR_FD; returns
 * its wait status, and its wall time in *RET_NS. */
static int
run(char **argv, int err_fd, uint64_t *ret_ns)
{
	uint64_t t0, t1;
	int status;
	pid_t pid;

	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("bench-timer: fork");
		exit(1);
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(err_fd >= 0 ? err_fd : null, 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("bench-timer: waitpid");
			exit(1);
		}
	t1 = now_ns();
	if (ret_ns != NULL)
		*ret_ns = t1 - t0;
	return status;
}

static int
compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

static void
print_stats(const struct cmd *c)
{
	uint64_t *v = c->ns, sum = 0;
	unsigned n = c->n_ok;
	double median;

	printf("%s ", c->name);
	if (n == 0) {
		printf("- - - - 0 %u %d\n", c->n_failed, c->last_status);
		return;
	}
	qsort(v, n, sizeof(*v), compare_u64);
	for (unsigned i = 0; i < n; i++)
		sum += v[i];
	median = n % 2 ? (double) v[n / 2] : ((double) v[n / 2 - 1] + (double) v[n / 2]) / 2;
	printf("%.1f %.1f %.1f %.1f %u %u %d\n", median / 1e3, (double) v[0] / 1e3,
	       (double) sum / n / 1e3, (double) v[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1] / 1e3, n,
	       c->n_failed, c->last_status);
}

/* The exit code a shell would show: 128+N for a signal. */
static int
exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int
interleave(int argc, char **argv)
{
	const char *err_dir = NULL, *raw_file = NULL;
	unsigned rounds = 30, warmup = 2;
	char *before[MAX_CMDS], *after[MAX_CMDS];
	unsigned n_before = 0, n_after = 0;
	FILE *raw = NULL;
	int c;

	while ((c = getopt(argc, argv, "+n:w:e:r:b:a:")) != -1) {
		switch (c) {
		case 'n':
			rounds = parse_count(optarg);
			break;
		case 'w':
			warmup = parse_count(optarg);
			break;
		case 'e':
			err_dir = optarg;
			break;
		case 'r':
			raw_file = optarg;
			break;
		case 'b':
			if (n_before == MAX_CMDS)
				usage();
			before[n_before++] = optarg;
			break;
		case 'a':
			if (n_after == MAX_CMDS)
				usage();
			after[n_after++] = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind == argc || argc - optind > MAX_CMDS || rounds == 0)
		usage();
	for (int i = optind; i < argc; i++) {
		struct cmd *cm = &cmds[n_cmds++];

		split_words(split_spec(argv[i], &cm->name), cm->argv);
		cm->err_fd = -1;
		if (err_dir != NULL) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s.err", err_dir, cm->name);
			cm->err_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
			if (cm->err_fd < 0) {
				perror(path);
				return 1;
			}
		}
		cm->ns = calloc(rounds, sizeof(*cm->ns));
		if (cm->ns == NULL)
			return 1;
	}
	for (unsigned i = 0; i < n_before + n_after; i++) {
		char *name,
		    *words = split_spec(i < n_before ? before[i] : after[i - n_before], &name);
		struct cmd *cm = cmd_find(name);

		if (cm == NULL) {
			fprintf(stderr, "bench-timer: no command named '%s'\n", name);
			return 2;
		}
		split_words(words, i < n_before ? cm->before : cm->after);
	}
	if (raw_file != NULL) {
		raw = fopen(raw_file, "we");
		if (raw == NULL) {
			perror(raw_file);
			return 1;
		}
	}

	for (unsigned r = 0; r < warmup + rounds; r++) {
		for (unsigned k = 0; k < n_cmds; k++) {
			struct cmd *cm = &cmds[(r + k) % n_cmds];
			uint64_t ns;
			int status;

			if (cm->before[0] != NULL)
				(void) run(cm->before, cm->err_fd, NULL);
			status = run(cm->argv, cm->err_fd, &ns);
			if (cm->after[0] != NULL)
				(void) run(cm->after, cm->err_fd, NULL);
			if (r < warmup)
				continue;
			if (raw != NULL)
				fprintf(raw, "%u %s %.1f %d\n", r - warmup, cm->name,
				        (double) ns / 1e3, exit_code(status));
			cm->last_status = exit_code(status);
			if (status == 0)
				cm->ns[cm->n_ok++] = ns;
			else
				cm->n_failed++;
		}
	}
	for (unsigned k = 0; k < n_cmds; k++)
		print_stats(&cmds[k]);
	if (raw != NULL)
		fclose(raw);
	return 0;
}

static int
until_line(int argc, char **argv)
{
	const char *text = NULL;
	unsigned timeout_s = 60, lines = 0;
	char buf[65536];
	size_t len = 0;
	uint64_t t0, deadline;
	int p[2], c;
	pid_t pid;

	while ((c = getopt(argc, argv, "+u:t:")) != -1) {
		switch (c) {
		case 'u':
			text = optarg;
			break;
		case 't':
			timeout_s = parse_count(optarg);
			break;
		default:
			usage();
		}
	}
	if (text == NULL || optind == argc)
		usage();
	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("bench-timer: pipe2");
		return 1;
	}
	t0 = now_ns();
	deadline = t0 + (uint64_t) timeout_s * 1000000000u;
	pid = fork();
	if (pid < 0) {
		perror("bench-timer: fork");
		return 1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(126);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		uint64_t now = now_ns();
		ssize_t n;
		char *nl;

		if (now >= deadline || poll(&pfd, 1, (int) ((deadline - now) / 1000000) + 1) == 0) {
			fprintf(stderr, "bench-timer: no line with '%s' within %u s\n", text,
			        timeout_s);
			return 1;
		}
		n = read(p[0], buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "bench-timer: '%s' ended without a line with '%s'\n",
			        argv[optind], text);
			return 1;
		}
		len += (size_t) n;
		buf[len] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			lines++;
			if (strstr(buf, text) != NULL) {
				uint64_t t1 = now_ns();

				printf("%.1f %d %u\n", (double) (t1 - t0) / 1e3, (int) pid, lines);
				return 0;
			}
			len -= (size_t) (nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
		if (len == sizeof(buf) - 1)
			len = 0; /* an endless line: drop it */
	}
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "-u") == 0) {
		/* The daemon we leave running must not die writing to our
		 * pipe once we are gone (it inherits the disposition). */
		(void) signal(SIGPIPE, SIG_IGN);
		return until_line(argc, argv);
	}
	return interleave(argc, argv);
}
