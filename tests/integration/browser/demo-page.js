#!/usr/bin/env node
// Loads buoy-sse's own page (web/index.html, served with --static) in
// headless Chromium and prints what the page shows as one JSON object on
// stdout:
//
//   {"state":"live","statusText":"Live","lastEvent":"Last event at ...",
//    "gapNote":null,"rows":[{"station":"44013","timestamp":"2022-...",
//    "cells":{"timestamp":"2022-06-05 13:00","waveHeightM":"0.5",...}}],
//    "sound":{...},"dom":"<html>...","requests":["http://..."],
//    "consoleErrors":[],"pageErrors":[]}
//
// usage: demo-page.js PAGE_URL EXPECTED_JSON TIMEOUT_MS [gap] [sound]
//
// EXPECTED_JSON maps station ids to the timestamps the page must show,
// such as {"44013":"2022-06-05T13:00:00Z"}. The script waits for the page
// to be live, writes "live" on stderr, waits for those rows, writes "rows".
// With "gap" it then waits for the status to turn to reconnecting
// ("reconnecting"), then live again with the gap note shown ("gap"). With
// "sound" it clicks the sound button and reads the voices' settings. Every
// request the page makes is listed; Chromium resolves no host name but
// 127.0.0.1, so a request to any other host fails instead of leaving the
// machine. CHROMIUM names the browser (default /usr/bin/chromium).

'use strict';

const { chromium } = require('playwright-core');

function note(text) {
	process.stderr.write(`${text}\n`);
}

// Reads the status, the gap note and every row, cell by cell.
async function readPage(page) {
	return page.evaluate(() => {
		const status = document.getElementById('status');
		const gap = document.getElementById('gap-note');

		return {
			state: status.dataset.state,
			statusText: status.textContent,
			lastEvent: document.getElementById('last-event').textContent,
			gapNote: gap.hidden ? null : gap.textContent,
			rows: Array.from(document.querySelectorAll('#rows tr'), (row) => ({
				station: row.dataset.station,
				timestamp: row.querySelector('time').dateTime,
				cells: Object.fromEntries(Array.from(row.querySelectorAll('td'),
					(cell) => [cell.dataset.field, cell.textContent])),
			})),
			dom: document.documentElement.outerHTML,
		};
	});
}

function waitForState(page, state, timeoutMs) {
	return page.waitForSelector(`#status[data-state="${state}"]`, { timeout: timeoutMs });
}

function waitForRows(page, expected, timeoutMs) {
	return page.waitForFunction((wanted) => Object.entries(wanted).every(([station, time]) => {
		const row = document.querySelector(`#rows tr[data-station="${station}"] time`);
		return row !== null && row.dateTime === time;
	}), expected, { timeout: timeoutMs });
}

// Starts the sound as a person would, then reads each voice's settings
// once the audio clock shows that the ramps are done: 2.5 s is 16 time
// constants. The clock, not the wall clock, because the audio thread may
// start late on a busy machine.
async function readSound(page) {
	await page.click('#sound-start');
	await page.waitForFunction(() => sound.context.currentTime > 2.5);
	return page.evaluate(() => ({
		contextState: sound.context.state,
		muteEnabled: !document.getElementById('sound-mute').disabled,
		voices: Object.fromEntries(Array.from(sound.voices, ([station, voice]) => [station, {
			frequency: voice.oscillator.frequency.value,
			gain: voice.gain.gain.value,
			pan: voice.panner.pan.value,
		}])),
	}));
}

async function run(page, url, expected, timeoutMs, options) {
	const result = {};

	await page.goto(url);
	await waitForState(page, 'live', timeoutMs);
	note('live');
	await waitForRows(page, expected, timeoutMs);
	note('rows');
	if (options.includes('gap')) {
		await waitForState(page, 'reconnecting', timeoutMs);
		note('reconnecting');
		await waitForState(page, 'live', timeoutMs);
		await page.waitForSelector('#gap-note:not([hidden])', { timeout: timeoutMs });
		note('gap');
	}
	if (options.includes('sound'))
		result.sound = await readSound(page);
	return Object.assign(await readPage(page), result);
}

async function main() {
	const [url, expectedArg, timeoutArg, ...options] = process.argv.slice(2);
	const timeoutMs = Number(timeoutArg);
	const requests = [];
	const consoleErrors = [];
	const pageErrors = [];

	if (!url || !expectedArg || !(timeoutMs > 0)) {
		note('usage: demo-page.js PAGE_URL EXPECTED_JSON TIMEOUT_MS [gap] [sound]');
		process.exit(64);
	}

	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
		       '--disable-component-update', '--disable-sync', '--no-first-run',
		       '--autoplay-policy=user-gesture-required',
		       '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
		timeout: timeoutMs,
	});
	try {
		const page = await browser.newPage();

		page.on('request', (request) => requests.push(request.url()));
		page.on('console', (message) => {
			note(`console: ${message.text()}`);
			if (message.type() === 'error')
				consoleErrors.push(message.text());
		});
		page.on('pageerror', (error) => pageErrors.push(error.message));

		let result;
		try {
			result = await run(page, url, JSON.parse(expectedArg), timeoutMs, options);
		} catch (error) {
			// Shows what the page had when it timed out, for the test's log.
			const shown = await readPage(page).catch(() => ({}));
			delete shown.dom;
			note(`page: ${JSON.stringify(shown)}`);
			note(`requests: ${requests.join(' ')}`);
			throw error;
		}
		Object.assign(result, { requests, consoleErrors, pageErrors });
		process.stdout.write(JSON.stringify(result) + '\n');
	} finally {
		await browser.close();
	}
}

main().catch((error) => {
	note(`demo-page.js: ${error.message}`);
	process.exit(70);
});
