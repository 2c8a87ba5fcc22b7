// The live page of buoy-sse: one table row per station with its latest
// observation, kept current from the event stream, and an opt-in WebAudio
// sonification. Plain browser JavaScript, no framework and no build step.
'use strict';

// Relative, so that the page also works behind a proxy under a prefix.
const STREAM_PATH = 'v1/observations/stream';
const FRESH_MS = 3000;          // how long an updated row stays highlighted
const RETRY_MIN_MS = 2000;      // the delay buoy-sse sets with 'retry: 2000'
const RETRY_MAX_MS = 30000;
// An event id that buoy-sse never gives. Resuming after it, the server
// sends a gap event and then every recent event it keeps (its --history),
// so the table fills at once instead of waiting for the next observation.
const REPLAY_HISTORY_ID = 'page-start';

// The table's cells after the station, in column order.
const FIELDS = ['timestamp', 'waveHeightM', 'windSpeedMps', 'windDirDeg', 'gustMps',
	'waterTempC', 'airTempC', 'pressureHpa'];
const STATE_TEXT = { connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting' };
const COMPASS = ['N', 'NNE', 'NE', 'ENE', 'E', 'ESE', 'SE', 'SSE',
	'S', 'SSW', 'SW', 'WSW', 'W', 'WNW', 'NW', 'NNW'];

const statusElement = document.getElementById('status');
const lastEventElement = document.getElementById('last-event');
const gapNote = document.getElementById('gap-note');
const rowsElement = document.getElementById('rows');
const emptyNote = document.getElementById('empty');

// stationId -> { row, record, timer }
const stations = new Map();
let source = null;
let lastEventId = '';
let retryDelayMs = RETRY_MIN_MS;

// ---- connection ----

function setState(state) {
	if (statusElement.dataset.state === state)
		return;
	statusElement.dataset.state = state;
	statusElement.textContent = STATE_TEXT[state];
}

// Shows the local time of the last event outside the live region, so that
// screen readers announce state changes and not every event.
function noteEventTime() {
	const now = new Date();
	const time = document.createElement('time');

	time.dateTime = now.toISOString();
	time.textContent = now.toLocaleTimeString();
	lastEventElement.replaceChildren('Last event at ', time);
}

function streamUrl() {
	const params = new URLSearchParams();
	const filter = new URLSearchParams(location.search).get('stations');

	if (filter)
		params.set('stations', filter);
	// The Last-Event-ID header that EventSource sends when it reconnects
	// wins over this parameter.
	params.set('lastEventId', lastEventId || REPLAY_HISTORY_ID);
	return `${STREAM_PATH}?${params}`;
}

function connect() {
	source = new EventSource(streamUrl());
	source.addEventListener('open', () => {
		retryDelayMs = RETRY_MIN_MS;
		setState('live');
	});
	source.addEventListener('connection', () => setState('live'));
	source.addEventListener('observation', onObservation);
	source.addEventListener('gap', onGap);
	source.addEventListener('error', onError);
}

// EventSource retries by itself after a network error (readyState
// CONNECTING), but gives up for good on an error reply such as buoy-sse's
// 500 while its source is down (CLOSED). Then this page retries, with a
// doubling delay, and resumes after the last id it received.
function onError() {
	setState('reconnecting');
	if (source.readyState !== EventSource.CLOSED)
		return;
	source.close();
	setTimeout(connect, retryDelayMs);
	retryDelayMs = Math.min(retryDelayMs * 2, RETRY_MAX_MS);
}

// Shows a note unless the gap only replies to this page's request for the
// server's history.
function onGap(event) {
	const time = new Date().toLocaleTimeString();
	let gap = {};

	try {
		gap = JSON.parse(event.data);
	} catch {
		// A gap event that is not JSON still means events may be missing.
	}
	if (gap.lastEventId === REPLAY_HISTORY_ID)
		return;

	gapNote.textContent = `Some observations may be missing (${time}): the server no ` +
		'longer had every event since the last one this page received. Each row ' +
		'shows the newest observation the server sent.';
	gapNote.hidden = false;
	noteEventTime();
}

// ---- table ----

function compassPoint(degrees) {
	return COMPASS[Math.round((((degrees % 360) + 360) % 360) / 22.5) % 16];
}

function fillCell(cell, field, value) {
	if (field === 'timestamp') {
		const time = document.createElement('time');

		time.dateTime = value;
		time.textContent = `${value.slice(0, 10)} ${value.slice(11, 16)}`;
		cell.replaceChildren(time);
	} else if (typeof value !== 'number') {
		const dash = document.createElement('span');
		const words = document.createElement('span');

		dash.textContent = '—';
		dash.setAttribute('aria-hidden', 'true');
		words.textContent = 'no data';
		words.className = 'visually-hidden';
		cell.replaceChildren(dash, words);
	} else if (field === 'windDirDeg') {
		cell.textContent = `${value}° ${compassPoint(value)}`;
	} else {
		cell.textContent = String(value);
	}
}

// Creates the station's row, placed in the order of the station ids.
function createRow(stationId) {
	const row = document.createElement('tr');
	const header = document.createElement('th');

	row.dataset.station = stationId;
	header.scope = 'row';
	header.textContent = stationId;
	row.append(header);
	for (const field of FIELDS) {
		const cell = document.createElement('td');

		cell.dataset.field = field;
		row.append(cell);
	}

	const next = Array.from(rowsElement.rows).find((other) => other.dataset.station > stationId);
	rowsElement.insertBefore(row, next || null);
	emptyNote.hidden = true;
	return row;
}

function highlight(entry) {
	clearTimeout(entry.timer);
	entry.row.classList.remove('fresh');
	void entry.row.offsetWidth;   // restarts the CSS transition
	entry.row.classList.add('fresh');
	entry.timer = setTimeout(() => entry.row.classList.remove('fresh'), FRESH_MS);
}

// Shows a record unless the row already has a newer one, as happens when
// NDBC revises an older observation. Fields the table has no column for
// are ignored.
function onObservation(event) {
	let record;

	try {
		record = JSON.parse(event.data);
	} catch {
		return;
	}
	if (typeof record.stationId !== 'string' || typeof record.timestamp !== 'string')
		return;
	lastEventId = event.lastEventId;
	noteEventTime();

	let entry = stations.get(record.stationId);
	if (!entry) {
		entry = { row: createRow(record.stationId), record: null, timer: 0 };
		stations.set(record.stationId, entry);
	} else if (entry.record.timestamp > record.timestamp) {
		return;
	}
	entry.record = record;
	FIELDS.forEach((field, i) => fillCell(entry.row.cells[i + 1], field, record[field]));
	highlight(entry);
	sound.update(record);
}

// ---- sound ----

// One voice per station: oscillator -> gain -> stereo panner -> master.
const sound = {
	MAX_VOICES: 16,
	RAMP_S: 0.15,   // time constant of each change: 95 % done in 0.45 s

	context: null,
	master: null,
	voices: new Map(),

	// Creates the AudioContext: browsers let audio start only from a click.
	start() {
		const context = new AudioContext();
		const compressor = new DynamicsCompressorNode(context);

		this.context = context;
		this.master = new GainNode(context, { gain: 0.25 });
		this.master.connect(compressor).connect(context.destination);
		for (const entry of stations.values())
			this.update(entry.record);
	},

	// 0 to 8 m of wave height spans three octaves up from 110 Hz.
	pitch(waveHeightM) {
		return 110 * 2 ** (3 * Math.min(Math.max(waveHeightM, 0), 8) / 8);
	},

	// 0 to 25 m/s of wind from a quiet 0.03 to 0.2; unknown wind stays quiet.
	loudness(windSpeedMps) {
		if (typeof windSpeedMps !== 'number')
			return 0.03;
		return 0.03 + 0.17 * Math.min(Math.max(windSpeedMps, 0), 25) / 25;
	},

	voiceFor(stationId) {
		let voice = this.voices.get(stationId);

		if (!voice && this.voices.size < this.MAX_VOICES) {
			const context = this.context;

			voice = {
				oscillator: new OscillatorNode(context, { type: 'triangle' }),
				gain: new GainNode(context, { gain: 0 }),
				panner: new StereoPannerNode(context),
			};
			voice.oscillator.connect(voice.gain).connect(voice.panner).connect(this.master);
			voice.oscillator.start();
			this.voices.set(stationId, voice);
		}
		return voice;
	},

	// Moves the station's voice to the record's values. A station without a
	// wave height is silent.
	update(record) {
		if (!this.context)
			return;
		const hasWaves = typeof record.waveHeightM === 'number';
		const voice = hasWaves ? this.voiceFor(record.stationId) : this.voices.get(record.stationId);
		if (!voice)
			return;
		const now = this.context.currentTime;

		if (hasWaves)
			voice.oscillator.frequency.setTargetAtTime(this.pitch(record.waveHeightM), now, this.RAMP_S);
		voice.gain.gain.setTargetAtTime(hasWaves ? this.loudness(record.windSpeedMps) : 0,
			now, this.RAMP_S);
		// Wind from the east (90°) pans right, from the west (270°) left.
		if (typeof record.windDirDeg === 'number')
			voice.panner.pan.setTargetAtTime(Math.sin(record.windDirDeg * Math.PI / 180),
				now, this.RAMP_S);
	},
};

function setUpSoundButtons() {
	const startButton = document.getElementById('sound-start');
	const muteButton = document.getElementById('sound-mute');

	if (!window.AudioContext || !window.StereoPannerNode) {
		startButton.disabled = true;
		startButton.textContent = 'Sound needs a browser with WebAudio';
		return;
	}
	startButton.addEventListener('click', () => {
		sound.start();
		startButton.disabled = true;
		muteButton.disabled = false;
		muteButton.focus();
	});
	muteButton.addEventListener('click', () => {
		const muted = muteButton.getAttribute('aria-pressed') !== 'true';

		muteButton.setAttribute('aria-pressed', String(muted));
		if (muted)
			sound.context.suspend();
		else
			sound.context.resume();
	});
}

setUpSoundButtons();
connect();
