# libjailstate.a: the state-directory library linked by all three binaries.
STATE_SRCS := $(wildcard state/*.c)
STATE_OBJS := $(STATE_SRCS:%.c=$(B)/%.o)
LIBSTATE   := $(B)/libjailstate.a
ALL_OBJS   += $(STATE_OBJS)

$(LIBSTATE): $(STATE_OBJS)
	rm -f $@
	$(AR) rcs $@ $^
