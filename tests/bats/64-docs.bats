#!/usr/bin/env bats
# The examples in docs/: every fenced sh and js block runs as written
# against servers that this file starts, and each example's output is
# compared with the output block that follows it in the page.
#
# An HTML comment on the line before a fence marks the block:
#
#   <!-- example: NAME -->    a block that a test below runs
#   <!-- output: NAME -->     what example NAME prints
#   <!-- not run: REASON -->  a shell block that needs root or systemd;
#                             it is checked with bash -n, and the units
#                             it names must exist in systemd/
#
# The examples use http://127.0.0.1:8080 and OSC port 57120; a test
# replaces both with free ports. buoy-sse reads a FIFO that the test
# writes through fd 7, filled with real observations that buoy-fetch -f
# reads from the sample realtime2 files:
#
#   history (read before the example starts):
#     44013 2022-06-05T12:40:00Z, 44013 12:50, TPLM2 2022-08-13T17:00, TPLM2 18:00
#   live line (written once the example is connected):
#     44013 2022-06-05T13:00:00Z
#
# Without the sample files (NDBC_DATA), the tests that need them are
# skipped with a message.

bats_require_minimum_version 1.5.0

load '../lib/common'

DOCS_DIR=$REPO_ROOT/docs
DOCS=(stream-api.md audio-clients.md operations.md decisions/redis-pubsub.md)
NODE_MODULES=$REPO_ROOT/tests/integration/node_modules

setup_file() {
	if [[ -d $NDBC_DATA/realtime2 ]]; then
		buoy-fetch -f "$NDBC_DATA/realtime2/44013.txt" >"$BATS_FILE_TMPDIR/44013.ndjson"
		buoy-fetch -f "$NDBC_DATA/realtime2/TPLM2.txt" >"$BATS_FILE_TMPDIR/TPLM2.ndjson"
		{
			tail -n 3 "$BATS_FILE_TMPDIR/44013.ndjson" | head -n 2
			tail -n 2 "$BATS_FILE_TMPDIR/TPLM2.ndjson"
		} >"$BATS_FILE_TMPDIR/history.ndjson"
		tail -n 1 "$BATS_FILE_TMPDIR/44013.ndjson" >"$BATS_FILE_TMPDIR/live.ndjson"
	fi
}

teardown_file() {
	stop_services
}

setup() {
	SSE_PIDS=()
	GROUP=
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	EXAMPLE_DIR=$BATS_TEST_TMPDIR
	HISTORY=$BATS_FILE_TMPDIR/history.ndjson
	LIVE=$BATS_FILE_TMPDIR/live.ndjson
}

# Stops the example and every buoy-sse the test started. Each buoy-sse
# must exit 0 on SIGTERM, which in the sanitizer build also means
# without a sanitizer report.
teardown() {
	local pid status failed=0

	stop_example
	exec 7>&- 2>/dev/null || true
	for pid in "${SSE_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
		status=0
		wait "$pid" || status=$?
		if ((status != 0)); then
			echo "buoy-sse $pid exited $status on SIGTERM" >&2
			failed=1
		fi
	done
	stop_redis
	if [[ -n ${NDBC_PID:-} ]]; then
		kill "$NDBC_PID" 2>/dev/null || true
	fi
	return "$failed"
}

# Prints the body of the fenced block that follows the line
# "<!-- KIND: NAME -->" in the docs, without the indentation of its fence.
doc_block() {
	local kind=$1 name=$2 page
	local -a pages=()

	for page in "${DOCS[@]}"; do
		pages+=("$DOCS_DIR/$page")
	done
	awk -v marker="<!-- $kind: $name -->" '
		state == 0 {
			line = $0
			sub(/^ +/, "", line)
			if (line == marker)
				state = 1
			next
		}
		state == 1 {
			if (!match($0, /^ *```/)) {
				print "no fence after " marker > "/dev/stderr"
				exit 1
			}
			indent = RLENGTH - 3
			state = 2
			next
		}
		state == 2 {
			if (substr($0, indent + 1) == "```" && substr($0, 1, indent) ~ /^ *$/)
				exit 0
			print substr($0, indent + 1)
		}
		END {
			if (state == 0) {
				print "no block marked " marker > "/dev/stderr"
				exit 1
			}
		}
	' "${pages[@]}"
}

# Writes example NAME to $BATS_TEST_TMPDIR/NAME.EXT with the test's
# ports in place of 8080 and 57120, and prints its path.
example_script() {
	local name=$1 ext=${2:-sh} file=$BATS_TEST_TMPDIR/$1.${2:-sh}

	doc_block example "$name" >"$file.raw" || return 1
	[ -s "$file.raw" ]
	sed -e "s|127\.0\.0\.1:8080|127.0.0.1:$PORT|g" \
		-e "s|57120|${OSC_PORT:-57120}|g" "$file.raw" >"$file"
	echo "$file"
}

# Runs shell example NAME in EXAMPLE_DIR and writes its stdout to
# $BATS_TEST_TMPDIR/NAME.out; stderr goes to NAME.err.
run_example() {
	local name=$1 script
	script=$(example_script "$name")

	(cd "$EXAMPLE_DIR" && timeout 60 bash "$script") \
		>"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err" 3>&- 7>&-
}

# Starts example NAME in the background in its own process group, with
# the command that runs its script file ("bash" unless given), stdout in
# NAME.out and stderr in NAME.err. Sets GROUP.
start_example() {
	local name=$1 script
	shift
	script=$(example_script "$name" "${EXT:-sh}")

	(cd "$EXAMPLE_DIR" && exec setsid "${@:-bash}" "$script") \
		>"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err" 3>&- 7>&- &
	GROUP=$!
}

# Starts shell example NAME in a terminal made by script(1), for the
# examples that show what a person sees: stdout and stderr both go to
# NAME.out. Sets GROUP.
start_example_in_terminal() {
	local name=$1 script
	script=$(example_script "$name")

	(cd "$EXAMPLE_DIR" && exec setsid script -qfc "bash $script" /dev/null) \
		>"$BATS_TEST_TMPDIR/$name.out" 2>&1 3>&- 7>&- &
	GROUP=$!
}

stop_example() {
	if [[ -n $GROUP ]]; then
		kill -TERM -- "-$GROUP" 2>/dev/null || true
		wait "$GROUP" 2>/dev/null || true
		GROUP=
	fi
}

# Prints its input without carriage returns, trailing blank lines and the
# parts that change from run to run: times, ports and the NDBC address.
normalize() {
	sed -e 's/\r$//' \
		-e 's/"status":"connected","timestamp":"[^"]*"/"status":"connected","timestamp":"TIME"/' \
		-e 's/"uptimeSeconds":[0-9]*/"uptimeSeconds":SECONDS/' \
		-e 's/^Date: .*/Date: DATE/' \
		-e 's/ at Redis [^ ]*$/ at Redis ADDRESS/' \
		-e 's|: https\{0,1\}://[^ ]*/data/realtime2/|: NDBC/data/realtime2/|' \
		-e '/^Session terminated, killing shell/d' |
		awk '{ lines[NR] = $0 } $0 != "" { last = NR } END { for (i = 1; i <= last; i++) print lines[i] }'
}

# Compares output file $2 with the output block of example $1.
check_output() {
	local name=$1 actual=$2

	doc_block output "$name" >"$BATS_TEST_TMPDIR/$name.expected"
	[ -s "$BATS_TEST_TMPDIR/$name.expected" ]
	diff -u <(normalize <"$BATS_TEST_TMPDIR/$name.expected") <(normalize <"$actual")
}

# Prints the number of lines of example NAME's output block.
expected_line_count() {
	doc_block output "$1" | wc -l
}

# Starts buoy-sse on PORT reading a FIFO written through fd 7, with the
# further arguments as options, and feeds it the history lines.
start_sse() {
	local fifo count
	fifo=$(mktemp -u "$BATS_TEST_TMPDIR/sse.XXXXXX")
	count=$(wc -l <"$HISTORY")

	mkfifo "$fifo"
	buoy-sse --listen "127.0.0.1:$PORT" "$@" <"$fifo" 2>>"$BATS_TEST_TMPDIR/sse.err" 3>&- 7>&- &
	SSE_PIDS+=("$!")
	exec 7>"$fifo"
	cat "$HISTORY" >&7
	wait_for "curl -s $BASE/health | grep -q '\"eventsReceived\":$count}'" 100
}

# Stops the buoy-sse that start_sse started; it must exit 0.
stop_sse() {
	exec 7>&-
	kill -TERM "${SSE_PIDS[0]}"
	wait "${SSE_PIDS[0]}"
	SSE_PIDS=()
}

# Waits until buoy-sse has N open streams.
wait_for_clients() {
	wait_for "curl -s $BASE/health | grep -q '\"clients\":$1,'" 100
}

# Runs stream example NAME: once its stream is open, writes the lines of
# file $2 (if given) to buoy-sse, waits for as many lines as its output
# block has, stops it and compares the output.
check_stream_example() {
	local name=$1 live=${2:-} count
	count=$(expected_line_count "$name")

	wait_for_clients 1
	if [[ -n $live ]]; then
		cat "$live" >&7
	fi
	wait_for "[ \$(wc -l <'$BATS_TEST_TMPDIR/$name.out') -ge $count ]" 100
	stop_example
	check_output "$name" "$BATS_TEST_TMPDIR/$name.out"
}

# Starts buoy-sub | buoy-sse, joined by a FIFO as buoy-stream.service
# joins them, and waits until the stream is up.
start_serve() {
	local fifo=$BATS_TEST_TMPDIR/serve.fifo

	mkfifo "$fifo"
	buoy-sse --listen "127.0.0.1:$PORT" <"$fifo" 2>"$BATS_TEST_TMPDIR/sse.err" 3>&- 7>&- &
	SSE_PIDS+=("$!")
	buoy-sub >"$fifo" 2>"$BATS_TEST_TMPDIR/sub.err" 3>&- 7>&- &
	remember_pid "$!"
	SUB_PID=$!
	wait_for "curl -s $BASE/health | grep -q '\"upstream\":\"up\"'" 100
}

require_node_modules() {
	if [[ ! -d $NODE_MODULES/eventsource ]]; then
		npm ci --prefix "$REPO_ROOT/tests/integration" --no-audit --no-fund \
			>"$BATS_TEST_TMPDIR/npm.log" 2>&1 || {
			cat "$BATS_TEST_TMPDIR/npm.log" >&2
			return 1
		}
	fi
}

# Prints "page:line: text" for each line that opens a fence of class sh
# or js without a marker on the line before it.
unmarked_fences() {
	local page
	for page in "${DOCS[@]}"; do
		awk -v page="$page" '
			{
				line = $0
				sub(/^ +/, "", line)
			}
			line ~ /^```(sh|js)$/ && previous !~ /^<!-- (example: [a-z0-9-]+|not run: .+) -->$/ {
				print page ":" NR ": " line
			}
			{ previous = line }
		' "$DOCS_DIR/$page"
	done
}

# Prints the names of the blocks marked with KIND, one a line.
marked_names() {
	local page
	for page in "${DOCS[@]}"; do
		sed -n "s/^ *<!-- $1: \\([a-z0-9-]*\\) -->\$/\\1/p" "$DOCS_DIR/$page"
	done
}

@test "every sh and js block is marked" {
	run unmarked_fences
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "every example is run by a test here" {
	local name names
	names=$(marked_names example)
	[ -n "$names" ]
	for name in $names; do
		grep -qE "(example_script|run_example|start_example|start_example_in_terminal|check_js) $name( |\$)" \
			"$BATS_TEST_FILENAME" || { echo "no test runs example $name"; return 1; }
	done
}

@test "example and output names are unique" {
	[ -z "$(marked_names example | sort | uniq -d)" ]
	[ -z "$(marked_names output | sort | uniq -d)" ]
}

@test "every output block belongs to an example" {
	local name examples
	examples=$(marked_names example)
	for name in $(marked_names output); do
		grep -qx -- "$name" <<<"$examples" || { echo "output $name has no example"; return 1; }
	done
}

@test "blocks not run pass bash -n and name real units" {
	local page reasons block unit count=0
	for page in "${DOCS[@]}"; do
		sed -n 's/^ *<!-- not run: \(.*\) -->$/\1/p' "$DOCS_DIR/$page"
	done >"$BATS_TEST_TMPDIR/reasons"
	while read -r reason; do
		block=$BATS_TEST_TMPDIR/not-run-$count.sh
		doc_block "not run" "$reason" >"$block"
		bash -n "$block"
		for unit in $(grep -oE 'buoy-[a-z]+\.(service|timer)' "$block"); do
			[ -f "$REPO_ROOT/systemd/$unit" ] || { echo "no unit systemd/$unit"; return 1; }
		done
		count=$((count + 1))
	done <"$BATS_TEST_TMPDIR/reasons"
	[ "$count" -ge 1 ]
}

check_js() {
	local name=$1 script
	script=$(example_script "$name" js)
	run node --check "$script"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "browser examples are valid JavaScript" {
	check_js browser
	check_js webaudio
}

@test "curl -N shows the connection and a live observation" {
	require_ndbc_data
	start_sse
	start_example curl-stream
	check_stream_example curl-stream "$LIVE"
}

@test "curl with Last-Event-ID replays what followed" {
	require_ndbc_data
	start_sse
	start_example curl-resume
	check_stream_example curl-resume
}

@test "curl with an unknown lastEventId gets a gap event" {
	require_ndbc_data
	start_sse
	start_example curl-gap
	check_stream_example curl-gap
}

@test "curl and sed print one record per line" {
	require_ndbc_data
	start_sse
	start_example curl-records
	check_stream_example curl-records "$LIVE"
}

@test "Node.js example prints each observation" {
	require_ndbc_data
	require_node_modules
	start_sse
	NODE_PATH=$NODE_MODULES EXT=js start_example node node
	check_stream_example node "$LIVE"
}

@test "invalid station gets the JSON error shown" {
	require_ndbc_data
	start_sse
	run_example curl-bad-station
	check_output curl-bad-station "$BATS_TEST_TMPDIR/curl-bad-station.out"
}

@test "POST gets 405 with the headers shown" {
	require_ndbc_data
	start_sse
	run_example curl-post
	check_output curl-post "$BATS_TEST_TMPDIR/curl-post.out"
}

@test "health example prints the health shown" {
	require_ndbc_data
	start_sse
	run_example curl-health
	check_output curl-health "$BATS_TEST_TMPDIR/curl-health.out"
}

@test "static example serves the page and the stream" {
	require_ndbc_data
	start_ndbc_server
	BUOY_LISTEN=127.0.0.1:$PORT start_example static
	wait_for "curl -sf -o /dev/null $BASE/health" 100

	run curl -s "$BASE/"
	[ "$status" -eq 0 ]
	[ "$output" = "<h1>Buoys</h1>" ]

	# The first round of buoy-fetch prints both files whole.
	wait_for "curl -s $BASE/health | grep -q '\"eventsReceived\":13068}'" 100
	run curl -s --max-time 5 "$BASE/v1/observations/stream?lastEventId=0&stations=41002" \
		-o "$BATS_TEST_TMPDIR/static-stream.out"
	grep -qx 'id: 20180801T151000Z-41002' "$BATS_TEST_TMPDIR/static-stream.out"
}

# Receives COUNT OSC messages of one float each on UDP port $1, and
# prints "address value" for each; the first datagram's bytes go in hex
# to file $3.
receive_osc() {
	python3 - "$@" <<-'EOF'
		import socket, struct, sys

		port, count, first_hex = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
		sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		sock.bind(("127.0.0.1", port))
		sock.settimeout(15)
		print("ready", file=sys.stderr, flush=True)
		for i in range(count):
		    datagram, _ = sock.recvfrom(65536)
		    if i == 0:
		        open(first_hex, "w").write(datagram.hex() + "\n")
		    address = datagram[:datagram.index(b"\0")].decode()
		    tags_at = (len(address) + 4) & ~3
		    assert datagram[tags_at:tags_at + 4] == b",f\0\0", datagram
		    (value,) = struct.unpack(">f", datagram[tags_at + 4:tags_at + 8])
		    assert len(datagram) == tags_at + 8, datagram
		    print(f"{address} {value:g}", flush=True)
	EOF
}

@test "OSC bridge sends each measurement of an observation" {
	require_ndbc_data
	local receiver out=$BATS_TEST_TMPDIR/osc.out first=$BATS_TEST_TMPDIR/osc-first.hex
	OSC_PORT=$(free_port)
	start_sse

	receive_osc "$OSC_PORT" 9 "$first" >"$out" 2>"$BATS_TEST_TMPDIR/receiver.err" 3>&- 7>&- &
	receiver=$!
	wait_for "grep -q ready '$BATS_TEST_TMPDIR/receiver.err'"

	EXAMPLE_DIR=$REPO_ROOT start_example osc-bridge
	wait_for_clients 1
	tail -n 2 "$BATS_FILE_TMPDIR/44013.ndjson" | head -n 1 >&7

	wait "$receiver"
	stop_example
	check_output osc-bridge "$out"

	# The first message, written out by hand: the address and ",f", each
	# NUL-terminated and padded to 4 bytes, then 0.5 as a big-endian float.
	run cat "$first"
	[ "$output" = "$(printf '/buoy/44013/waveHeightM\0,f\0\0\x3f\0\0\0' | od -An -tx1 | tr -d ' \n')" ]
}

@test "OSC bridge resumes after a server restart" {
	require_ndbc_data
	local receiver out=$BATS_TEST_TMPDIR/osc.out
	OSC_PORT=$(free_port)
	start_sse

	receive_osc "$OSC_PORT" 15 "$BATS_TEST_TMPDIR/osc-first.hex" >"$out" \
		2>"$BATS_TEST_TMPDIR/receiver.err" 3>&- 7>&- &
	receiver=$!
	wait_for "grep -q ready '$BATS_TEST_TMPDIR/receiver.err'"
	EXAMPLE_DIR=$REPO_ROOT start_example osc-bridge
	wait_for_clients 1

	# 12:50 gives 9 messages.
	tail -n 2 "$BATS_FILE_TMPDIR/44013.ndjson" | head -n 1 >&7
	wait_for "[ \$(wc -l <'$out') -eq 9 ]"

	# The new server has 12:50 and 13:00 in its history, so the bridge,
	# which resumes after 12:50, gets only 13:00: 6 messages.
	stop_sse
	tail -n 2 "$BATS_FILE_TMPDIR/44013.ndjson" >"$BATS_TEST_TMPDIR/restart.ndjson"
	HISTORY=$BATS_TEST_TMPDIR/restart.ndjson start_sse
	wait "$receiver"
	stop_example

	run tail -n 6 "$out"
	[ "${lines[0]}" = "/buoy/44013/windSpeedMps 3" ]
	[ "${lines[1]}" = "/buoy/44013/windDirDeg 280" ]
	[ "${lines[2]}" = "/buoy/44013/waterTempC 13.9" ]
	[ "${lines[3]}" = "/buoy/44013/pressureHpa 1015.2" ]
	[ "${lines[4]}" = "/buoy/44013/gustMps 4" ]
	[ "${lines[5]}" = "/buoy/44013/pressureTendencyHpa 1.6" ]
	grep -q '"resume":"from history","replayed_events":"1"' "$BATS_TEST_TMPDIR/sse.err"
	grep -q '^sse-to-osc: the stream ended; connecting again$' "$BATS_TEST_TMPDIR/osc-bridge.err"
}

@test "OSC bridge --fields sends only those fields" {
	require_ndbc_data
	local receiver out=$BATS_TEST_TMPDIR/osc.out
	OSC_PORT=$(free_port)
	start_sse

	receive_osc "$OSC_PORT" 3 "$BATS_TEST_TMPDIR/osc-first.hex" >"$out" \
		2>"$BATS_TEST_TMPDIR/receiver.err" 3>&- 7>&- &
	receiver=$!
	wait_for "grep -q ready '$BATS_TEST_TMPDIR/receiver.err'"
	python3 "$REPO_ROOT/examples/sse-to-osc.py" --port "$OSC_PORT" -v \
		--fields waveHeightM,windDirDeg "$BASE/v1/observations/stream" \
		2>"$BATS_TEST_TMPDIR/bridge.err" 3>&- 7>&- &
	local bridge=$!
	wait_for_clients 1

	# 13:00 has no wave height, so only its wind direction is sent.
	cat "$LIVE" >&7
	tail -n 2 "$BATS_FILE_TMPDIR/44013.ndjson" | head -n 1 >&7
	wait "$receiver"
	kill "$bridge"
	wait "$bridge" || true

	run cat "$out"
	[ "${lines[0]}" = "/buoy/44013/windDirDeg 280" ]
	[ "${lines[1]}" = "/buoy/44013/waveHeightM 0.5" ]
	[ "${lines[2]}" = "/buoy/44013/windDirDeg 270" ]
	[ "${#lines[@]}" -eq 3 ]
	run grep -c '^sse-to-osc: sent ' "$BATS_TEST_TMPDIR/bridge.err"
	[ "$output" = "3" ]
}

@test "OSC bridge logs where it sends" {
	require_ndbc_data
	OSC_PORT=$(free_port)
	start_sse
	EXAMPLE_DIR=$REPO_ROOT start_example osc-bridge
	wait_for_clients 1
	stop_example
	run cat "$BATS_TEST_TMPDIR/osc-bridge.err"
	[ "${lines[0]}" = "sse-to-osc: reading $BASE/v1/observations/stream?stations=44013, sending OSC to 127.0.0.1:$OSC_PORT" ]
}

@test "health check passes, then reports a degraded upstream" {
	require_ndbc_data
	start_sse

	run_example health-check
	run cat "$BATS_TEST_TMPDIR/health-check.out"
	[[ $output == '{"status":"ok","upstream":"up",'* ]]

	echo '{"upstream":"down","reason":"test","timestamp":"2026-12-04T19:30:00Z"}' >&7
	wait_for "curl -s $BASE/health | grep -q degraded"
	run_example health-check
	run cat "$BATS_TEST_TMPDIR/health-check.out"
	[ "$output" = "buoy-sse is degraded or not running" ]
}

@test "metrics example prints the three metrics shown" {
	require_ndbc_data
	start_sse
	run_example metrics
	check_output metrics "$BATS_TEST_TMPDIR/metrics.out"
}

@test "buoy-sub in a terminal prints readable lines" {
	require_ndbc_data
	start_redis
	start_example_in_terminal buoy-sub
	wait_for "grep -q -- '-- upstream up' '$BATS_TEST_TMPDIR/buoy-sub.out'" 100

	tail -n 2 "$BATS_FILE_TMPDIR/44013.ndjson" | buoy-publish
	wait_for "[ \$(grep -c '  44013  ' '$BATS_TEST_TMPDIR/buoy-sub.out') -eq 2 ]"
	stop_example
	check_output buoy-sub "$BATS_TEST_TMPDIR/buoy-sub.out"

	# Stopping the terminal ends buoy-sub too.
	wait_for "redis-cli -p $REDIS_PORT pubsub numsub observations:new | tail -n 1 | grep -qx 0"
}

@test "numsub counts the running buoy-sub" {
	start_redis
	buoy-sub >/dev/null 2>"$BATS_TEST_TMPDIR/sub.err" 3>&- 7>&- &
	remember_pid "$!"
	local subscriber=$!
	wait_for "redis-cli -p $REDIS_PORT pubsub numsub observations:new | tail -n 1 | grep -qx 1"

	run_example numsub
	kill "$subscriber"
	check_output numsub "$BATS_TEST_TMPDIR/numsub.out"
}

@test "Redis down gives new streams the 500 shown" {
	start_redis
	start_serve
	stop_redis
	wait_for "curl -s $BASE/health | grep -q '\"upstream\":\"down\"'" 100

	run_example redis-down
	check_output redis-down "$BATS_TEST_TMPDIR/redis-down.out"

	run_example health-check
	run cat "$BATS_TEST_TMPDIR/health-check.out"
	[ "$output" = "buoy-sse is degraded or not running" ]
	kill "$SUB_PID"
}

@test "second ingest run stores and prints nothing" {
	require_ndbc_data
	start_postgres
	start_ndbc_server
	buoy-upsert --init
	run_example upsert-twice
	check_output upsert-twice "$BATS_TEST_TMPDIR/upsert-twice.out"
	stop_postgres
}

@test "buoy-fetch with --state gets 304 the second time" {
	require_ndbc_data
	start_ndbc_server
	start_example_in_terminal fetch-not-modified
	wait "$GROUP" || true
	GROUP=
	check_output fetch-not-modified "$BATS_TEST_TMPDIR/fetch-not-modified.out"
	[ -f "$BATS_TEST_TMPDIR/buoy-state.json" ]
}
