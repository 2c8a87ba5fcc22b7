# Shared set-up for the bats tests: where the programs and the sample NDBC
# files are, and throwaway Redis, PostgreSQL and HTTP servers on loopback.
#
# Every server started here records its PID in $BATS_FILE_TMPDIR and is
# stopped by that PID in stop_services, never by name.

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUOY_BIN=${BUOY_BIN:-$REPO_ROOT/build}
NDBC_DATA=${BUOY_TEST_DATA:-$REPO_ROOT/../shared/data/ndbc}
export PATH="$BUOY_BIN:$PATH"

# Skips the test when the sample NDBC files are not there. In CI the runner
# counts every skip as a failure.
require_ndbc_data() {
	if [[ ! -d $NDBC_DATA/realtime2 ]]; then
		skip "sample NDBC files not found in $NDBC_DATA (set BUOY_TEST_DATA to their folder)"
	fi
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to $2 tenths of a second (default 50) for command $1 to succeed.
wait_for() {
	local tries=${2:-50}
	while ((tries-- > 0)); do
		if eval "$1" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	echo "timed out waiting for: $1" >&2
	return 1
}

remember_pid() {
	echo "$1" >>"$BATS_FILE_TMPDIR/pids"
}

# Notes a process that one test started, for stop_test_pids.
test_pid() {
	echo "$1" >>"$BATS_TEST_TMPDIR/pids"
}

# Stops the processes noted with test_pid, last first. A PID whose parent
# is not this shell any more belongs to a process that ended, or to
# another program that got the same PID since, and is left alone.
stop_test_pids() {
	local pid parent self=$BASHPID

	[[ -f $BATS_TEST_TMPDIR/pids ]] || return 0
	tac "$BATS_TEST_TMPDIR/pids" | while read -r pid; do
		parent=$(ps -o ppid= -p "$pid") || continue
		if ((parent == self)); then
			kill "$pid"
		fi
	done
}

# Starts redis-server on a free loopback port and exports REDIS_URL.
start_redis() {
	REDIS_PORT=${1:-$(free_port)}
	local dir=$BATS_FILE_TMPDIR/redis
	mkdir -p "$dir"
	redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
		--dir "$dir" --daemonize no --logfile "$dir/redis.log" &
	REDIS_PID=$!
	remember_pid "$REDIS_PID"
	export REDIS_PORT REDIS_PID REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
	wait_for "redis-cli -p $REDIS_PORT ping | grep -q PONG"
}

stop_redis() {
	if [[ -n ${REDIS_PID:-} ]]; then
		kill "$REDIS_PID" 2>/dev/null || true
		wait "$REDIS_PID" 2>/dev/null || true
		REDIS_PID=
	fi
}

# Starts a throwaway PostgreSQL cluster owned by the postgres user (the
# server refuses to run as root) and exports DATABASE_URL.
start_postgres() {
	local bindir
	bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	PG_PORT=$(free_port)
	PG_DIR=$(mktemp -d /tmp/buoy-pg.XXXXXX)
	chmod 755 "$PG_DIR"
	local run=(runuser -u postgres --)
	if [[ $(id -u) -ne 0 ]]; then
		run=()
	else
		chown postgres "$PG_DIR"
	fi
	"${run[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U postgres -A trust >"$PG_DIR/initdb.log" 2>&1
	"${run[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o \
		"-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off" start >/dev/null
	PG_PID=$(head -n 1 "$PG_DIR/data/postmaster.pid")
	remember_pid "$PG_PID"
	export PG_PORT PG_DIR PG_PID
	export DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
	echo "$PG_DIR" >>"$BATS_FILE_TMPDIR/pg_dirs"
}

stop_postgres() {
	if [[ -n ${PG_PID:-} ]]; then
		kill -INT "$PG_PID" 2>/dev/null || true
		wait_for "! kill -0 $PG_PID" 100 || true
		rm -rf "$PG_DIR"
		PG_PID=
	fi
}

# Builds a folder that lays out the sample files at NDBC's own paths
# (data/realtime2/, data/latest_obs/latest_obs.txt,
# data/stations/station_table.txt) and prints its path.
make_ndbc_site() {
	local root=$BATS_FILE_TMPDIR/ndbc-site
	mkdir -p "$root/data/latest_obs"
	ln -sfn "$NDBC_DATA/realtime2" "$root/data/realtime2"
	ln -sfn "$NDBC_DATA/stations" "$root/data/stations"
	ln -sfn "$NDBC_DATA/latest/latest_obs_2022-12-30.txt" "$root/data/latest_obs/latest_obs.txt"
	echo "$root"
}

# Serves the sample files at NDBC's own paths and exports BUOY_NDBC_URL.
start_ndbc_server() {
	local root
	root=$(make_ndbc_site)
	NDBC_PORT=$(free_port)
	python3 -m http.server --bind 127.0.0.1 --directory "$root" "$NDBC_PORT" \
		>"$BATS_FILE_TMPDIR/http.log" 2>&1 &
	NDBC_PID=$!
	remember_pid "$NDBC_PID"
	export NDBC_PORT NDBC_PID BUOY_NDBC_URL="http://127.0.0.1:$NDBC_PORT/"
	wait_for "curl -sf -o /dev/null $BUOY_NDBC_URL"
}

# Stops every server this file started, by PID.
stop_services() {
	local pid
	if [[ -f $BATS_FILE_TMPDIR/pids ]]; then
		while read -r pid; do
			kill "$pid" 2>/dev/null || true
		done <"$BATS_FILE_TMPDIR/pids"
		rm -f "$BATS_FILE_TMPDIR/pids"
	fi
	if [[ -f $BATS_FILE_TMPDIR/pg_dirs ]]; then
		sleep 0.5
		xargs rm -rf <"$BATS_FILE_TMPDIR/pg_dirs"
		rm -f "$BATS_FILE_TMPDIR/pg_dirs"
	fi
}
