#!/usr/bin/env node
// Reads a buoy-sse stream with the eventsource npm package, the browser
// EventSource API for Node, and prints the events it received as one JSON
// object on stdout:
//
//   {"opens":[ms,...],"errors":[ms,...],"connections":[data,...],
//    "observations":[{"lastEventId":..,"data":..,"at":ms},...],
//    "reconnectDelaysMs":[ms,...],"timedOut":false}
//
// Times are milliseconds since the start. A reconnect delay is the time
// from an error to the next open. While it runs it writes one line per
// event on stderr ("open", "error", "connection", "observation ID") so
// that a test can follow it.
//
// usage: eventsource-client.js URL COUNT TIMEOUT_MS
// Stops after COUNT observation events, or after TIMEOUT_MS.

'use strict';

const { EventSource } = require('eventsource');

const [url, countArg, timeoutArg] = process.argv.slice(2);
const count = Number(countArg);
const timeoutMs = Number(timeoutArg);

if (!url || !(count > 0) || !(timeoutMs > 0)) {
	process.stderr.write('usage: eventsource-client.js URL COUNT TIMEOUT_MS\n');
	process.exit(64);
}

const start = Date.now();
const result = {
	opens: [],
	errors: [],
	connections: [],
	observations: [],
	reconnectDelaysMs: [],
	timedOut: false,
};
const source = new EventSource(url);

function now() {
	return Date.now() - start;
}

function finish() {
	source.close();
	clearTimeout(timer);
	process.stdout.write(JSON.stringify(result) + '\n');
}

const timer = setTimeout(() => {
	result.timedOut = true;
	finish();
}, timeoutMs);

source.onopen = () => {
	const at = now();

	if (result.errors.length > 0)
		result.reconnectDelaysMs.push(at - result.errors[result.errors.length - 1]);
	result.opens.push(at);
	process.stderr.write('open\n');
};

source.onerror = () => {
	result.errors.push(now());
	process.stderr.write('error\n');
};

source.addEventListener('connection', (event) => {
	result.connections.push(JSON.parse(event.data));
	process.stderr.write('connection\n');
});

source.addEventListener('observation', (event) => {
	result.observations.push({ lastEventId: event.lastEventId, data: event.data, at: now() });
	process.stderr.write(`observation ${event.lastEventId}\n`);
	if (result.observations.length >= count)
		finish();
});
