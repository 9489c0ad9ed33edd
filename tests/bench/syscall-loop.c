/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * syscall-loop — the seccomp benchmark of `make bench`: the same system
 * calls timed inside a jail, outside it, and in bare namespaces.
 *
 *   syscall-loop [N]          times N calls (default 300000) of each case,
 *                             prints "CASE NS_PER_CALL" (median of 5 blocks)
 *   syscall-loop --serve [--allow-all-filter]
 *                             reads "CASE N" lines on stdin, runs N calls of
 *                             CASE, answers "NS_PER_CALL" on stdout, until EOF;
 *                             with --allow-all-filter, first loads a seccomp
 *                             filter of one instruction, "allow": what any
 *                             filter costs, whatever its rules
 *   syscall-loop --compare ROUNDS N NAME=CMD...
 *                             starts each CMD (split at spaces; it must end
 *                             in `syscall-loop --serve`) on a pair of pipes
 *                             and asks them in turn, block by block: every
 *                             case, every command (in rotating order), ROUNDS
 *                             times, N calls a block. The blocks of one round
 *                             run within milliseconds of each other, so the
 *                             drift of a shared, noisy machine cancels out in
 *                             their ratio. Prints "NAME CASE MEDIAN_NS
 *                             MEDIAN_RATIO" per command and case, the ratio
 *                             being to the first command in the same round.
 *
 * Cases:
 *   getppid        no argument: the filter's verdict can be cached per
 *                  syscall number (kernel 5.11+ seccomp action cache)
 *   read           1 byte from /dev/zero
 *   write          1 byte to /dev/null
 *   ioctl          FIONREAD on a pipe: ioctl is the call the filter
 *                  inspects the arguments of (TIOCSTI, TIOCLINUX), so
 *                  every ioctl runs the BPF program
 *   clock_gettime  through syscall(): the vDSO would make no system call
 *   mix            the five above, one after the other (ns per call)
 *
 * Raw syscall() for every call, so libc caches nothing away.
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLOCKS     5
#define MAX_CMDS   8
#define MAX_WORDS  64
#define MAX_ROUNDS 100000

static int zero_fd, null_fd, pipe_fds[2];

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void
do_getppid(void)
{
	(void) syscall(SYS_getppid);
}

static void
do_read(void)
{
	char c;

	if (syscall(SYS_read, zero_fd, &c, 1) != 1)
		abort();
}

static void
do_write(void)
{
	char c = 0;

	if (syscall(SYS_write, null_fd, &c, 1) != 1)
		abort();
}

static void
do_ioctl(void)
{
	int n;

	if (syscall(SYS_ioctl, pipe_fds[0], FIONREAD, &n) != 0)
		abort();
}

static void
do_clock_gettime(void)
{
	struct timespec ts;

	(void) syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
}

static void
do_mix(void)
{
	do_getppid();
	do_read();
	do_write();
	do_ioctl();
	do_clock_gettime();
}

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return x < y ? -1 : x > y;
}

/* Median over BLOCKS blocks of N/BLOCKS rounds, in ns per system call. */
static double
time_case(void (*fn)(void), unsigned calls_per_round, unsigned long n)
{
	double per_call[BLOCKS];
	unsigned long per_block = n / BLOCKS;

	for (unsigned long i = 0; i < per_block / 10; i++) /* warm up */
		fn();
	for (int b = 0; b < BLOCKS; b++) {
		uint64_t t0 = now_ns();

		for (unsigned long i = 0; i < per_block; i++)
			fn();
		per_call[b] = (double) (now_ns() - t0) / (double) (per_block * calls_per_round);
	}
	qsort(per_call, BLOCKS, sizeof(double), compare_double);
	return per_call[BLOCKS / 2];
}

static const struct {
	const char *name;
	void (*fn)(void);
	unsigned calls;
} cases[] = {
    {"getppid", do_getppid, 1},
    {"read", do_read, 1},
    {"write", do_write, 1},
    {"ioctl", do_ioctl, 1},
    {"clock_gettime", do_clock_gettime, 1},
    {"mix", do_mix, 5},
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static unsigned long
parse_ulong(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "syscall-loop: '%s' is not a number from %lu to %lu\n", s, min,
		        max);
		exit(2);
	}
	return v;
}

/* One block of N rounds of case C, in ns per system call. */
static double
time_block(size_t c, unsigned long n)
{
	uint64_t t0 = now_ns();

	for (unsigned long i = 0; i < n; i++)
		cases[c].fn();
	return (double) (now_ns() - t0) / (double) (n * cases[c].calls);
}

static int
serve(bool allow_all_filter)
{
	char line[256], name[64];
	unsigned long n;

	if (allow_all_filter) {
		struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		struct sock_fprog prog = {.len = 1, .filter = &allow};

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
			perror("syscall-loop: unable to load the allow-all filter");
			return 1;
		}
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		size_t c;

		if (sscanf(line, "%63s %lu", name, &n) != 2 || n == 0)
			return 2;
		for (c = 0; c < N_CASES; c++)
			if (strcmp(cases[c].name, name) == 0)
				break;
		if (c == N_CASES)
			return 2;
		printf("%.3f\n", time_block(c, n));
	}
	return 0;
}

struct server {
	char *name;
	pid_t pid;
	FILE *to, *from;
	double *ns;    /* [round][case] */
	double *ratio; /* [round][case], to the first server */
};

static void
start_server(struct server *s, char *spec)
{
	char *argv[MAX_WORDS + 1], *eq = strchr(spec, '=');
	int in[2], out[2], n = 0;

	if (eq == NULL) {
		fprintf(stderr, "syscall-loop: '%s' is not NAME=CMD\n", spec);
		exit(2);
	}
	*eq = '\0';
	s->name = spec;
	for (char *w = strtok(eq + 1, " "); w != NULL && n < MAX_WORDS; w = strtok(NULL, " "))
		argv[n++] = w;
	argv[n] = NULL;
	if (n == 0 || pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		fprintf(stderr, "syscall-loop: bad command or no pipe for '%s'\n", s->name);
		exit(2);
	}
	s->pid = fork();
	if (s->pid < 0) {
		perror("syscall-loop: fork");
		exit(1);
	}
	if (s->pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	s->to = fdopen(in[1], "w");
	s->from = fdopen(out[0], "r");
	if (s->to == NULL || s->from == NULL) {
		perror("syscall-loop: fdopen");
		exit(1);
	}
	setvbuf(s->to, NULL, _IOLBF, 0);
}

static double
ask(struct server *s, size_t c, unsigned long n)
{
	char line[64];

	fprintf(s->to, "%s %lu\n", cases[c].name, n);
	if (fgets(line, sizeof(line), s->from) == NULL) {
		fprintf(stderr, "syscall-loop: '%s' gave no answer\n", s->name);
		exit(1);
	}
	return strtod(line, NULL);
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(double), compare_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
compare(int argc, char **argv)
{
	struct server servers[MAX_CMDS];
	unsigned long rounds, n;
	size_t n_servers;
	double *col;
	int status, ret = 0;

	if (argc < 5 || argc - 4 > MAX_CMDS) {
		fprintf(stderr, "usage: syscall-loop --compare ROUNDS N NAME=CMD...\n");
		return 2;
	}
	rounds = parse_ulong(argv[2], 1, MAX_ROUNDS);
	n = parse_ulong(argv[3], 1, 100000000);
	n_servers = (size_t) argc - 4;
	col = calloc(rounds, sizeof(double));
	if (col == NULL)
		return 1;
	for (size_t i = 0; i < n_servers; i++) {
		start_server(&servers[i], argv[4 + i]);
		servers[i].ns = calloc(rounds * N_CASES, sizeof(double));
		servers[i].ratio = calloc(rounds * N_CASES, sizeof(double));
		if (servers[i].ns == NULL || servers[i].ratio == NULL)
			return 1;
	}
	/* One untimed round: page faults, caches, the jail's first steps. */
	for (size_t c = 0; c < N_CASES; c++)
		for (size_t i = 0; i < n_servers; i++)
			(void) ask(&servers[i], c, n);
	for (unsigned long r = 0; r < rounds; r++)
		for (size_t c = 0; c < N_CASES; c++) {
			for (size_t k = 0; k < n_servers; k++) {
				size_t i = (r + c + k) % n_servers;

				servers[i].ns[r * N_CASES + c] = ask(&servers[i], c, n);
			}
			for (size_t i = 0; i < n_servers; i++)
				servers[i].ratio[r * N_CASES + c] =
				    servers[i].ns[r * N_CASES + c] / servers[0].ns[r * N_CASES + c];
		}
	for (size_t i = 0; i < n_servers; i++)
		for (size_t c = 0; c < N_CASES; c++) {
			double m_ns, m_ratio;

			for (unsigned long r = 0; r < rounds; r++)
				col[r] = servers[i].ns[r * N_CASES + c];
			m_ns = median(col, rounds);
			for (unsigned long r = 0; r < rounds; r++)
				col[r] = servers[i].ratio[r * N_CASES + c];
			m_ratio = median(col, rounds);
			printf("%s %s %.1f %.4f\n", servers[i].name, cases[c].name, m_ns, m_ratio);
		}
	for (size_t i = 0; i < n_servers; i++) {
		fclose(servers[i].to);
		fclose(servers[i].from);
		if (waitpid(servers[i].pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "syscall-loop: '%s' failed\n", servers[i].name);
			ret = 1;
		}
	}
	return ret;
}

int
main(int argc, char **argv)
{
	unsigned long n = 300000;

	zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (zero_fd < 0 || null_fd < 0 || pipe2(pipe_fds, O_CLOEXEC) < 0) {
		perror("syscall-loop: unable to open /dev/zero, /dev/null or a pipe");
		return 1;
	}
	if (argc > 1 && strcmp(argv[1], "--serve") == 0)
		return serve(argc > 2 && strcmp(argv[2], "--allow-all-filter") == 0);
	if (argc > 1 && strcmp(argv[1], "--compare") == 0)
		return compare(argc, argv);
	if (argc > 1)
		n = parse_ulong(argv[1], BLOCKS * 10, 1000000000);
	for (size_t c = 0; c < N_CASES; c++)
		printf("%s %.1f\n", cases[c].name, time_case(cases[c].fn, cases[c].calls, n));
	return 0;
}
