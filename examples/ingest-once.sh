#!/usr/bin/env bash
# Shows the ingest pipeline: fetch the realtime files of the stations given
# as arguments (else those in $BUOY_STATIONS) from NDBC, store the
# observations in PostgreSQL and publish the new or changed ones to Redis.
#
#   buoy-upsert --init                       # once, to create the tables
#   examples/ingest-once.sh 44013 46042
#
# The programs are found on PATH (from a checkout: PATH=$PWD/build:$PATH)
# and read their usual variables: BUOY_NDBC_URL, DATABASE_URL, REDIS_URL,
# BUOY_CHANNEL, BUOY_LOG_LEVEL. With pipefail, the script exits with the
# status of the last program in the pipeline that failed, so a failed
# fetch is not hidden by a successful publish.
set -euo pipefail

if (($# == 0)); then
	read -r -a stations <<<"${BUOY_STATIONS:-}"
	set -- "${stations[@]}"
fi
if (($# == 0)); then
	echo "usage: ${0##*/} station ... (or set BUOY_STATIONS)" >&2
	exit 64
fi

buoy-fetch "$@" | buoy-upsert | buoy-publish
