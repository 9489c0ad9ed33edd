#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The VPN side of the trust boundary (docs/architecture.md "The VPN"),
# played from real jails. openvpn runs outside every jail, so what it reads
# decides what runs on the host: the way out was a browser jail with
# `rw = ~/Downloads` writing one line (`setenv opt plugin ~/Downloads/x.so`)
# and a .so into the folder a VPN jail's profile took its .ovpn from; the
# next VPN start ran the .so as the user. Each attack here uses a real .so
# that leaves a marker file if it is ever loaded.
#
# The end-to-end test uses the VPN server of 60-network.fixture (this
# file's fixture is the same script): every packet stays on this machine.

# $output, $status and $stderr come from bats' run; the scripts run in
# jails are single-quoted on purpose.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load vpn-helpers

setup() {
	# A refusal is immediate; only a start that was not refused waits for
	# a server (which, but for the last test, does not exist).
	export JAILSUP_VPN_TIMEOUT=10
}

teardown() {
	jail_teardown
}

need_fixture() {
	[ -n "${JAILSUP_FIXTURE:-}" ] && [ -r "$JAILSUP_FIXTURE/client.crt" ] ||
		fail "no VPN fixture: run the tests as root through tests/run-tests (70-trust-vpn.fixture)"
}

# make_plugin: $PLUGIN, a real shared object that creates $MARKER when it
# is loaded (its constructor runs at dlopen(), before openvpn asks it
# anything), and the script $TLS_VERIFY, which creates it when run.
make_plugin() {
	MARKER=$BATS_TEST_TMPDIR/plugin-ran
	PLUGIN=$BATS_TEST_TMPDIR/x.so
	TLS_VERIFY=$BATS_TEST_TMPDIR/tls-verify.sh
	printf '#include <fcntl.h>\n#include <unistd.h>\n%s\n' \
		'__attribute__((constructor)) static void ran(void) { close(open(MARKER, O_WRONLY | O_CREAT, 0644)); }' \
		>"$BATS_TEST_TMPDIR/x.c"
	gcc -shared -fPIC -DMARKER="\"$MARKER\"" -o "$PLUGIN" "$BATS_TEST_TMPDIR/x.c" ||
		fail "unable to build the test plugin (gcc, scripts/packages.txt)"
	printf '#!/bin/sh\ntouch %s\n' "$MARKER" >"$TLS_VERIFY"
	chmod 0755 "$TLS_VERIFY"
}

# A browser jail whose profile shares DOWNLOADS read-write.
browser_profile() {
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nrw = %s\n' "$1" |
		write_profile browser
}

@test "a .ovpn another jail wrote into its share, with setenv opt plugin and a .so: refused, nothing loaded" {
	local downloads
	make_plugin
	downloads=$(home_tmpdir)
	browser_profile "$downloads"
	# The browser jail, from inside: the .so it was served and one line.
	run jailsup run browser -c 'cat >"$1/x.so" && printf "%s\n" client "remote 192.0.2.1 1194" "setenv opt plugin $1/x.so" >"$1/myvpn.ovpn" && echo WRITTEN' \
		sh "$downloads" <"$PLUGIN"
	assert_status 0
	assert_output_contains WRITTEN
	[ -s "$downloads/x.so" ] && grep -q 'setenv opt plugin' "$downloads/myvpn.ovpn" ||
		fail "the browser jail could not write its files"
	vpn_jail_profile work "$downloads/myvpn.ovpn"
	assert_vpn_refused work "the VPN configuration '$downloads/myvpn.ovpn'" \
		"'$downloads', a read-write share of profile 'browser'" "which a jail can write" \
		"move the file where no jail can write"
	# The same through a symlink the browser jail planted in its share.
	run jailsup run browser -c 'ln -s myvpn.ovpn "$1/link.ovpn" && echo LINKED' sh "$downloads"
	assert_output_contains LINKED
	vpn_jail_profile work2 "$downloads/link.ovpn"
	assert_vpn_refused work2 "symlink" "'$downloads', a read-write share of profile 'browser'"
}

@test "a .ovpn out of every jail's reach with a directive that runs code: refused with FILE:LINE" {
	local conf line
	make_plugin
	conf=$XDG_CONFIG_HOME/jailsup/profiles/work.ovpn
	vpn_jail_profile work work.ovpn
	for line in "setenv opt plugin $PLUGIN" "setenv opt tls-verify \"/bin/sh -c 'touch $MARKER'\"" \
		"plugin $PLUGIN" "--plugin $PLUGIN" "pkcs11-providers $PLUGIN" "providers legacy" \
		"engine $PLUGIN" "tls-verify $TLS_VERIFY" "up $TLS_VERIFY" "script-security 3" \
		"auth-user-pass-verify $TLS_VERIFY via-env" "http-proxy 127.0.0.1 3128 /etc/passwd" \
		"replay-persist $BATS_TEST_TMPDIR/replay" "askpass" "management 127.0.0.1 7505" \
		"config $BATS_TEST_TMPDIR/other.conf" "comp-lzo yes"; do
		printf 'client\ndev tun\nremote 192.0.2.1 1194\n%s\nverb 3\n' "$line" >"$conf"
		assert_vpn_refused work "$conf:4: " "in a jail's VPN config"
	done
	# What openvpn would read as a line of its own, after 254 bytes.
	{
		printf 'client\nremote 192.0.2.1 1194\nverb 3%250s' ''
		printf 'setenv opt plugin %s\n' "$PLUGIN"
	} >"$conf"
	assert_vpn_refused work "$conf:3: a line longer than 254 bytes"
	[ ! -e "$BATS_TEST_TMPDIR/replay" ] || fail "openvpn wrote the replay file"
}

@test "a file a clean .ovpn names, in another jail's share or through its symlink: refused" {
	local downloads conf
	make_plugin
	downloads=$(home_tmpdir)
	browser_profile "$downloads"
	conf=$XDG_CONFIG_HOME/jailsup/profiles/work.ovpn
	vpn_jail_profile work work.ovpn
	run jailsup run browser -c 'echo "-----BEGIN CERTIFICATE-----" >"$1/ca.crt" && ln -s /etc/passwd "$1/key.pem" && echo WRITTEN' sh "$downloads"
	assert_output_contains WRITTEN
	printf 'client\ndev tun\nremote 192.0.2.1 1194\nca %s\nverb 3\n' "$downloads/ca.crt" >"$conf"
	assert_vpn_refused work "the file '$downloads/ca.crt' that the VPN configuration '$conf' names (line 4, 'ca')" \
		"'$downloads', a read-write share of profile 'browser'" "which a jail can write"
	printf 'client\nremote 192.0.2.1 1194\n<ca>\nx\n</ca>\nkey %s\n' "$downloads/key.pem" >"$conf"
	assert_vpn_refused work "(line 6, 'key')" "symlink" "'$downloads', a read-write share of profile 'browser'"
	# A relative name is relative to the .ovpn's folder: a link there to
	# the share is followed (the user made it), and the share still found.
	ln -s "$downloads/ca.crt" "$XDG_CONFIG_HOME/jailsup/profiles/ca.crt"
	printf 'client\nremote 192.0.2.1 1194\nca ca.crt\n' >"$conf"
	assert_vpn_refused work "'$XDG_CONFIG_HOME/jailsup/profiles/ca.crt'" "(line 3, 'ca')" \
		"'$downloads', a read-write share of profile 'browser'"
	# Nor a file others may write, nor one that is not a file.
	rm "$XDG_CONFIG_HOME/jailsup/profiles/ca.crt"
	echo x >"$XDG_CONFIG_HOME/jailsup/profiles/ca.crt"
	chmod 0664 "$XDG_CONFIG_HOME/jailsup/profiles/ca.crt"
	assert_vpn_refused work "(line 3, 'ca') must be a regular file of yours (or root's) that nobody else can write"
	printf 'client\nremote 192.0.2.1 1194\nca /dev/null\n' >"$conf"
	assert_vpn_refused work "(line 3, 'ca') is not a regular file"
	printf 'client\nremote 192.0.2.1 1194\nca missing.crt\n' >"$conf"
	assert_vpn_refused work "(line 3, 'ca'): No such file or directory"
}

# fixture_ovpn NAME [LINE…]: a .ovpn beside the profile NAME that reaches
# the fixture's server, with its keys as files in a folder of the user's.
fixture_ovpn() {
	local name=$1 dir=$XDG_CONFIG_HOME/jailsup/profiles
	shift
	mkdir -p "$dir/keys"
	cp "$JAILSUP_FIXTURE/client.crt" "$JAILSUP_FIXTURE/client.key" "$dir/keys/"
	chmod 0600 "$dir/keys/client.key"
	{
		echo '# as a provider ships it, with the lines a jail refuses taken out'
		echo client
		echo 'dev tun'
		echo 'proto udp'
		echo 'remote 198.18.42.2 1194'
		echo 'resolv-retry infinite'
		echo nobind
		echo persist-key
		echo persist-tun
		echo 'remote-cert-tls server'
		echo 'verify-x509-name jailsup-test-server name'
		echo 'cert keys/client.crt'
		echo '--key "keys/client.key"'
		echo auth-nocache
		echo 'verb 3'
		echo '<ca>'
		cat "$JAILSUP_FIXTURE/ca.crt"
		echo '</ca>'
		printf '%s\n' "$@"
	} >"$dir/$name.ovpn"
	vpn_jail_profile "$name" "$name.ovpn"
}

_sleeping_in() {
	[ "$(state_get "$1" status)" = running ] && pgrep -u "$(id -u)" -fx 'sleep 1000' >/dev/null
}

@test "openvpn runs confined: its own read-only view, CAP_NET_ADMIN alone, no_new_privs, seccomp" {
	need_fixture
	local pid root caps
	fixture_ovpn work
	bg jailsup run work -- sleep 1000
	wait_for _sleeping_in work
	read -r pid _ <"$(state_dir work)/openvpn.pid" || fail "no openvpn.pid"
	_comm_is "$pid" openvpn || fail "openvpn.pid names $(cat "/proc/$pid/comm")"
	caps=$(awk '$1 == "CapEff:" || $1 == "CapPrm:" || $1 == "CapAmb:" || $1 == "CapBnd:" { print $2 }' \
		"/proc/$pid/status" | sort -u)
	[ "$caps" = 0000000000001000 ] || fail "capabilities beyond CAP_NET_ADMIN: $(grep ^Cap "/proc/$pid/status")"
	grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$pid/status" || fail "no no_new_privs"
	grep -q '^Seccomp:[[:space:]]*2$' "/proc/$pid/status" || fail "no seccomp filter"
	[ "$(tr '\0' '\n' <"/proc/$pid/environ")" = "PATH=/usr/sbin:/usr/bin:/sbin:/bin" ] ||
		fail "environment: $(tr '\0' ' ' <"/proc/$pid/environ")"
	# Its root: what it needs, not the host's.
	root=/proc/$pid/root
	[ -e "$root/run/jailsup/vpn-script" ] && [ -c "$root/dev/net/tun" ] &&
		[ -e "$root/run/jailsup/resolv.conf" ] || fail "its view lacks what it needs: $(ls -R "$root/run" "$root/dev")"
	[ -e "$root$XDG_CONFIG_HOME/jailsup/profiles/keys/client.key" ] || fail "its key is not there"
	[ ! -e "$root$XDG_CONFIG_HOME/jailsup/profiles/work.ini" ] || fail "the profile folder is there"
	[ ! -e "$root$HOME" ] || fail "the home is there: $(ls -A "$root$HOME")"
	[ ! -e "$root$XDG_RUNTIME_DIR/jailsup" ] && [ ! -e "$root/proc/1" ] && [ ! -e "$root/etc/passwd" ] ||
		fail "the runtime dir, /proc or /etc is there: $(ls -A "$root" "$root/etc")"
	# Read-only but for the tun device, the jail's resolv.conf, the
	# harmless devices and a /tmp of its own.
	run awk '$6 !~ /^ro(,|$)/ { print $5 }' "/proc/$pid/mountinfo"
	[ "$(sort <<<"$output")" = "$(printf '%s\n' /dev/full /dev/net/tun /dev/null /dev/random \
		/dev/urandom /dev/zero /run/jailsup/resolv.conf /tmp | sort)" ] || fail "writable mounts: $output"
	# Of the folders the .ovpn's files are in (here below /tmp), only the
	# way to those files.
	run find "$root/tmp" -not -type d
	[ "$(sort <<<"$output")" = "$(printf '%s\n' \
		"$root$XDG_CONFIG_HOME/jailsup/profiles/keys/client."{crt,key} | sort)" ] ||
		fail "more than its files in its /tmp: $output"
	run jailsup kill work
	assert_status 0
}

@test "a clean .ovpn with inline and relative files brings the tunnel up" {
	need_fixture
	fixture_ovpn work
	run jailsup run work -- python3 -c 'import urllib.request as u
print(u.urlopen("http://10.89.0.1:8089/", timeout=3).read().decode().strip())'
	assert_status 0
	[ "$output" = vpn-ok ] || fail "through the tunnel: $output"
}

@test "an openvpn that says 'waiting for a WireGuard handshake' on its ready pipe fails the start" {
	need_fixture
	# openvpn holds its ready pipe and parses the server's packets: a
	# compromised one may write any byte there. Played by the script
	# openvpn runs, which has the same pipe, from an install the user
	# owns: it writes 'h' (WireGuard's "handshaking") before the real
	# ready byte.
	local inst=$BATS_TEST_TMPDIR/inst
	mkdir -p "$inst"
	cp -R "$JAILSUP_BUILD/bin" "$JAILSUP_BUILD/libexec" "$JAILSUP_BUILD/share" "$inst/"
	sed -i '1a { printf h >\&"$JAILSUP_READY_FD"; } 2>/dev/null || :' "$inst/libexec/jailsup/vpn-script"
	grep -q 'printf h' "$inst/libexec/jailsup/vpn-script" || fail "the script was not changed"
	export PATH="$inst/bin:$PATH"
	fixture_ovpn work
	run jailsup run work -- echo started
	[ "$status" -ne 0 ] || fail "the jail started: $output"
	assert_output_contains "openvpn wrote 'h' on its ready pipe, not its ready byte"
	[[ $output != *"WireGuard handshake"* ]] || fail "openvpn's byte read as WireGuard's: $output"
	[[ $output != *started* ]] || fail "the app ran: $output"
}
