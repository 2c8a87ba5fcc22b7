#!/usr/bin/env python3
"""Forward buoy observations from a buoy-sse stream to OSC over UDP.

Reads the Server-Sent Events stream of buoy-sse and sends, for each
observation, one OSC 1.0 message per measurement that is not null:

    /buoy/<stationId>/<field> <float32>

such as "/buoy/44013/waveHeightM 0.5", to 127.0.0.1:57120 (the port of
SuperCollider's sclang) or to the address set by --host and --port. A
measurement that is null is not sent, so a patch keeps the last value
it received. Every message is one UDP datagram, not part of a bundle,
so that receivers that read only single messages get them too.

    python3 examples/sse-to-osc.py \\
        'http://127.0.0.1:8080/v1/observations/stream?stations=44013'

When the connection ends or fails, the bridge connects again after the
delay of the stream's "retry" field and sends the Last-Event-ID header,
so buoy-sse replays what it missed. Needs only the Python 3 standard
library. Stop it with Ctrl-C.
"""

import argparse
import json
import signal
import socket
import struct
import sys
import time
import urllib.error
import urllib.request

PROGRAM = "sse-to-osc"
DEFAULT_URL = "http://127.0.0.1:8080/v1/observations/stream"

# Fields of the record that are not measurements.
NOT_MEASUREMENTS = ("stationId", "timestamp")

# A heartbeat comment arrives every 15 s by default, so a minute without
# a byte means the connection is dead, unless buoy-sse runs with a
# --heartbeat of a minute or more (or 0, for none).
READ_TIMEOUT_S = 60

# Seconds before connecting again, until the stream sends "retry".
DEFAULT_RETRY_S = 2.0


def log(message):
    print(f"{PROGRAM}: {message}", file=sys.stderr, flush=True)


def osc_string(text):
    """Encode an OSC string: UTF-8, NUL-terminated, padded to 4 bytes."""
    data = text.encode("utf-8") + b"\0"
    return data + b"\0" * (-len(data) % 4)


def osc_float_message(address, value):
    """Encode an OSC 1.0 message with one float32 argument.

    Written by hand because OSC 1.0 is three padded fields and the
    standard library has no OSC module.
    """
    return osc_string(address) + osc_string(",f") + struct.pack(">f", value)


def measurements(record, fields):
    """Yield (field, value) for each number of the record in fields.

    fields is None for every measurement. JSON true and false are not
    numbers here, although Python's bool is an int.
    """
    for field, value in record.items():
        if field in NOT_MEASUREMENTS or (fields is not None and field not in fields):
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            yield field, float(value)


class Bridge:
    """Sender of OSC datagrams for stream events, with the state to resume."""

    def __init__(self, target, fields, verbose):
        family, _, _, _, address = socket.getaddrinfo(
            target[0], target[1], type=socket.SOCK_DGRAM)[0]
        self.socket = socket.socket(family, socket.SOCK_DGRAM)
        self.address = address
        self.fields = fields
        self.verbose = verbose
        self.last_event_id = ""
        self.retry_s = DEFAULT_RETRY_S

    def send_observation(self, data):
        try:
            record = json.loads(data)
            station = record["stationId"]
        except (ValueError, KeyError, TypeError) as error:
            log(f"invalid observation skipped: {error}")
            return

        for field, value in measurements(record, self.fields):
            address = f"/buoy/{station}/{field}"
            try:
                datagram = osc_float_message(address, value)
            except (OverflowError, struct.error):
                log(f"{address} {value} does not fit a float32; not sent")
                continue
            self.socket.sendto(datagram, self.address)
            if self.verbose:
                log(f"sent {address} {value:g}")

    def dispatch(self, event_type, data):
        if event_type == "observation":
            self.send_observation(data)
        elif event_type == "gap":
            log(f"events may be missing: {data}")
        elif event_type == "connection" and self.verbose:
            log(f"connected: {data}")

    def read_stream(self, response):
        """Read events until the stream ends, as the SSE format defines them."""
        event_type, data_lines = "", []

        for raw in response:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line == "":
                if data_lines:
                    self.dispatch(event_type or "message", "\n".join(data_lines))
                event_type, data_lines = "", []
                continue
            if line.startswith(":"):
                continue

            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data_lines.append(value)
            elif field == "event":
                event_type = value
            elif field == "id" and "\0" not in value:
                self.last_event_id = value
            elif field == "retry" and value.isdigit():
                self.retry_s = int(value) / 1000


def open_stream(url, last_event_id):
    headers = {"Accept": "text/event-stream"}
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    request = urllib.request.Request(url, headers=headers)
    return urllib.request.urlopen(request, timeout=READ_TIMEOUT_S)


def run(url, bridge):
    """Follow the stream, connecting again after each failure.

    Returns 1 at a 4xx reply, which connecting again cannot fix.
    """
    while True:
        try:
            with open_stream(url, bridge.last_event_id) as response:
                bridge.read_stream(response)
            log("the stream ended; connecting again")
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace").strip()
            if 400 <= error.code < 500:
                log(f"{url}: HTTP {error.code}: {body}")
                return 1
            log(f"{url}: HTTP {error.code}: {body}; connecting again")
        except (OSError, urllib.error.URLError) as error:
            log(f"{url}: {error}; connecting again")
        time.sleep(bridge.retry_s)


def parse_arguments():
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Send buoy observations from a buoy-sse stream as OSC messages "
                    "/buoy/<station>/<field> <float> over UDP.")
    parser.add_argument("url", nargs="?", default=DEFAULT_URL,
                        help=f"stream URL, with ?stations= to choose stations "
                             f"(default {DEFAULT_URL})")
    parser.add_argument("--host", default="127.0.0.1",
                        help="host that receives the OSC messages (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=57120,
                        help="UDP port that receives the OSC messages "
                             "(default 57120, sclang's port)")
    parser.add_argument("--fields",
                        help="comma-separated fields to send, such as "
                             "waveHeightM,windSpeedMps (default every measurement)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log every message sent")
    return parser.parse_args()


def main():
    arguments = parse_arguments()
    fields = set(arguments.fields.split(",")) if arguments.fields else None

    # SIGTERM ends the bridge like Ctrl-C, without a traceback.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    bridge = Bridge((arguments.host, arguments.port), fields, arguments.verbose)
    log(f"reading {arguments.url}, sending OSC to {arguments.host}:{arguments.port}")
    try:
        return run(arguments.url, bridge)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
