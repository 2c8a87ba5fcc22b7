#!/usr/bin/env bash
# Shows the serve pipeline: subscribe to the Redis channel and stream every
# observation published there to HTTP clients as Server-Sent Events.
#
#   examples/serve.sh 8080            # listens on 127.0.0.1:8080
#   examples/serve.sh 0.0.0.0:8080    # on every IPv4 address
#   curl -N http://127.0.0.1:8080/v1/observations/stream
#
# With no argument buoy-sse listens on $BUOY_LISTEN (default
# 127.0.0.1:8080). REDIS_URL and BUOY_CHANNEL choose the Redis server and
# channel. The programs are found on PATH (from a checkout:
# PATH=$PWD/build:$PATH). Stop it with Ctrl-C.
#
# buoy-sse keeps running after buoy-sub exits (new stream requests then get
# 500), so watch stderr; systemd/buoy-stream.service restarts both instead.
set -euo pipefail

listen=()
if (($# > 0)); then
	case $1 in
	*[!0-9]*) listen=(--listen "$1") ;;
	*) listen=(--listen "127.0.0.1:$1") ;;
	esac
fi

buoy-sub | buoy-sse "${listen[@]}"
