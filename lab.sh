#!/bin/bash
# dnsvolley lab helper: the two commands of the README.
#   ./lab.sh quickstart   install what is missing, build, prepare the host, 5 s against the embedded responder
#   ./lab.sh test         install what is missing, build, run every test (unit, ASan/UBSan unit, integration,
#                         a 5 s smoke of each fuzz harness)
#   ./lab.sh fuzz [SECONDS]  build the libFuzzer harnesses (clang, build-fuzz/) and run each for SECONDS
#                         (default 60) over a copy of its seed corpus (docs/fuzzing.md)
#   ./lab.sh scenario NAME [OPTIONS...]  run scenarios/NAME.yaml (building its lab if it needs one),
#                         then write its report, plots and HTML to results/
#   ./lab.sh bench [NAME...]  also install the benchmarks' tools, build, run tests/bench/NAME.sh
#                         (default: crafting accuracy afxdp knot scaling memory; tcp, 5-8 minutes,
#                         only by name); never part of "test"
#   ./lab.sh build        install what is missing and build (a generator host: docs/multi-host.md)
#   ./lab.sh prepare      hugepages and bpffs for AF_XDP (the Ansible playbook runs it on each host)
# Needs root on a fresh machine (apt-get, hugepages, bpffs, network namespaces).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${DV_BUILD_DIR:-$ROOT/build}
BUILD_ASAN=${DV_BUILD_ASAN_DIR:-$ROOT/build-asan}
BUILD_FUZZ=${DV_BUILD_FUZZ_DIR:-$ROOT/build-fuzz}
BUILD_RELEASE=${DV_BUILD_RELEASE_DIR:-$ROOT/build-release}

# Debian 12 packages the project needs to build and test.
PACKAGES=(gcc pkg-config meson ninja-build python3
          dpdk-dev libdpdk-dev libldns-dev libyaml-dev libjansson-dev libpcap-dev check
          libbpf-dev libxdp-dev gnuplot-nox chromium unbound fonts-dejavu-core
          clang libclang-rt-14-dev iproute2 iputils-ping ethtool nftables nsd knot-dnsutils
          knot bind9 pdns-server pdns-backend-bind pdns-recursor tcpdump ansible-core
          libmicrohttpd-dev prometheus curl)

# The system services of the server packages above (package: units). Their
# maintainer scripts start and enable them; the lab runs its own servers in
# namespaces (tests/lab/servers.sh), never the system's: install_deps keeps
# them from starting and disables them.
declare -A SERVER_UNITS=([nsd]=nsd.service [knot]=knot.service [bind9]=named.service
                         [unbound]=unbound.service [pdns-server]=pdns.service
                         [pdns-recursor]=pdns-recursor.service [prometheus]=prometheus.service)

# Only for ./lab.sh bench: the anchors the benchmarks compare against.
# dpdk: dpdk-testpmd; knot: knotd in XDP mode (knot.sh, tcp.sh, overload.sh); knot-dnsutils: kxdpgun;
# dnsperf; valgrind: instructions.sh; clang: builds the XDP drop sink tests/bench/xdp_drop.c (bookworm's
# xdp-tools 1.3.1 has "xdp-bench drop", but it fails to load on newer kernels).
BENCH_PACKAGES=(dpdk knot knot-dnsutils dnsperf clang python3 iproute2 ethtool valgrind)
BENCH_DEFAULT=(crafting accuracy afxdp knot overload scaling memory)

say() { printf 'lab: %s\n' "$*"; }
die() { printf 'lab: %s\n' "$*" >&2; exit 2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"
	elif command -v sudo >/dev/null; then sudo "$@"
	else die "need root for: $*"
	fi
}

# install_deps [PACKAGE...]: the missing ones of the list (default: PACKAGES).
# While apt-get installs them, a policy-rc.d (unless the machine has one)
# forbids every service start: invoke-rc.d and deb-systemd-invoke ask it, and
# exit status 101 means "action forbidden". Then the units of the server
# packages just installed are disabled, so that no boot starts them either.
install_deps() {
	local missing=() p u policy=/usr/sbin/policy-rc.d ours=0 rc=0 trap_exit
	[ $# -gt 0 ] || set -- "${PACKAGES[@]}"
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	as_root apt-get update -q >/dev/null
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\n# dnsvolley lab.sh: no service starts while it installs packages.\nexit 101\n' |
			as_root tee "$policy" >/dev/null
		as_root chmod 755 "$policy"
		ours=1
		trap_exit=$(trap -p EXIT)
		trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null || rc=$?
	if [ "$ours" = 1 ]; then
		as_root rm -f "$policy"
		eval "${trap_exit:-trap - EXIT}"
	fi
	[ "$rc" -eq 0 ] || return "$rc"
	for p in "${missing[@]}"; do
		for u in ${SERVER_UNITS[$p]:-}; do
			# --now stops it too, should a policy of the machine's have let it start.
			if [ -d /run/systemd/system ]; then
				as_root systemctl disable --now "$u" >/dev/null 2>&1 || say "warning: could not disable $u"
			elif command -v systemctl >/dev/null; then
				as_root systemctl disable "$u" >/dev/null 2>&1 || say "warning: could not disable $u"
			fi
		done
	done
}

# Hugepages and bpffs: AF_XDP needs hugepages (bpffs only for a profile copy without
# xdp_prog); embedded, ring, null and af_packet run without.
host_prereqs() {
	local free
	free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	if [ "${free:-0}" -lt 512 ]; then
		say "reserving 1024 hugepages"
		echo 1024 | as_root tee /proc/sys/vm/nr_hugepages >/dev/null
	fi
	if ! grep -q ' hugetlbfs ' /proc/mounts; then
		as_root mkdir -p /dev/hugepages
		as_root mount -t hugetlbfs nodev /dev/hugepages
	fi
	if ! grep -q ' /sys/fs/bpf bpf ' /proc/mounts; then
		as_root mount -t bpf bpf /sys/fs/bpf
	fi
}

build() {
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" "$ROOT" >/dev/null
	fi
	ninja -C "$BUILD"
}

build_asan() {
	if [ ! -f "$BUILD_ASAN/build.ninja" ]; then
		meson setup "$BUILD_ASAN" "$ROOT" -Db_sanitize=address,undefined -Dintegration=false >/dev/null
	fi
	ninja -C "$BUILD_ASAN"
}

# -O3 sees warnings the default build does not (format truncation, dangling
# pointers): a release build must compile too, warnings being errors.
build_release() {
	if [ ! -f "$BUILD_RELEASE/build.ninja" ]; then
		meson setup "$BUILD_RELEASE" "$ROOT" --buildtype=release -Dintegration=false >/dev/null
	fi
	ninja -C "$BUILD_RELEASE"
}

# The fuzz harnesses (tests/fuzz/): clang, libFuzzer, ASan and UBSan; only
# the harnesses are built (the library with them), not the app or unit tests.
fuzz_harnesses() {
	local d
	for d in "$ROOT"/tests/fuzz/corpus/*/; do
		d=${d%/}
		echo "fuzz_${d##*/}"
	done
}

build_fuzz() {
	if [ ! -f "$BUILD_FUZZ/build.ninja" ]; then
		CC=clang meson setup "$BUILD_FUZZ" "$ROOT" -Dfuzz=true -Db_sanitize=address,undefined \
			-Dintegration=false >/dev/null
	fi
	local h targets=()
	for h in $(fuzz_harnesses); do
		targets+=("tests/fuzz/$h")
	done
	ninja -C "$BUILD_FUZZ" "${targets[@]}"
}

# "N passed, N failed" over every meson test log given.
summary() {
	python3 - "$@" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            res = r.get("result")
            if res in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif res == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
}

cmd_quickstart() {
	install_deps
	build
	host_prereqs
	"$BUILD/app/dnsvolley" --scenario "$ROOT/scenarios/quickstart.yaml" "$@"
}

cmd_test() {
	install_deps
	host_prereqs
	build
	build_asan
	say "a release build (-O3)"
	build_release
	local rc=0
	say "unit and integration tests"
	meson test -C "$BUILD" --print-errorlogs --num-processes 1 || rc=1
	say "unit tests under AddressSanitizer and UBSan"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$BUILD_ASAN" --suite unit --print-errorlogs --num-processes 1 || rc=1
	say "fuzz harnesses, a 5 s smoke each"
	build_fuzz
	FUZZ_SECONDS=5 meson test -C "$BUILD_FUZZ" --suite fuzz --no-rebuild --print-errorlogs \
		--num-processes 1 || rc=1
	summary "$BUILD/meson-logs/testlog.json" "$BUILD_ASAN/meson-logs/testlog.json" \
		"$BUILD_FUZZ/meson-logs/testlog.json" || rc=1
	return $rc
}

# ./lab.sh fuzz [SECONDS]: every harness, one after the other (never two at
# once), SECONDS each over a copy of its seed corpus in build-fuzz/fuzz-work/.
# FUZZ_ARGS adds libFuzzer options (e.g. -runs=10000000). Exits 1 if one crashed.
cmd_fuzz() {
	local secs=${1:-60} h rc=0 failed=()
	[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -gt 0 ] || die "usage: $0 fuzz [SECONDS]"
	install_deps
	build_fuzz
	for h in $(fuzz_harnesses); do
		FUZZ_WORK=$BUILD_FUZZ/fuzz-work bash "$ROOT/tests/fuzz/smoke.sh" "$BUILD_FUZZ/tests/fuzz/$h" \
			"$ROOT/tests/fuzz/corpus/${h#fuzz_}" "$secs" || { rc=1; failed+=("$h"); }
	done
	if [ $rc -ne 0 ]; then
		say "crashed: ${failed[*]} (crash files above, logs in $BUILD_FUZZ/fuzz-work/)"
	else
		say "fuzz: no crash in $(fuzz_harnesses | wc -l) harnesses"
	fi
	return $rc
}

# One experiment of scenarios/: ./lab.sh scenario NAME [DNSVOLLEY-OPTIONS...].
# A scenario that needs a lab (a real server in namespaces) has a script
# tests/lab/scenario-NAME.sh that builds the lab, runs it and removes the lab;
# the others run against the embedded responder. The result and its report
# (tables, CSV, plots, HTML) go to results/ (DV_RESULTS overrides).
cmd_scenario() {
	local name=${1:-} out=${DV_RESULTS:-$ROOT/results}
	if [ -z "$name" ] || [ ! -f "$ROOT/scenarios/$name.yaml" ]; then
		die "usage: $0 scenario NAME [OPTIONS...]; NAME one of: $(cd "$ROOT/scenarios" && ls ./*.yaml | sed 's|^./||; s|\.yaml$||' | tr '\n' ' ')"
	fi
	shift
	install_deps
	build
	host_prereqs
	mkdir -p "$out"
	local bin=$BUILD/app/dnsvolley json=$out/$name.json
	if [ -f "$ROOT/tests/lab/scenario-$name.sh" ]; then
		say "scenario $name needs a lab: tests/lab/scenario-$name.sh builds it"
		bash "$ROOT/tests/lab/scenario-$name.sh" "$bin" "$json" "$@"
	else
		"$bin" --scenario "$ROOT/scenarios/$name.yaml" --json "$json" "$@"
	fi
	"$bin" report -q "$json" -o "$out/$name.report"
}

# Benchmarks (tests/bench/, docs/performance.md): each prints its figures and a
# ratio against its anchor. BENCH_REPS (default 5) sets the alternations.
cmd_bench() {
	local names=("$@") n rc=0
	[ ${#names[@]} -gt 0 ] || names=("${BENCH_DEFAULT[@]}")
	for n in "${names[@]}"; do
		[ -f "$ROOT/tests/bench/$n.sh" ] || die "no benchmark tests/bench/$n.sh"
	done
	install_deps
	install_deps "${BENCH_PACKAGES[@]}"
	build
	host_prereqs
	for n in "${names[@]}"; do
		say "benchmark $n"
		local st=0
		DV_BIN=${DV_BIN:-$BUILD/app/dnsvolley} bash "$ROOT/tests/bench/$n.sh" || st=$?
		case $st in
		0) ;;
		130 | 143) say "benchmark $n interrupted"; return $st ;;
		*) say "benchmark $n: could not measure (exit $st)"; rc=1 ;;
		esac
	done
	return $rc
}

case "${1:-}" in
quickstart) shift; cmd_quickstart "$@" ;;
test) shift; cmd_test "$@" ;;
bench) shift; cmd_bench "$@" ;;
fuzz) shift; cmd_fuzz "$@" ;;
scenario) shift; cmd_scenario "$@" ;;
build) install_deps; build ;;
prepare) host_prereqs ;;
*) echo "usage: $0 quickstart|test|bench [NAME...]|fuzz [SECONDS]|scenario NAME [OPTIONS...]|build|prepare" >&2; exit 2 ;;
esac
