# dispatch: PID 1 of a jail, linked into the jailer (dispatch.h).
DISPATCH_SRCS := $(wildcard dispatch/*.c)
DISPATCH_OBJS := $(DISPATCH_SRCS:%.c=$(B)/%.o)
ALL_OBJS      += $(DISPATCH_OBJS)
