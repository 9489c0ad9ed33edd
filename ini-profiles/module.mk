# libjailprofile.a: the profile model and parser; profiles/*.ini are shipped.
PROFILE_SRCS := $(wildcard ini-profiles/*.c)
PROFILE_OBJS := $(PROFILE_SRCS:%.c=$(B)/%.o)
LIBPROFILE   := $(B)/libjailprofile.a
ALL_OBJS     += $(PROFILE_OBJS)
PROFILE_DATA := $(wildcard ini-profiles/profiles/*.ini)
DATA         += $(PROFILE_DATA:ini-profiles/profiles/%=$(B)/share/jailsup/profiles/%)

$(LIBPROFILE): $(PROFILE_OBJS)
	$(AR) rcs $@ $^

$(B)/share/jailsup/profiles/%.ini: ini-profiles/profiles/%.ini
	@mkdir -p $(@D)
	cp $< $@

# tests/module.mk links test-profile% with this library, but a pattern's
# stem is never empty, so test-profile itself needs its own rule (explicit
# rules win over the generic test-% one).
$(B)/tests/unit/test-profile: $(B)/tests/unit/test-profile.o $(LIBPROFILE) $(LIBSTATE)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS)
