# The programs of `make bench` (tests/bench/run): the interleaving timer
# and the system call loop the seccomp overhead is measured with, and
# the watcher of a first window. Plain
# -O2, no sanitizers: they measure, and one of them runs inside jails.
# In TESTS, so `make tests-all` (which `make bench` and `make check` run)
# builds them.
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(B)/tests/bench/%)
TESTS      += $(BENCH_BINS)

$(B)/tests/bench/%: tests/bench/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu17 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -o $@ $< $(BENCH_LIBS_$*)

# The time-to-first-window row talks X11 (the host's display or a jail's
# nested one).
BENCH_LIBS_first-window := -lxcb -lXau
