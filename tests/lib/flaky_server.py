#!/usr/bin/env python3
"""HTTP server for tests: serves a folder like `python3 -m http.server`,
but replies 500 to chosen paths.

usage: flaky_server.py PORT ROOT [PATH=COUNT ...]

Each PATH=COUNT makes the first COUNT requests for PATH fail with 500
(COUNT -1: every request). Every request is logged on stderr.
"""
import functools
import http.server
import sys

failures = {}


class FlakyHandler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        remaining = failures.get(self.path, 0)
        if remaining != 0:
            failures[self.path] = remaining - 1 if remaining > 0 else -1
            self.send_error(500, "failing on purpose")
            return
        super().do_GET()


def main():
    port, root = int(sys.argv[1]), sys.argv[2]
    for rule in sys.argv[3:]:
        path, _, count = rule.rpartition("=")
        failures[path] = int(count)
    handler = functools.partial(FlakyHandler, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
