#!/usr/bin/env bats
# The live page in web/, served by buoy-sse --static and loaded in headless
# Chromium (browser/demo-page.js), while buoy-sse reads observations that
# buoy-fetch -f printed from real NDBC files: the page must show each
# station's latest values, say it is live, follow a station filter in its
# own address, report a gap after a server restart, start its sound only
# on a click, and request nothing but the server's own files and stream.
#
# buoy-sse reads a FIFO whose writer stays open on fd 7. Every background
# process closes fd 3 (bats' own output) and fd 7, so that neither bats nor
# buoy-sse waits on a descriptor a child still holds.

bats_require_minimum_version 1.5.0

load '../lib/common'

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
STATIONS=(41002 44013 44017 TPLM2)
DRIVER_TIMEOUT_MS=20000

SSE_PID=
DRIVER_PID=
SCRIPT_PID=
HTTP_PID=
PORT=
BASE=
ERR=

setup_file() {
	if [[ ! -d $BATS_TEST_DIRNAME/node_modules/playwright-core ]]; then
		npm ci --prefix "$BATS_TEST_DIRNAME" --no-audit --no-fund \
			>"$BATS_FILE_TMPDIR/npm.log" 2>&1 || {
			cat "$BATS_FILE_TMPDIR/npm.log" >&2
			return 1
		}
	fi
}

setup() {
	require_ndbc_data
	if [[ ! -x $CHROMIUM ]]; then
		skip "$CHROMIUM not found: run scripts/install-deps as root to install chromium"
	fi
	make_feed
}

# Stops the driver, run-embedded and the HTTP server, then buoy-sse, which
# must exit 0 on SIGTERM and, in the sanitizer build, without a sanitizer
# report.
teardown() {
	exec 7>&- 2>/dev/null || true
	if [[ -n ${DRIVER_PID:-} ]]; then
		kill "$DRIVER_PID" 2>/dev/null || true
		wait "$DRIVER_PID" 2>/dev/null || true
	fi
	if [[ -n ${SCRIPT_PID:-} ]]; then
		stop_run_embedded
	fi
	if [[ -n ${HTTP_PID:-} ]]; then
		kill "$HTTP_PID" 2>/dev/null || true
		wait "$HTTP_PID" 2>/dev/null || true
	fi
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

# Writes the last 3 observations of each station's realtime2 file, as
# buoy-fetch prints them, to $FEED, with a field the page does not know
# added to the newest line of 44017.
make_feed() {
	local station
	FEED=$BATS_TEST_TMPDIR/feed.ndjson
	for station in "${STATIONS[@]}"; do
		buoy-fetch -f "$NDBC_DATA/realtime2/$station.txt" >"$BATS_TEST_TMPDIR/$station.ndjson" \
			2>"$BATS_TEST_TMPDIR/fetch.log"
		tail -n 3 "$BATS_TEST_TMPDIR/$station.ndjson"
	done | jq -c 'if .stationId == "44017" then . + {futureField: {unknown: true}} else . end' \
		>"$FEED"
	[ "$(wc -l <"$FEED")" -eq 12 ]
}

# Starts buoy-sse --static web/ on PORT (a free one unless given), reading
# a FIFO written through fd 7, and waits until it answers /health.
start_sse() {
	PORT=${1:-$(free_port)}
	BASE=http://127.0.0.1:$PORT
	ERR=$BATS_TEST_TMPDIR/stderr
	rm -f "$BATS_TEST_TMPDIR/stdin"
	mkfifo "$BATS_TEST_TMPDIR/stdin"
	buoy-sse --listen "127.0.0.1:$PORT" --static "$REPO_ROOT/web" \
		<"$BATS_TEST_TMPDIR/stdin" 2>>"$ERR" 3>&- &
	SSE_PID=$!
	exec 7>"$BATS_TEST_TMPDIR/stdin"
	wait_for "curl -s -o /dev/null $BASE/health"
}

# Sends SIGTERM and stores the exit status in SSE_STATUS.
stop_sse() {
	exec 7>&-
	kill -TERM "$SSE_PID"
	SSE_STATUS=0
	wait "$SSE_PID" || SSE_STATUS=$?
	SSE_PID=
}

# Prints, as JSON, each station's newest observation in the file $1 in the
# form demo-page.js reads rows: station, timestamp and the text of each
# cell. A missing value reads "—" and the hidden words "no data".
expected_rows() {
	jq -s '
		def cell: if . == null then "—no data" else tostring end;
		def compass: ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
		              "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"];
		def direction: if . == null then "—no data"
			else "\(.)° \(compass[((. / 22.5) | round) % 16])" end;
		group_by(.stationId) | map(max_by(.timestamp)) | map({
			station: .stationId,
			timestamp,
			cells: {
				timestamp: (.timestamp[0:10] + " " + .timestamp[11:16]),
				waveHeightM: (.waveHeightM | cell),
				windSpeedMps: (.windSpeedMps | cell),
				windDirDeg: (.windDirDeg | direction),
				gustMps: (.gustMps | cell),
				waterTempC: (.waterTempC | cell),
				airTempC: (.airTempC | cell),
				pressureHpa: (.pressureHpa | cell)
			}
		})' "$1"
}

# Prints {"STATION":"TIMESTAMP",...} for the rows in $1, as demo-page.js
# takes the rows it waits for.
expected_times() {
	jq -c 'map({(.station): .timestamp}) | add' "$1"
}

# Starts demo-page.js on the page at path $1 of the server, waiting for the
# stations in expected-rows file $2, with further options (gap, sound).
# Its JSON goes to $PAGE and its progress to $DRIVER_LOG.
start_driver() {
	local path=$1 rows=$2
	shift 2
	PAGE=$BATS_TEST_TMPDIR/page.json
	DRIVER_LOG=$BATS_TEST_TMPDIR/driver.log
	CHROMIUM=$CHROMIUM node "$BATS_TEST_DIRNAME/browser/demo-page.js" "$BASE$path" \
		"$(expected_times "$rows")" "$DRIVER_TIMEOUT_MS" "$@" \
		>"$PAGE" 2>"$DRIVER_LOG" 3>&- 7>&- &
	DRIVER_PID=$!
}

# Waits for the driver to write line $1 on stderr.
wait_for_driver() {
	wait_for "grep -qx '$1' '$DRIVER_LOG'" 300 || {
		cat "$DRIVER_LOG" >&2
		return 1
	}
}

# Waits for the driver to exit and checks that it exited 0.
finish_driver() {
	local status=0
	wait "$DRIVER_PID" || status=$?
	DRIVER_PID=
	if ((status != 0)); then
		cat "$DRIVER_LOG" >&2
		return 1
	fi
}

# Checks that every request of the page went to the server itself, and
# that the page logged no error. With "allow-500", console errors that
# report a 500 reply are expected, at least one.
check_requests() {
	local allowed='^$'
	run jq -r --arg base "$BASE/" '.requests[] | select(startswith($base) | not)' "$PAGE"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run jq -r '.requests | length' "$PAGE"
	[ "$output" -ge 4 ]
	run jq -c .pageErrors "$PAGE"
	[ "$output" = '[]' ]

	if [[ ${1:-} == allow-500 ]]; then
		allowed='^Failed to load resource: the server responded with a status of 500 '
		run jq -r '.consoleErrors | length' "$PAGE"
		[ "$output" -ge 1 ]
	fi
	run jq -r --arg allowed "$allowed" '.consoleErrors[] | select(test($allowed) | not)' "$PAGE"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "page shows latest observations, live" {
	expected_rows "$FEED" >"$BATS_TEST_TMPDIR/expected.json"
	start_sse
	start_driver / "$BATS_TEST_TMPDIR/expected.json"
	wait_for_driver live
	cat "$FEED" >&7
	finish_driver

	run jq -r '.state, .statusText' "$PAGE"
	[ "${lines[0]}" = live ]
	[ "${lines[1]}" = Live ]
	[[ $(jq -r .lastEvent "$PAGE") == "Last event at "* ]]
	[ "$(jq -r .gapNote "$PAGE")" = null ]

	# One row per station, in the order of their ids, with the newest values.
	run jq -c '[.rows[].station]' "$PAGE"
	[ "$output" = '["41002","44013","44017","TPLM2"]' ]
	run jq -S .rows "$PAGE"
	[ "$output" = "$(jq -S . "$BATS_TEST_TMPDIR/expected.json")" ]

	# Values from the newest line of 44017.txt, written out in full.
	run jq -c '.rows[] | select(.station == "44017") | .cells' "$PAGE"
	[ "$output" = '{"timestamp":"2018-09-25 00:50","waveHeightM":"2.2","windSpeedMps":"12","windDirDeg":"80° E","gustMps":"14","waterTempC":"19.4","airTempC":"16.5","pressureHpa":"1032.4"}' ]

	# The DOM itself holds the stations and values, and not the unknown field.
	jq -r .dom "$PAGE" >"$BATS_TEST_TMPDIR/dom.html"
	local station
	for station in "${STATIONS[@]}"; do
		grep -q "<th scope=\"row\">$station</th>" "$BATS_TEST_TMPDIR/dom.html"
	done
	grep -q '<td data-field="pressureHpa">1032.4</td>' "$BATS_TEST_TMPDIR/dom.html"
	grep -q '<time datetime="2022-06-05T13:00:00Z">2022-06-05 13:00</time>' \
		"$BATS_TEST_TMPDIR/dom.html"
	run grep -c -e futureField -e unknown "$BATS_TEST_TMPDIR/dom.html"
	[ "$output" = 0 ]

	check_requests
	run jq -r --arg base "$BASE/" '.requests[] | ltrimstr($base)' "$PAGE"
	[[ " ${lines[*]} " == *" app.js "* ]]
	[[ " ${lines[*]} " == *" style.css "* ]]
	[[ " ${lines[*]} " == *" v1/observations/stream?lastEventId=page-start "* ]]
}

@test "page loads the server's recent history" {
	expected_rows "$FEED" >"$BATS_TEST_TMPDIR/expected.json"
	start_sse
	cat "$FEED" >&7
	wait_for "curl -s $BASE/health | jq -e '.eventsReceived == 12'"
	start_driver / "$BATS_TEST_TMPDIR/expected.json"
	finish_driver

	[ "$(jq -r .state "$PAGE")" = live ]
	run jq -S .rows "$PAGE"
	[ "$output" = "$(jq -S . "$BATS_TEST_TMPDIR/expected.json")" ]
	# The gap event that comes with the history is expected: no note.
	[ "$(jq -r .gapNote "$PAGE")" = null ]
	check_requests
}

@test "page address filters the stations" {
	grep -e '"stationId":"44017"' -e '"stationId":"TPLM2"' "$FEED" >"$BATS_TEST_TMPDIR/wanted"
	expected_rows "$BATS_TEST_TMPDIR/wanted" >"$BATS_TEST_TMPDIR/expected.json"
	start_sse
	start_driver '/?stations=44017,tplm2' "$BATS_TEST_TMPDIR/expected.json"
	wait_for_driver live
	cat "$FEED" >&7
	finish_driver

	run jq -c '[.rows[].station]' "$PAGE"
	[ "$output" = '["44017","TPLM2"]' ]
	run jq -S .rows "$PAGE"
	[ "$output" = "$(jq -S . "$BATS_TEST_TMPDIR/expected.json")" ]
	run jq -r --arg stream "$BASE/v1/observations/stream?stations=44017%2Ctplm2&" \
		'.requests[] | select(startswith($stream))' "$PAGE"
	[ -n "$output" ]
	check_requests
}

@test "page reconnects after restarts, notes gap" {
	expected_rows "$FEED" >"$BATS_TEST_TMPDIR/expected.json"
	start_sse
	start_driver / "$BATS_TEST_TMPDIR/expected.json" gap
	wait_for_driver live
	cat "$FEED" >&7
	wait_for_driver rows

	stop_sse
	[ "$SSE_STATUS" -eq 0 ]
	wait_for_driver reconnecting

	# An instance whose input has ended rejects the stream with 500, after
	# which EventSource gives up and the page retries by itself.
	buoy-sse --listen "127.0.0.1:$PORT" --static "$REPO_ROOT/web" </dev/null 2>>"$ERR" 3>&- 7>&- &
	SSE_PID=$!
	wait_for "grep -q 'stream request rejected with 500' '$ERR'" 100
	stop_sse
	[ "$SSE_STATUS" -eq 0 ]

	# The new instance has no history, so the page's Last-Event-ID is
	# unknown to it and the stream starts with a gap event.
	start_sse "$PORT"
	finish_driver

	[ "$(jq -r .state "$PAGE")" = live ]
	[[ $(jq -r .gapNote "$PAGE") == "Some observations may be missing"* ]]
	run jq -S .rows "$PAGE"
	[ "$output" = "$(jq -S . "$BATS_TEST_TMPDIR/expected.json")" ]
	# Both instances logged a resume with a gap: the first for the page's
	# request for the history, the second for its reconnection.
	[ "$(grep -c '"resume":"gap"' "$ERR")" -eq 2 ]
	check_requests allow-500
}

@test "sound button gives wave stations voices" {
	expected_rows "$FEED" >"$BATS_TEST_TMPDIR/expected.json"
	start_sse
	start_driver / "$BATS_TEST_TMPDIR/expected.json" sound
	wait_for_driver live
	cat "$FEED" >&7
	finish_driver

	run jq -r '.sound | .contextState, .muteEnabled' "$PAGE"
	[ "${lines[0]}" = running ]
	[ "${lines[1]}" = true ]

	# Only 44017's newest line has a wave height: 2.2 m, wind 12 m/s from
	# 80 degrees. Pitch 110 * 2^(3 * 2.2 / 8) Hz, gain 0.03 + 0.17 * 12 / 25,
	# pan sin(80 degrees).
	run jq -c '.sound.voices | keys' "$PAGE"
	[ "$output" = '["44017"]' ]
	run jq -r '.sound.voices["44017"] | [
		(.frequency - 194.869 | fabs < 0.01),
		(.gain - 0.1116 | fabs < 0.001),
		(.pan - 0.98481 | fabs < 0.001)] | all' "$PAGE"
	[ "$output" = true ] || { jq -c .sound "$PAGE" >&2; return 1; }
	check_requests
}

# Serves the 3 newest observations of each station in $@ at NDBC's paths,
# from a copy of the realtime2 files, and sets NDBC_URL.
start_small_ndbc_site() {
	local root=$BATS_TEST_TMPDIR/ndbc-site station port
	mkdir -p "$root/data/realtime2"
	mkdir -p "$root/data/latest_obs"
	head -n 2 "$NDBC_DATA/latest/latest_obs_2022-12-30.txt" >"$root/data/latest_obs/latest_obs.txt"
	for station; do
		# Two header lines, then rows newest first.
		head -n 5 "$NDBC_DATA/realtime2/$station.txt" >"$root/data/realtime2/$station.txt"
		grep "^$station " "$NDBC_DATA/latest/latest_obs_2022-12-30.txt" \
			>>"$root/data/latest_obs/latest_obs.txt"
	done
	port=$(free_port)
	python3 -m http.server --bind 127.0.0.1 --directory "$root" "$port" \
		>"$BATS_TEST_TMPDIR/http.log" 2>&1 3>&- 7>&- &
	HTTP_PID=$!
	NDBC_URL=http://127.0.0.1:$port/
	wait_for "curl -sf -o /dev/null $NDBC_URL"
}

# Stops the two programs of run-embedded's pipeline, its children, by PID;
# the script then ends by itself.
stop_run_embedded() {
	local pid
	for pid in $(pgrep -P "$SCRIPT_PID"); do
		kill -TERM "$pid" 2>/dev/null || true
	done
	wait "$SCRIPT_PID" || true
	SCRIPT_PID=
}

@test "run-embedded serves the live page" {
	local station
	start_small_ndbc_site 44013 TPLM2
	buoy-fetch -f "$BATS_TEST_TMPDIR/ndbc-site/data/latest_obs/latest_obs.txt" \
		>"$BATS_TEST_TMPDIR/small.ndjson"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/small.ndjson")" -eq 2 ]
	expected_rows "$BATS_TEST_TMPDIR/small.ndjson" >"$BATS_TEST_TMPDIR/expected.json"

	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	BUOY_NDBC_URL=$NDBC_URL BUOY_LISTEN=127.0.0.1:$PORT BUOY_STATIONS=44013,TPLM2 \
		BUOY_INTERVAL=1h "$REPO_ROOT/scripts/run-embedded" >"$BATS_TEST_TMPDIR/run.out" \
		2>"$BATS_TEST_TMPDIR/run.err" 3>&- &
	SCRIPT_PID=$!
	wait_for "curl -s $BASE/health | jq -e '.eventsReceived == 2'" 100 || {
		cat "$BATS_TEST_TMPDIR/run.err" >&2
		return 1
	}
	grep -qx "buoy: open http://127.0.0.1:$PORT/ for the live page" "$BATS_TEST_TMPDIR/run.out"

	start_driver / "$BATS_TEST_TMPDIR/expected.json"
	finish_driver
	run jq -c '[.state, [.rows[].station]]' "$PAGE"
	[ "$output" = '["live",["44013","TPLM2"]]' ]
	run jq -S .rows "$PAGE"
	[ "$output" = "$(jq -S . "$BATS_TEST_TMPDIR/expected.json")" ]
	check_requests
}
