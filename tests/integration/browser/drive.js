#!/usr/bin/env node
// Loads stream.html in headless Chromium, lets its EventSource read a
// buoy-sse stream, and prints the events the page listed as one JSON
// object on stdout:
//
//   {"state":"done","errors":0,"pageOrigin":"http://127.0.0.1:PORT",
//    "events":[{"type":"connection","lastEventId":"","data":"..."},...]}
//
// usage: drive.js same-origin|cross-origin SSE_URL COUNT TIMEOUT_MS
//
// SSE_URL is buoy-sse's base address, such as http://127.0.0.1:8080. The
// page comes from a server this script starts on another loopback port.
// With same-origin, that server also proxies /v1/observations/stream to
// buoy-sse, so the page reads the stream from its own origin. With
// cross-origin, the page reads SSE_URL directly, which a browser allows
// only when buoy-sse sends Access-Control-Allow-Origin.
//
// It writes "listening PORT" on stderr once the page server is up, and
// the page's console messages as they come. CHROMIUM names the browser
// (default /usr/bin/chromium).

'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { chromium } = require('playwright-core');

const STREAM_PATH = '/v1/observations/stream';
const PAGE = fs.readFileSync(path.join(__dirname, 'stream.html'));

// Serves the page, and proxies the stream to upstream unless it is null.
function pageServer(upstream) {
	return http.createServer((req, res) => {
		if (req.url.startsWith('/stream.html')) {
			res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
			res.end(PAGE);
		} else if (req.url === '/favicon.ico') {
			res.writeHead(204);
			res.end();
		} else if (upstream && req.url === STREAM_PATH) {
			passOn(req, res, upstream);
		} else {
			res.writeHead(404);
			res.end();
		}
	});
}

function passOn(req, res, upstream) {
	const headers = { accept: req.headers.accept || '*/*' };

	if (req.headers['last-event-id'])
		headers['last-event-id'] = req.headers['last-event-id'];
	const outgoing = http.get(new URL(STREAM_PATH, upstream), { headers }, (incoming) => {
		res.writeHead(incoming.statusCode, incoming.headers);
		incoming.pipe(res);
	});
	outgoing.on('error', () => res.destroy());
	res.on('close', () => outgoing.destroy());
}

async function readEvents(page) {
	return page.evaluate(() => ({
		state: document.body.dataset.state,
		errors: Number(document.body.dataset.errors),
		events: Array.from(document.querySelectorAll('#events li'), (item) => ({
			type: item.dataset.type,
			lastEventId: item.dataset.lastEventId,
			data: item.textContent,
		})),
	}));
}

async function main() {
	const [mode, sseUrl, countArg, timeoutArg] = process.argv.slice(2);
	const count = Number(countArg);
	const timeoutMs = Number(timeoutArg);

	if (!['same-origin', 'cross-origin'].includes(mode) || !sseUrl || !(count > 0) ||
	    !(timeoutMs > 0)) {
		process.stderr.write('usage: drive.js same-origin|cross-origin SSE_URL COUNT TIMEOUT_MS\n');
		process.exit(64);
	}

	const server = pageServer(mode === 'same-origin' ? sseUrl : null);
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const origin = `http://127.0.0.1:${server.address().port}`;
	const stream = mode === 'same-origin' ? origin + STREAM_PATH : new URL(STREAM_PATH, sseUrl).href;
	process.stderr.write(`listening ${server.address().port}\n`);

	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
		       '--disable-component-update', '--disable-sync', '--no-first-run'],
		timeout: timeoutMs,
	});
	try {
		const page = await browser.newPage();
		page.on('console', (message) => process.stderr.write(`console: ${message.text()}\n`));
		await page.goto(`${origin}/stream.html?count=${count}&stream=${encodeURIComponent(stream)}`);
		await page.waitForSelector('body[data-state="done"]', { timeout: timeoutMs })
			.catch(() => {});
		const result = await readEvents(page);
		result.pageOrigin = origin;
		process.stdout.write(JSON.stringify(result) + '\n');
	} finally {
		await browser.close();
		server.close();
		server.closeAllConnections();
	}
}

main().catch((error) => {
	process.stderr.write(`drive.js: ${error.message}\n`);
	process.exit(70);
});
