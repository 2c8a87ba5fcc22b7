#!/usr/bin/env bash
# Shows how to follow one station: subscribe to the Redis channel and print
# a line for each observation of the station given, as it is published.
#
#   examples/watch-station.sh 44013
#   2022-06-05T13:00:00Z 44013 wave - m, wind 3 m/s from 280, water 13.9 C
#
# REDIS_URL and BUOY_CHANNEL choose the Redis server and channel. buoy-sub
# reports a lost connection on stderr and reconnects by itself. Needs jq
# and the programs on PATH (from a checkout: PATH=$PWD/build:$PATH).
set -euo pipefail

if (($# != 1)); then
	echo "usage: ${0##*/} station" >&2
	exit 64
fi

# Station ids are stored in upper case (tplm2 is TPLM2).
station=${1^^}

buoy-sub --no-status |
	jq --unbuffered -r --arg station "$station" '
		def text_or_dash: if . == null then "-" else tostring end;
		select(.stationId == $station)
		| "\(.timestamp) \(.stationId) wave \(.waveHeightM | text_or_dash) m, "
		  + "wind \(.windSpeedMps | text_or_dash) m/s from \(.windDirDeg | text_or_dash), "
		  + "water \(.waterTempC | text_or_dash) C"'
