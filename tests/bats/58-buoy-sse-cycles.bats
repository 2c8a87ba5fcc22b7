#!/usr/bin/env bats
# buoy-sse over many stream connect/disconnect cycles, with observations
# arriving on stdin at a low rate meanwhile: its resident memory stays
# flat, and under valgrind (or LeakSanitizer in the sanitizer build) it
# exits 0 on SIGTERM with no memory lost.
#
# buoy-sse reads a FIFO whose writer stays open on fd 7. Every background
# process closes fd 3 (bats' own output), and the buoy-sse process also
# fd 7, so that neither bats nor buoy-sse waits on a descriptor a child
# still holds.

bats_require_minimum_version 1.5.0

load '../lib/common'
load '../lib/sse'

SSE_PID=
FEED_PID=
PORT=
BASE=
ERR=

# Largest growth of buoy-sse's resident set over 1,000 cycles, in KiB, so
# a leak of about 512 bytes per cycle or more fails. Smaller leaks are left
# to valgrind and LeakSanitizer in the second test. Without a leak the
# growth measured 0 to 4 KiB, with either build, on a 2-core VM.
RSS_GROWTH_MAX_KIB=512

# Observation events buoy-sse keeps for resuming clients. The first test
# fills the history before it measures, so that its growth is not counted.
HISTORY=20

setup_file() {
	# A client that opens the stream, reads the connection event and
	# disconnects, COUNT times. Every tenth cycle also waits for an
	# observation event, and odd cycles end with a reset (SO_LINGER 0)
	# instead of a FIN. It stops after DEADLINE seconds and prints the
	# number of cycles completed.
	cat >"$BATS_FILE_TMPDIR/cycle-clients.py" <<-'EOF'
		import socket, struct, sys, time

		port, count, deadline = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
		request = (b"GET /v1/observations/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		           b"Accept: text/event-stream\r\n\r\n")
		end = time.monotonic() + deadline
		done = 0
		for cycle in range(count):
		    if time.monotonic() > end:
		        break
		    s = socket.create_connection(("127.0.0.1", port), timeout=10)
		    s.sendall(request)
		    reply = b""
		    expected = b"event: observation\n" if cycle % 10 == 0 else b"event: connection\n"
		    while expected not in reply or not reply.endswith(b"\n\n\r\n"):
		        data = s.recv(4096)
		        if not data:
		            sys.exit(f"cycle {cycle}: the server closed before {expected!r}: {reply!r}")
		        reply += data
		    if not reply.startswith(b"HTTP/1.1 200 "):
		        sys.exit(f"cycle {cycle}: unexpected reply {reply[:80]!r}")
		    if cycle % 2 == 1:
		        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
		    s.close()
		    done += 1
		print(done)
	EOF
}

teardown() {
	if [[ -n ${FEED_PID:-} ]]; then
		kill "$FEED_PID" 2>/dev/null || true
		wait "$FEED_PID" 2>/dev/null || true
	fi
	exec 7>&- 2>/dev/null || true
	if [[ -n ${SSE_PID:-} ]]; then
		kill -TERM "$SSE_PID" 2>/dev/null || true
		wait "$SSE_PID" 2>/dev/null || true
	fi
}

# Returns true when buoy-sse was built with AddressSanitizer, which
# valgrind cannot run.
is_asan_build() {
	grep -qa '__asan_init' "$BUOY_BIN/buoy-sse"
}

# Starts buoy-sse, prefixed by the command in $@ (valgrind or nothing),
# reading a FIFO written through fd 7, and waits up to 30 s until it
# answers /health.
start_sse() {
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	ERR=$BATS_TEST_TMPDIR/stderr
	mkfifo "$BATS_TEST_TMPDIR/stdin"
	"$@" "$BUOY_BIN/buoy-sse" --listen "127.0.0.1:$PORT" --max-clients 64 --history "$HISTORY" \
		<"$BATS_TEST_TMPDIR/stdin" 2>"$ERR" 3>&- 7>&- &
	SSE_PID=$!
	exec 7>"$BATS_TEST_TMPDIR/stdin"
	wait_for "curl -s -o /dev/null $BASE/health" 300
}

# Writes one observation every 0.05 s through fd 7, 2,000 at most, in the
# background; its PID is in FEED_PID.
start_feed() {
	(
		for ((i = 0; i < 2000; i++)); do
			printf '{"stationId":"44013","timestamp":"2022-06-%02dT%02d:%02d:00Z",%s}\n' \
				$((5 + i / 1440)) $((i / 60 % 24)) $((i % 60)) \
				'"waveHeightM":0.5,"windSpeedMps":3,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2' \
				>&7 || exit 0
			sleep 0.05
		done
	) 3>&- &
	FEED_PID=$!
}

# Runs $1 cycles within $2 seconds and checks that all completed and that
# the server has released every stream client afterwards.
run_cycles() {
	run python3 "$BATS_FILE_TMPDIR/cycle-clients.py" "$PORT" "$1" "$2"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$1" ]
	wait_for '[ "$(metric buoy_sse_clients)" = 0 ]' 100
}

# Prints the resident set size of process $1 in KiB.
rss_kib() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"
}

@test "resident memory stays flat over 1,000 cycles" {
	# AddressSanitizer holds freed memory in a quarantine of 256 MiB
	# before reuse, which would read as growth here.
	if is_asan_build; then
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
	fi
	start_sse
	start_feed
	wait_for "[ \"\$(metric buoy_sse_observations_received_total)\" -ge $HISTORY ]" 100

	run_cycles 100 60
	local before
	before=$(rss_kib "$SSE_PID")

	run_cycles 1000 120
	local after
	after=$(rss_kib "$SSE_PID")

	echo "# buoy-sse RSS after 100 warm-up cycles: $before KiB; after 1,000 more: $after KiB;" \
		"growth $((after - before)) KiB (limit $RSS_GROWTH_MAX_KIB)" >&3
	[ "$(metric 'buoy_sse_events_sent_total{type="connection"}')" -eq 1100 ]
	[ "$(metric buoy_sse_clients_disconnected_total)" -eq 1100 ]
	[ "$(metric 'buoy_sse_events_sent_total{type="observation"}')" -ge 110 ]
	[ $((after - before)) -lt "$RSS_GROWTH_MAX_KIB" ]

	stop_sse
	[ "$SSE_STATUS" -eq 0 ]
}

# valgrind cannot run an AddressSanitizer build; there LeakSanitizer checks
# at exit instead, and a leak report makes the exit status nonzero.
@test "cycles leave no leak at SIGTERM" {
	local checker=()
	local log=$BATS_TEST_TMPDIR/valgrind.log

	if is_asan_build; then
		echo "# $BUOY_BIN/buoy-sse uses AddressSanitizer: LeakSanitizer checks at exit instead of valgrind" >&3
	else
		if ! command -v valgrind >/dev/null; then
			echo "valgrind not found: install it (Debian package valgrind)" >&2
			return 1
		fi
		checker=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
			--error-exitcode=99 --log-file="$log")
	fi
	start_sse "${checker[@]}"
	start_feed

	run_cycles 200 60
	[ "$(metric 'buoy_sse_events_sent_total{type="connection"}')" -eq 200 ]
	[ "$(metric 'buoy_sse_events_sent_total{type="observation"}')" -ge 20 ]
	stop_sse

	cat "$ERR"
	[ "$SSE_STATUS" -eq 0 ]
	if ((${#checker[@]} > 0)); then
		cat "$log"
		grep -Eq 'definitely lost: 0 bytes|All heap blocks were freed' "$log"
		grep -q 'ERROR SUMMARY: 0 errors' "$log"
	fi
}
