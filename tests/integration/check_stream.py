#!/usr/bin/env python3
"""Check an SSE capture against an NDBC realtime2 file.

usage: check_stream.py NDBC_FILE STATION SSE_CAPTURE

Reads the file independently of buoy-fetch (columns by header name, "MM"
as missing) and checks that the capture contains one observation event per
row, oldest first, each value equal to the file's and null where the file
says MM. Prints the first difference and exits 1 on a mismatch.
"""
import json
import sys

COLUMNS = {
    "WVHT": "waveHeightM", "WSPD": "windSpeedMps", "WDIR": "windDirDeg",
    "WTMP": "waterTempC", "PRES": "pressureHpa", "GST": "gustMps",
    "DPD": "dominantPeriodS", "APD": "averagePeriodS", "MWD": "meanWaveDirDeg",
    "ATMP": "airTempC", "DEWP": "dewPointC", "VIS": "visibilityNmi",
    "PTDY": "pressureTendencyHpa", "TIDE": "tideFt",
}


def expected_records(path, station):
    with open(path) as handle:
        lines = handle.read().splitlines()
    header = lines[0].lstrip("#").split()
    records = []
    for line in lines[1:]:
        if line.startswith("#"):
            continue
        row = dict(zip(header, line.split()))
        record = {
            "stationId": station,
            "timestamp": "{YY}-{MM}-{DD}T{hh}:{mm}:00Z".format(**row),
        }
        for column, field in COLUMNS.items():
            value = row[column]
            record[field] = None if value == "MM" else float(value)
        records.append(record)
    return sorted(records, key=lambda record: record["timestamp"])


def captured_events(path):
    """Returns (id, event, data) for each event in an SSE capture."""
    events = []
    current = {}
    with open(path) as handle:
        for line in handle.read().split("\n"):
            if line == "":
                if current:
                    events.append((current.get("id"), current.get("event"), current.get("data")))
                current = {}
            elif not line.startswith(":") and ":" in line:
                name, _, value = line.partition(":")
                current[name] = value[1:] if value.startswith(" ") else value
    return events


def main():
    ndbc_file, station, capture = sys.argv[1:4]
    expected = expected_records(ndbc_file, station)
    events = [event for event in captured_events(capture) if event[1] == "observation"]
    if len(events) != len(expected):
        print(f"{capture}: {len(events)} observation events, expected {len(expected)}")
        return 1
    for number, (event, want) in enumerate(zip(events, expected), start=1):
        got = json.loads(event[2])
        for key, value in want.items():
            if got.get(key) != value:
                print(f"{capture}: event {number} ({want['timestamp']}): "
                      f"{key} is {got.get(key)!r}, the file says {value!r}")
                return 1
        if not event[0]:
            print(f"{capture}: event {number} has no id")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
