# libjailprofile.a: the profile model and parser; profiles/*.ini are shipped.
PROFILE_SRCS := $(wildcard ini-profiles/*.c)
PROFILE_OBJS := $(PROFILE_SRCS:%.c=$(B)/%.o)
LIBPROFILE   := $(B)/libjailprofile.a
ALL_OBJS     += $(PROFILE_OBJS)
PROFILE_DATA := $(wildcard ini-profiles/profiles/*.ini)
DATA         += $(PROFILE_DATA:ini-profiles/profiles/%=$(B)/share/jailsup/profiles/%)

$(LIBPROFILE): $(PROFILE_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/share/jailsup/profiles/%.ini: ini-profiles/profiles/%.ini
	@mkdir -p $(@D)
	cp $< $@

