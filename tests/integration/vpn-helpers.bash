# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# tests/integration/vpn-helpers.bash: `load vpn-helpers` after `load
# helpers`, `load jail-helpers` and `load supervisor-helpers` in the tests
# of networked jails (60-network, 61-wireguard, 70-trust-vpn). It adds:
#
#   vpn_jail_profile NAME FILE     the profile NAME running /usr/bin/env
#                                  with `vpn = FILE`
#   assert_vpn_refused NAME WANT…  a start of jail NAME fails with one line
#                                  on stderr holding every WANT, then the
#                                  CLI's own "did not start"; no VPN helper
#                                  (openvpn, wireguard-go) nor pasta was
#                                  started for it (the net standby's
#                                  pasta is none of its), and $MARKER, when
#                                  set, was never created. $status is the
#                                  start's.
#   probe NAME KIND ARGS…          runs python3 -c "$PROBE" KIND ARGS… in
#                                  jail NAME (its /usr/bin/env profile):
#     tcp HOST PORT                  prints "open", or "closed: ERROR" and
#                                    exits 1 (so does every kind)
#     tcp-dev DEV HOST PORT          the same from a socket bound to
#                                    interface DEV (SO_BINDTODEVICE: reaches
#                                    on-link whatever the routes)
#     http HOST PORT                 prints the body of GET /
#     udp-dev DEV HOST PORT          sends a datagram from a socket bound to
#                                    DEV, prints "sent"
#     name NAME                      prints the address NAME resolves to
#     abstract NAME                  connects to the abstract unix socket @NAME
#     unix PATH                      connects to the unix socket PATH
#   host_listener KIND ARG         a listener of the test user on the host,
#                                  in the background; sets LISTEN to what a
#                                  probe names: `abstract NAME` (the
#                                  abstract unix socket @NAME), `tcp ADDR`
#                                  (TCP on ADDR, a free port)
#   keep_running NAME              an app (sleep 1000) keeps jail NAME
#                                  running; returns once the jail runs and
#                                  the app is there, seen from the host (an
#                                  `enter` of our own could be the jail's
#                                  first app, and end it by ending)
#   helper_pid NAME HELPER         the PID in jail NAME's HELPER.pid (pasta,
#                                  openvpn, wireguard); what the state dir
#                                  holds instead goes to stderr
#   assert_start_left_nothing NAME the start of jail NAME failed and left
#                                  nothing: its iso-pipe is gone, no pasta,
#                                  openvpn, wireguard-go nor tether of the
#                                  user runs (but the net standby's), its state says failed and
#                                  `jailsup list` no other status, no pid
#                                  file is left in its state dir

# $output, $status and $stderr come from bats' run; LISTEN is for the tests.
# shellcheck disable=SC2154,SC2034

vpn_jail_profile() {
	printf '[jail]\nexec = /usr/bin/env\nvpn = %s\n' "$2" | write_profile "$1"
}

assert_vpn_refused() {
	local name=$1 first
	shift
	run --separate-stderr jailsup run "$name" -- true
	[ "$status" -ne 0 ] || fail "the jail started: $output"
	first=$(head -n 1 <<<"$stderr")
	for want in "$@"; do
		[[ $first == *"$want"* ]] || fail "the first line lacks '$want': $stderr"
	done
	[ "$(sed 1d <<<"$stderr")" = "jailsup: error: jail '$name' did not start" ] ||
		fail "more than the one line: $stderr"
	[ -z "${MARKER:-}" ] || [ ! -e "$MARKER" ] || fail "the marker '$MARKER' was created"
	! pgrep -u "$(id -u)" -x openvpn >/dev/null || fail "openvpn runs: $(pgrep -u "$(id -u)" -a -x openvpn)"
	! pgrep -u "$(id -u)" -f wireguard-go >/dev/null || fail "wireguard-go runs for a refused jail"
	# The supervisor's net standby has a pasta of its own, started ahead
	# for no jail (it may still be starting): any other is the start's.
	wait_standby_net
	! pgrep_but_standby_net -x "$PASTA_COMMS" >/dev/null ||
		fail "pasta runs for a refused jail: $(pgrep_but_standby_net -a -x "$PASTA_COMMS")"
}

PROBE='
import socket, sys
kind, args = sys.argv[1], sys.argv[2:]
try:
    if kind == "tcp-dev":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, args[0].encode())
        s.settimeout(3)
        s.connect((args[1], int(args[2])))
        print("open")
    elif kind in ("tcp", "http"):
        s = socket.create_connection((args[0], int(args[1])), timeout=3)
        if kind == "http":
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            print(data.split(b"\r\n\r\n", 1)[1].decode().strip())
        else:
            print("open")
    elif kind == "udp-dev":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, args[0].encode())
        s.sendto(b"leak", (args[1], int(args[2])))
        print("sent")
    elif kind == "name":
        print(socket.gethostbyname(args[0]))
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(3)
        s.connect(("\0" + args[0]) if kind == "abstract" else args[0])
        print("open")
except OSError as e:
    print("closed:", type(e).__name__, e)
    sys.exit(1)
'

probe() {
	local name=$1
	shift
	jailsup run "$name" -- python3 -c "$PROBE" "$@"
}

host_listener() {
	local kind=$1 arg=$2 ready=$BATS_TEST_TMPDIR/listener.$RANDOM
	bg python3 -c '
import os, socket, sys
kind, arg, ready = sys.argv[1:]
if kind == "abstract":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind("\0" + arg)
    name = arg
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((arg, 0))
    name = str(s.getsockname()[1])
s.listen(16)
open(ready + ".tmp", "w").write(name)
os.rename(ready + ".tmp", ready)
while True:
    s.accept()[0].close()
' "$kind" "$arg" "$ready"
	wait_for_file "$ready"
	LISTEN=$(cat "$ready")
}

_sleeping_in() {
	[ "$(state_get "$1" status)" = running ] && pgrep -u "$(id -u)" -fx 'sleep 1000' >/dev/null
}

keep_running() {
	bg jailsup run "$1" -- sleep 1000
	wait_for _sleeping_in "$1"
}

helper_pid() {
	local pid _ dir
	dir=$(state_dir "$1")
	if ! read -r pid _ <"$dir/$2.pid"; then
		ls -l "$dir" >&2
		cat "$dir/state" "$dir/log" "$XDG_RUNTIME_DIR/jailsup/daemon.log" >&2
		return 1
	fi
	echo "$pid"
}

# Prints what is left, for wait_for's message. The net standby's pasta
# and tether are no start's (while a new one is made, they are not known
# yet: the wait goes on until it is ready).
_start_helpers_gone() {
	! pgrep_but_standby_net -a -x "openvpn|wireguard-go|$PASTA_COMMS|jailsup-tether"
}

assert_start_left_nothing() {
	local name=$1 dir listed
	dir=$(state_dir "$name")
	wait_jail_gone "$name"
	wait_for _start_helpers_gone
	[ "$(state_get "$name" status)" = failed ] || fail "status $(state_get "$name" status)"
	run jailsup list --json
	assert_status 0
	listed=$(jq -r --arg n "$name" '[.[] | select(.name == $n) | .status] | join(" ")' <<<"$output") ||
		fail "jailsup list --json: $output"
	[ -z "$listed" ] || [ "$listed" = failed ] || fail "jailsup list shows '$name' $listed: $output"
	! compgen -G "$dir/*.pid" >/dev/null || fail "pid files are left: $(ls "$dir")"
}

# net_profile NAME [LINE…]: /usr/bin/env (so `jailsup run NAME -- CMD`
# runs CMD) with LINEs in [jail] and after; with no network line, the
# default rights' network: pasta.
net_profile() {
	local name=$1
	shift
	{
		echo "[jail]"
		echo "exec = /usr/bin/env"
		printf '%s\n' "$@"
	} | write_profile "$name"
}
