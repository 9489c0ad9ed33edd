#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A start killed -9 at any step leaves nothing behind (docs/architecture.md
# §4, "A start killed at any step"). The supervisor and the jailer of the
# fault-injection build ($JAILSUP_BUILD/tests/helpers/fault, state/fault.h)
# kill themselves with SIGKILL at the step $JAILSUP_CRASH_AT names; the
# steps come from the binaries (`--list-steps`), so a step added to the
# start is played here without a change to this file. After each kill:
#
#   - no process of jailsup runs but a supervisor, its standby jailers (the
#     net one with its pasta and that pasta's tether), and
#     a jail whose state file names its live jailer (a start killed after
#     it recorded the jail: that jail runs, and the next run joins it);
#   - nothing is mounted below the test's runtime or data directory but the
#     home of such a jail;
#   - `jailsup list` agrees with /proc: the jail is starting or running
#     exactly when its recorded jailer lives;
#   - the next `jailsup run` (the normal build) works, and once its app has
#     ended, nothing is left at all.
#
# Found on 344ac55 by a sweep of kill -9 at random delays: pasta running
# for good after the supervisor died (its daemon out of reach), a jailer
# running a jail no state recorded, and temp files left behind.

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load crypt-helpers
load server-helpers

FAULT=$JAILSUP_BUILD/tests/helpers/fault
# What jailsup runs, by command name (pasta re-executes itself as its
# CPU-specific build).
COMMS='jailsup|jailer|dispatch|jailsup-keeper|jailsup-tether|xdg-dbus-proxy|pasta|passt|pasta.avx2|passt.avx2|openvpn|wireguard-go|gocryptfs|encfs|Xephyr'

setup() {
	[ -x "$FAULT/libexec/jailsup/supervisor" ] && [ -x "$FAULT/libexec/jailsup/jailer" ] ||
		fail "no fault-injection build in '$FAULT' (make tests-all)"
	export JAILSUP_VPN_TIMEOUT=20
}

teardown() {
	jail_teardown
}

# _steps VICTIM: the steps of the fault build's supervisor or jailer.
_steps() {
	"$FAULT/libexec/jailsup/$1" --list-steps
}

# _recorded NAME: the PID of the jail's jailer when its state file names
# one that is alive (start time checked), else fails.
_recorded() {
	local pid start
	pid=$(state_get "$1" jailer-pid)
	start=$(state_get "$1" jailer-start)
	[ -n "$pid" ] && _alive "$pid" && [ "$(proc_start "$pid")" = "$start" ] && echo "$pid"
}

# _mounts: what is mounted below the test's runtime or data directory.
_mounts() {
	awk -v r="$XDG_RUNTIME_DIR/" -v d="$XDG_DATA_HOME/" \
		'index($5, r) == 1 || index($5, d) == 1 { print $5 }' /proc/self/mountinfo
}

# _supervisor_and_standby: the PIDs a supervisor left alive may have: its
# own, its standby jailer's (a child of it), and its net standby's jailer,
# tether and pasta once that pasta is ready (supervisor-helpers).
_supervisor_and_standby() {
	local sup p
	sup=$(daemon_pid 2>/dev/null) && _alive "$sup" || return 0
	echo "$sup"
	for p in $(pgrep -u "$(id -u)" -P "$sup" -x jailer); do
		[[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" == "jailer --standby "* ]] && echo "$p"
	done
	standby_net_pids || :
}

# _clean NAME: the invariants, for a jail that must not run (its start
# never recorded a jailer, or the jailer is gone): no process of jailsup
# but a supervisor and its standby, no mount, and `list` does not say it
# runs. Prints what is wrong.
_clean() {
	local name=$1 p status ok
	local -a allowed
	mapfile -t allowed < <(_supervisor_and_standby)
	for p in $(pgrep -u "$(id -u)" -x "$COMMS" 2>/dev/null); do
		_alive "$p" || continue
		ok=
		for a in "${allowed[@]}"; do [ "$a" = "$p" ] && ok=1; done
		[ -n "$ok" ] && continue
		echo "left running: $p $(cat "/proc/$p/comm" 2>/dev/null) ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null))"
		return 1
	done
	if [ -n "$(_mounts)" ]; then
		echo "left mounted: $(_mounts)"
		return 1
	fi
	status=$(jailsup list --json | jq -r --arg n "$name" '.[] | select(.name == $n) | .status')
	case $status in
	'' | stopped | failed) ;;
	*)
		echo "list says '$status' with no jailer alive"
		return 1
		;;
	esac
	# A temp file of an atomic write is gone once the directory is
	# taken over again (the next start, or the end): here, at most while
	# a write is under way.
}

# _list_agrees NAME: `list` says the jail runs (starting, running,
# degraded) exactly when its recorded jailer lives.
_list_agrees() {
	local status
	status=$(jailsup list --json | jq -r --arg n "$1" '.[] | select(.name == $n) | .status')
	if _recorded "$1" >/dev/null; then
		case $status in
		starting | running | degraded) return 0 ;;
		esac
	else
		case $status in
		'' | stopped | failed | stopping) return 0 ;;
		esac
	fi
	echo "list says '$status'; the recorded jailer: $(_recorded "$1" || echo none)"
	return 1
}

_list_stopped() {
	[ "$(jailsup list --json | jq -r --arg n "$1" '.[] | select(.name == $n) | .status')" = stopped ]
}

# _stop_supervisor: the supervisor of the last round leaves (TERM), its
# standby with it.
_stop_supervisor() {
	local pid
	pid=$(daemon_pid 2>/dev/null) || return 0
	_alive "$pid" || return 0
	kill -TERM "$pid"
	wait_for _not_alive "$pid"
	wait_for_gone "$XDG_RUNTIME_DIR/jailsup/control"
}

# _no_temps NAME: no .X.tmp of an atomic write is left in the state dir.
_no_temps() {
	local left
	left=$(find "$(state_dir "$1")" -maxdepth 1 -name '.*.tmp' 2>/dev/null)
	[ -z "$left" ] || {
		echo "temp files left: $left"
		return 1
	}
}

# crash_profile NAME [LINE…]: env_profile NAME with LINEs and an init
# script that leaves init-ran in the jail's home: the jail's own code ran.
crash_profile() {
	local name=$1 dir=$XDG_CONFIG_HOME/jailsup/profiles
	shift
	env_profile "$name" "init-script = init-ran.sh" "$@"
	# shellcheck disable=SC2016 # expanded in the jail
	printf '#!/bin/bash\n: >"$HOME/init-ran"\n' >"$dir/init-ran.sh"
	chmod 0700 "$dir/init-ran.sh"
}

# crash_round VICTIM STEP NAME [ENV…]: a start of NAME with the fault
# build, whose VICTIM (supervisor or jailer) dies at STEP; then the
# invariants, the next run, and the end. Returns 0, or 3 when the start
# never reached STEP (the supervisor lived on). ENV: extra variables of the
# start (a bus address). With CRASH_AHEAD set, the fault build's
# supervisor is started first and the start comes once its net standby
# is ready: a pasta jail's start takes it (pasta started ahead).
crash_round() {
	local victim=$1 step=$2 name=$3 sup jailer rc moved ahead='' ahead_pasta=''
	shift 3
	_stop_supervisor
	rm -f "$(jail_home "$name")/init-ran"
	if [ -n "${CRASH_AHEAD:-}" ]; then
		env "$@" JAILSUP_CRASH_AT="$step" "$FAULT/bin/jailsup" daemon ||
			fail "$step: the fault build's supervisor did not start" || return
		wait_for --timeout 20 standby_net_pids || fail "$step: no net standby" || return
		ahead=$(standby_net_jailer)
		ahead_pasta=$(standby_net_pasta)
	fi
	env "$@" JAILSUP_CRASH_AT="$step" "$FAULT/bin/jailsup" run "$name" -- true \
		>"$BATS_TEST_TMPDIR/round.out" 2>&1 && rc=0 || rc=$?
	sup=$(daemon_pid) || fail "$step: no supervisor ever ran" || return
	if [ "$victim" = supervisor ]; then
		if _alive "$sup"; then
			[ "$rc" -eq 0 ] || fail "$step (not reached): the start failed: $(cat "$BATS_TEST_TMPDIR/round.out")" || return
			_stop_supervisor
			wait_for _clean "$name" || fail "$step (not reached): not clean after the jail ended" || return
			return 3
		fi
		[ "$rc" -ne 0 ] || fail "$step: the run succeeded although its supervisor died" || return
		# Taken: the state names it, or (killed before it was recorded)
		# the claim moved its pasta.pid into the state directory.
		moved=
		read -r moved _ <"$(state_dir "$name")/pasta.pid" 2>/dev/null || :
		[ -z "$ahead" ] || [ "$(state_get "$name" jailer-pid)" = "$ahead" ] ||
			[ "$moved" = "$ahead_pasta" ] ||
			fail "$step: the start did not take the net standby $ahead" || return
	else
		# The jailer died: its supervisor lives on, and the start failed.
		_alive "$sup" || fail "$step: the supervisor died with the jailer" || return
		[ "$rc" -ne 0 ] || fail "$step: the run succeeded although its jailer died" || return
		# The jailer that died is the net standby the start took.
		[ -z "$ahead" ] || wait_for _not_alive "$ahead" ||
			fail "$step: the start did not take the net standby $ahead" || return
		wait_for --timeout 20 _clean "$name" || fail "$step: not clean after the jailer died" || return
		wait_for _list_agrees "$name" || return
		_no_temps "$name" || fail "$step" || return
		# The next start by the fault build's supervisor would die again.
		_stop_supervisor
	fi
	jailer=$(_recorded "$name") || jailer=
	if [ -z "$jailer" ]; then
		wait_for --timeout 20 _clean "$name" || fail "$step: not clean after the kill" || return
	fi
	# No code of a jail runs before the state names its jailer: its init
	# script (init_marker) ran only in a jail that was recorded.
	if [ "$victim" = supervisor ] && [ -e "$(jail_home "$name")/init-ran" ] &&
		[ -z "$(state_get "$name" jailer-pid)" ]; then
		fail "$step: the jail ran its init script, and no state named its jailer"
		return
	fi
	wait_for _list_agrees "$name" || fail "$step" || return
	# The next run: the normal build (joins a recorded jail, else starts it).
	run env "$@" jailsup run "$name" -- echo next-run-ok
	[ "$status" -eq 0 ] && [[ $output == *next-run-ok* ]] ||
		fail "$step: the next run failed ($status): $output" || return
	# With no supervisor (the run joined a jail the killed one had
	# started), nothing rewrites the state: `list` tells from /proc.
	wait_for _list_stopped "$name" || fail "$step: the next run's jail did not end" || return
	_no_temps "$name" || fail "$step" || return
	_stop_supervisor
	wait_for --timeout 20 _clean "$name" || fail "$step: not clean after the next run" || return
}

# crash_all VICTIM NAME STEPS [ENV…]: crash_round at each of STEPS (a
# newline-separated list); the steps it reached are added to
# $BATS_FILE_TMPDIR/reached-VICTIM, and the time it took is shown.
crash_all() {
	local victim=$1 name=$2 steps=$3 step n=0 t0=${EPOCHREALTIME/./} rc
	shift 3
	for step in $steps; do
		crash_round "$victim" "$step" "$name" "$@" && rc=0 || rc=$?
		case $rc in
		0)
			echo "$step" >>"$BATS_FILE_TMPDIR/reached-$victim"
			n=$((n + 1))
			;;
		3) ;;
		*) return "$rc" ;;
		esac
	done
	echo "# $BATS_TEST_DESCRIPTION: $n steps killed in $(((${EPOCHREALTIME/./} - t0) / 1000)) ms" >&3
	[ "$n" -gt 0 ] || fail "no step was reached"
}

# Steps where pasta, openvpn, wireguard-go, the proxy or the keeper run or are handed
# over: played with each (the rest with no helper at all).
PASTA_STEPS='jailer-recorded namespaces pasta-spawned pasta-ready go-sent'
# pasta started ahead (the net standby's): spawned before the start came.
# From jailer-spawned on: the claim moved pasta.pid into the jail's state
# directory and the standby has the start.
PASTA_AHEAD_STEPS='jailer-spawned jailer-recorded namespaces pasta-ready go-sent'
VPN_STEPS='pasta-ready openvpn-spawned tunnel-up go-sent'
WG_STEPS='pasta-ready wireguard-spawned wireguard-up go-sent'
PROXY_STEPS='proxy-spawned proxy-ready handover jailer-spawned jailer-recorded go-sent'
XSERVER_STEPS='xserver-spawned xserver-ready handover jailer-spawned jailer-recorded go-sent'
CRYPT_STEPS='keeper-forked home-mounted handover jailer-spawned jailer-recorded go-sent ready'

@test "supervisor killed at every step of a start, no network, no helper" {
	crash_profile plain "[rights]" "deny = dbus"
	crash_all supervisor plain "$(_steps supervisor)"
}

@test "supervisor killed at the steps of pasta" {
	crash_profile pas "network = pasta" "[rights]" "deny = dbus"
	sed -i '/^network = none$/d' "$XDG_CONFIG_HOME/jailsup/profiles/pas.ini"
	crash_all supervisor pas "$PASTA_STEPS"
}

@test "supervisor killed at the steps of pasta started ahead (a pasta jail takes the net standby)" {
	crash_profile pah "network = pasta" "[rights]" "deny = dbus"
	sed -i '/^network = none$/d' "$XDG_CONFIG_HOME/jailsup/profiles/pah.ini"
	CRASH_AHEAD=1 crash_all supervisor pah "$PASTA_AHEAD_STEPS"
}

@test "supervisor killed at the steps of the D-Bus proxy (a real dbus-daemon)" {
	start_bus session
	crash_profile bus
	crash_all supervisor bus "$PROXY_STEPS" DBUS_SESSION_BUS_ADDRESS="$BUS_ADDR"
}

@test "supervisor killed at the steps of the jail's own X server (a real Xvfb)" {
	start_xvfb
	crash_profile xs "[rights]" "deny = dbus" "allow = x11"
	crash_all supervisor xs "$XSERVER_STEPS" DISPLAY="$DISPLAY"
}

@test "supervisor killed at the steps of an encrypted home (gocryptfs)" {
	enc_jail sec gocryptfs
	crash_all supervisor sec "$CRYPT_STEPS"
}

@test "supervisor killed at the steps of a VPN (a real openvpn server)" {
	[ -n "${JAILSUP_FIXTURE:-}" ] && [ -r "$JAILSUP_FIXTURE/client.crt" ] ||
		fail "no VPN fixture: run the tests as root through tests/run-tests (76-crash-start.fixture)"
	local dir=$XDG_CONFIG_HOME/jailsup/profiles
	mkdir -p "$dir/keys"
	cp "$JAILSUP_FIXTURE/client.crt" "$JAILSUP_FIXTURE/client.key" "$dir/keys/"
	chmod 0600 "$dir/keys/client.key"
	{
		printf '%s\n' client 'dev tun' 'proto udp' 'remote 198.18.42.2 1194' nobind \
			'remote-cert-tls server' 'verify-x509-name jailsup-test-server name' \
			'cert keys/client.crt' 'key keys/client.key' 'verb 3' '<ca>'
		cat "$JAILSUP_FIXTURE/ca.crt"
		echo '</ca>'
	} >"$dir/v.ovpn"
	printf '[jail]\nexec = /usr/bin/env\nvpn = v.ovpn\n[rights]\ndeny = dbus\n' | write_profile v
	crash_all supervisor v "$VPN_STEPS"
}

@test "supervisor killed at the steps of a WireGuard VPN (a real wireguard-go server)" {
	[ -n "${JAILSUP_FIXTURE:-}" ] && [ -r "$JAILSUP_FIXTURE/wg/client.conf" ] ||
		fail "no WireGuard fixture: run the tests as root through tests/run-tests (76-crash-start.fixture)"
	local dir=$XDG_CONFIG_HOME/jailsup/profiles
	mkdir -p "$dir"
	install -m 0600 "$JAILSUP_FIXTURE/wg/client.conf" "$dir/w.conf"
	printf '[jail]\nexec = /usr/bin/env\nvpn = w.conf\n[rights]\ndeny = dbus\n' | write_profile w
	crash_all supervisor w "$WG_STEPS"
}

@test "jailer killed at every step of a start, no network and pasta" {
	env_profile plain "[rights]" "deny = dbus"
	crash_all jailer plain "$(_steps jailer)"
	env_profile pas "network = pasta" "[rights]" "deny = dbus"
	sed -i '/^network = none$/d' "$XDG_CONFIG_HOME/jailsup/profiles/pas.ini"
	crash_all jailer pas "$(_steps jailer)"
}

@test "jailer killed at every step of a start that took the net standby (its pasta started ahead)" {
	env_profile pah "network = pasta" "[rights]" "deny = dbus"
	sed -i '/^network = none$/d' "$XDG_CONFIG_HOME/jailsup/profiles/pah.ini"
	CRASH_AHEAD=1 crash_all jailer pah "$(_steps jailer)"
}

@test "every step of the supervisor and the jailer was killed in some round above" {
	local victim step missing=
	for victim in supervisor jailer; do
		for step in $(_steps "$victim"); do
			grep -qx "$step" "$BATS_FILE_TMPDIR/reached-$victim" 2>/dev/null ||
				missing="$missing $victim:$step"
		done
	done
	[ -z "$missing" ] || fail "steps no round reached (add them to a mode's list):$missing"
}
