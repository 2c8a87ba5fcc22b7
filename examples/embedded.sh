#!/usr/bin/env bash
# Shows the embedded pipeline, with no Redis and no PostgreSQL: poll NDBC
# every 5 minutes and stream each new observation to HTTP clients as
# Server-Sent Events.
#
#   examples/embedded.sh 44009 46042
#   examples/embedded.sh --interval 10m 44009 46042
#   curl -N http://127.0.0.1:8080/v1/observations/stream
#
# Arguments go to buoy-fetch after "--interval 5m", so a later --interval
# replaces it. buoy-sse listens on $BUOY_LISTEN (default 127.0.0.1:8080);
# BUOY_NDBC_URL names the NDBC site or a mirror. The programs are found on
# PATH (from a checkout: PATH=$PWD/build:$PATH). Stop it with Ctrl-C.
set -euo pipefail

if (($# == 0)); then
	echo "usage: ${0##*/} [buoy-fetch option ...] station ..." >&2
	exit 64
fi

buoy-fetch --interval 5m "$@" | buoy-sse
