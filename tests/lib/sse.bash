# Helpers for tests of buoy-sse: a server on a free port of 127.0.0.1
# whose standard input is a FIFO the test writes through fd 7.
# Load after common.bash.

# Stops what the test started. A server still running must exit 0 on
# SIGTERM and, in the sanitizer build, without a sanitizer report.
sse_teardown() {
	exec 7>&- 2>/dev/null || true
	local pid
	for pid in $(jobs -p); do
		if [[ $pid != "${SSE_PID:-}" ]]; then
			kill "$pid" 2>/dev/null || true
		fi
	done
	if [[ -n ${SSE_PID:-} ]]; then
		stop_sse
		if [[ $SSE_STATUS -ne 0 ]]; then
			echo "buoy-sse exited $SSE_STATUS on SIGTERM" >&2
			return 1
		fi
	fi
	if [[ -n ${ERR:-} && -f $ERR ]] && grep -E 'Sanitizer|runtime error' "$ERR" >&2; then
		return 1
	fi
}

# Starts buoy-sse with the given options, reading a FIFO written through
# fd 7, and waits until it responds to /health.
start_sse() {
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	ERR=$BATS_TEST_TMPDIR/stderr
	mkfifo "$BATS_TEST_TMPDIR/stdin"
	buoy-sse --listen "127.0.0.1:$PORT" "$@" <"$BATS_TEST_TMPDIR/stdin" 2>"$ERR" 3>&- &
	SSE_PID=$!
	exec 7>"$BATS_TEST_TMPDIR/stdin"
	wait_for "curl -s -o /dev/null $BASE/health"
}

# Sends SIGTERM and stores the exit status in SSE_STATUS.
stop_sse() {
	kill -TERM "$SSE_PID"
	SSE_STATUS=0
	wait "$SSE_PID" || SSE_STATUS=$?
	SSE_PID=
}

# Prints the value of metric $1 from /metrics.
metric() {
	curl -s "$BASE/metrics" | awk -v name="$1" '$1 == name { print $2 }'
}
