// ScreamRouter SIP web console: plain JavaScript over the JSON API of the same origin (docs/web.md).
// Everything shown is set with textContent: nothing a device sends is ever parsed as HTML.
'use strict';

const state = { user: null, csrf: null, events: null, devices: new Map(), selected: null, timer: null };
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf || '';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch('/api' + path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (response.status === 401 && path !== '/login') {
    loggedOut('Your session ended: log in again.');
  }
  if (!response.ok) {
    const error = new Error((data && data.error) || response.statusText);
    error.status = response.status;
    throw error;
  }
  return data;
}

function show(message) {
  $('message').textContent = message || '';
  $('message').hidden = !message;
}

function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text === null || text === undefined ? '-' : String(text);
  if (cls) td.className = cls;
  return td;
}

// --- building the pages: every text goes in with textContent ---

function text(value) {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ') : '-';
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([k, v]) => k + '=' + (typeof v === 'object' ? JSON.stringify(v) : v)).join(', ') : '-';
  }
  return String(value);
}

// el('td', 'text') or el('div', {className: 'x'}, child, 'text', ...): an element with text and children; a plain
// object sets properties, so a value that may be an object goes through text() first
function el(tag, ...parts) {
  const node = document.createElement(tag);
  for (const part of parts) {
    if (part instanceof Node) node.appendChild(part);
    else if (part && typeof part === 'object' && !Array.isArray(part)) Object.assign(node, part);
    else node.appendChild(document.createTextNode(text(part)));
  }
  return node;
}

// a definition list of [label, value] pairs; a value may be an element
function details(pairs) {
  const list = el('dl', { className: 'details' });
  for (const [label, value] of pairs) {
    list.appendChild(el('dt', label));
    list.appendChild(el('dd', value instanceof Node ? value : text(value)));
  }
  return list;
}

// a table of rows (arrays of values or elements) under headers; 'empty' when there is no row
function table(headers, rows, empty) {
  if (!rows.length) return el('p', { className: 'hint' }, empty || 'none');
  const t = el('table');
  t.createTHead().appendChild(el('tr', ...headers.map((h) => el('th', h))));
  const body = t.createTBody();
  for (const r of rows) body.appendChild(el('tr', ...r.map((v) => el('td', v instanceof Node ? v : text(v)))));
  return t;
}

function part(title, ...content) {
  return el('section', { className: 'part' }, el('h3', title), ...content);
}

function badge(ok, yes, no) {
  return el('span', { className: ok ? 'online' : 'bad' }, ok ? yes : no);
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() + ' (' + ago(iso) + ')' : '-';
}

function missingNote(missing) {
  return missing && missing.length ? el('div', { className: 'note' }, el('ul', ...missing.map((m) => el('li', m)))) : null;
}

function ago(iso) {
  if (!iso) return '-';
  const d = Math.round((Date.now() - Date.parse(iso)) / 1000);
  const s = Math.abs(d);
  const span = s < 120 ? s + ' s' : s < 7200 ? Math.floor(s / 60) + ' min' : s < 172800 ? Math.floor(s / 3600) + ' h' : Math.floor(s / 86400) + ' d';
  return d >= 0 ? span + ' ago' : 'in ' + span;
}

function loggedIn(session) {
  state.user = session.user;
  state.csrf = session.csrfToken;
  $('user').textContent = session.user;
  $('login').hidden = true;
  $('nav').hidden = false;
  $('who').hidden = false;
  show('');
  openEvents();
  route();
}

function loggedOut(message) {
  if (listen.player) listen.player.stop();
  state.user = null;
  state.csrf = null;
  if (state.events) state.events.close();
  state.events = null;
  clearInterval(state.timer);
  $('nav').hidden = true;
  $('who').hidden = true;
  document.querySelectorAll('.view').forEach((v) => { v.hidden = true; });
  $('login').hidden = false;
  show(message);
}

// --- devices, live ---

function renderDevices() {
  const body = $('device-rows');
  body.replaceChildren();
  const list = [...state.devices.values()].sort((a, b) => a.uuid.localeCompare(b.uuid));
  for (const d of list) {
    const row = body.insertRow();
    row.dataset.uuid = d.uuid;
    row.className = 'clickable';
    cell(row, d.name);
    cell(row, d.uuid);
    cell(row, d.role);
    cell(row, d.formats.join(', '));
    cell(row, d.address);
    cell(row, d.transport);
    cell(row, d.online ? 'online' : 'offline', d.online ? 'online' : 'offline');
    cell(row, ago(d.lastSeen));
    cell(row, d.expiresInS + ' s');
    row.addEventListener('click', () => selectDevice(d.uuid));
  }
}

async function loadDevices() {
  const data = await api('GET', '/devices');
  state.devices = new Map(data.devices.map((d) => [d.uuid, d]));
  renderDevices();
}

function openEvents() {
  if (state.events) state.events.close();
  const source = new EventSource('/api/events');
  state.events = source;
  source.onopen = () => { $('live').classList.add('on'); loadDevices().catch((e) => show(e.message)); };
  source.onerror = () => {
    $('live').classList.remove('on');
    // a refused reconnection (the session ended, e.g. the bundle was updated) is not retried: ask, and show the login
    if (source.readyState === EventSource.CLOSED) api('GET', '/session').catch(() => {});
  };
  for (const kind of ['ONLINE', 'UPDATED', 'OFFLINE']) {
    source.addEventListener(kind, (e) => {
      const d = JSON.parse(e.data);
      state.devices.set(d.uuid, d);
      renderDevices();
      if (state.selected === d.uuid) selectDevice(d.uuid);
    });
  }
  source.addEventListener('REMOVED', (e) => {
    state.devices.delete(JSON.parse(e.data).uuid);
    renderDevices();
  });
  source.addEventListener('session-ended', () => loggedOut('Your session ended: log in again.'));
}

async function selectDevice(uuid) {
  if (state.selected !== uuid) $('device-result').textContent = '';
  state.selected = uuid;
  $('device').hidden = false;
  $('device-title').textContent = uuid;
  try {
    const d = await api('GET', '/devices/' + encodeURIComponent(uuid));
    if (state.selected !== uuid) return;
    $('device-title').textContent = d.name + ' (' + d.uuid + ')';
    $('device-detail').replaceChildren(...devicePage(d));
  } catch (e) {
    $('device-detail').replaceChildren(el('p', { className: 'note' }, e.message));
  }
}

// the device page: GET /api/devices/{uuid} laid out (docs/web.md, "Device")
function devicePage(d) {
  const parts = [part('Device', details([
    ['Name', d.name], ['UUID', d.uuid], ['Role', d.role], ['Formats', d.formats],
    ['Address of record', d.addressOfRecord], ['Contact', d.contact], ['Address', d.address], ['Transport', d.transport],
    ['User agent', d.userAgent], ['Online', badge(d.online, 'online', 'offline')],
    ['First seen', when(d.firstSeen)], ['Last seen', when(d.lastSeen)],
    ['Expires', d.expires ? when(d.expires) + ', ' + d.expiresInS + ' s left' : '-'],
  ]))];
  const c = d.capabilities;
  parts.push(part('Capabilities', ...(c ? [
    details([['Role', c.role], ['Protocols', c.protocols], ['RTP address', c.rtpAddress], ['RTP port', c.rtpPort],
      ['Direction', c.direction], ['WebRTC', c.webRtc], ['Fingerprint', c.fingerprint], ['DTLS setup', c.setup]]),
    table(['Payload type', 'Codec', 'Clock rate', 'Channels'],
      c.formats.map((f) => [f.payloadType, f.codec, f.clockRate, f.channels]), 'no audio format'),
  ] : [el('p', { className: 'hint' }, 'none: its REGISTER had no SDP')])));
  parts.push(part('Bindings', table(['Contact', 'Transport', 'Address', 'Expires in', 'q', 'Call-ID', 'CSeq', 'Path', 'Registered'],
    (d.bindings || []).map((b) => [b.contact, b.transport, b.address, b.expiresInS + ' s', b.q, b.callId, b.cseq, b.path, when(b.registeredAt)]),
    'none: not registered')));
  parts.push(part('config.yaml entry', d.config
    ? table(['Key', 'Value'], Object.entries(d.config).map(([k, v]) => [k, v]))
    : el('p', { className: 'hint' }, 'none')));
  parts.push(part('Presence watchers', d.watchers
    ? table(['Id', 'Watcher', 'Resource', 'Event', 'Flow', 'State', 'Expires in', 'NOTIFYs'],
      d.watchers.map((w) => [w.id, w.watcher, w.resource, w.event, w.flow, w.state, w.expiresInS + ' s', w.notifiesSent]))
    : el('p', { className: 'hint' }, 'unknown: presence is not installed')));
  const note = missingNote(d.missing);
  if (note) parts.push(note);
  return parts;
}

// --- calls, subscriptions, status (polled while shown) ---

async function loadCalls() {
  const body = $('call-rows');
  const data = await api('GET', '/calls');
  body.replaceChildren();
  for (const c of data.calls) {
    const row = body.insertRow();
    row.dataset.callId = c.callId;
    [c.callId, c.sink, c.peer, c.kind, c.state, c.durationS + ' s', c.packetsSent].forEach((v) => cell(row, v));
    const button = document.createElement('button');
    button.textContent = 'Hang up';
    button.className = 'danger';
    button.addEventListener('click', () => api('DELETE', '/calls/' + encodeURIComponent(c.callId)).then(loadCalls, (e) => show(e.message)));
    row.insertCell().appendChild(button);
  }
}

async function loadSubscriptions() {
  const body = $('subscription-rows');
  const data = await api('GET', '/subscriptions');
  body.replaceChildren();
  for (const s of data.subscriptions) {
    const row = body.insertRow();
    [s.id, s.watcher, s.resource, s.event, s.flow, s.state, s.expiresInS + ' s', s.notifiesSent].forEach((v) => cell(row, v));
  }
}

// --- listen: the whep bundle's WHEP client (/listen/whep-client.js) plays one sink at a time in this page ---

// for scripts and tests: {available, sink, state, listener, packetsReceived, totalAudioEnergy, audioLevel, error}
window.consoleListen = { available: false, sink: null, state: 'stopped' };
const listen = { player: null, rows: new Map() };

function listenUpdate(p) {
  const { sink, state: s, listener, packetsReceived, totalAudioEnergy, audioLevel, error } = p;
  Object.assign(window.consoleListen, { sink, state: s, listener, packetsReceived, totalAudioEnergy, audioLevel, error });
  for (const [name, r] of listen.rows) {
    const mine = name === sink && s !== 'stopped';
    r.button.textContent = mine ? 'Stop' : 'Play';
    r.row.classList.toggle('playing', mine);
    r.bar.style.width = (mine ? WhepClient.meterPercent(audioLevel) : 0) + '%';
    r.level.textContent = !mine ? '' : s === 'playing' ? WhepClient.decibels(audioLevel) : s === 'connecting' ? 'connecting' : error || s;
  }
}

function listenToggle(sink) {
  const p = listen.player;
  if (p.sink === sink && p.state !== 'stopped') {
    p.stop();
  } else {
    p.play(sink, $('listen-audio'), listenUpdate).catch(() => {}); // shown in the row from p.error
  }
}

async function loadSinks() {
  const available = typeof window.WhepClient === 'object';
  if (available && !listen.player) listen.player = WhepClient.player();
  window.consoleListen.available = available;
  $('listen-missing').hidden = available;
  const data = await api('GET', '/sinks');
  const body = $('sink-rows');
  const seen = new Set();
  // rows are kept and updated in place: the playing one keeps its button and meter
  for (const s of data.sinks) {
    seen.add(s.sink);
    let r = listen.rows.get(s.sink);
    if (!r) {
      const row = body.insertRow();
      row.dataset.sink = s.sink;
      const cells = [0, 1, 2, 3, 4, 5].map(() => row.insertCell());
      const button = el('button', { type: 'button', className: 'play', disabled: !available }, 'Play');
      button.addEventListener('click', () => listenToggle(s.sink));
      row.insertCell().appendChild(button);
      const bar = el('span', { className: 'bar' });
      const level = el('span', { className: 'level' });
      row.insertCell().append(el('span', { className: 'meter' }, bar), level);
      r = { row, cells, button, bar, level };
      listen.rows.set(s.sink, r);
    }
    [s.sink, s.screamPort || '-', s.format || '-', s.packetsReceived, s.listeners, s.toneActive ? 'on' : 'off']
      .forEach((v, i) => { r.cells[i].textContent = text(v); });
  }
  for (const [name, r] of listen.rows) {
    if (!seen.has(name)) { r.row.remove(); listen.rows.delete(name); }
  }
  if (listen.player) listenUpdate(listen.player);
}

// --- status and configuration ---

function storeRow(name, s) {
  return s ? [name, badge(s.healthy, 'healthy', 'unhealthy'), s.state, s.file, s.movedTo, s.reason] : [name, 'not installed', '', '', '', ''];
}

function statusPage(st) {
  const parts = [];
  const stack = st.stack;
  if (stack) {
    parts.push(part('SIP stack',
      details([['Served methods', stack.servedMethods]]),
      el('div', { className: 'columns' },
        table(['Transport', 'Address', 'Port'], stack.listeningPoints.map((p) => [p.transport, p.address, p.port]), 'no listening point'),
        table(['Counter', 'Value'], Object.entries(stack.counters || {}), 'no counter'))));
    const tls = stack.tls || {};
    parts.push(part('TLS certificate', details([['Fingerprint', tls.fingerprint], ['Source', tls.source],
      ['Generated', tls.generated], ['Not after', tls.notAfter ? when(tls.notAfter) : '-'],
      ['Problem', tls.problem ? el('span', { className: 'bad' }, tls.problem) : 'none']])));
  }
  parts.push(part('Stores', table(['Store', 'Health', 'State', 'File', 'Moved to', 'Reason'],
    [storeRow('registrar', st.registrarStore), storeRow('presence', st.presenceStore)])));
  const cf = st.configFile;
  if (cf) {
    const pairs = [['Health', badge(cf.healthy, 'healthy', 'unhealthy')], ['Path', cf.path], ['Error', cf.error],
      ['Last write', cf.lastWrite ? when(cf.lastWrite) : '-'], ['Writes', cf.writes], ['Devices waiting', cf.pendingDevices],
      ['SIP entries', cf.sipEntries]];
    const a = cf.screamRouterApi;
    if (a) {
      pairs.push(['ScreamRouter API', a.url], ['API up', badge(a.up, 'up', 'down')], ['Down since', a.downSince ? when(a.downSince) : '-'],
        ['Last error', a.lastError], ['Last push', a.lastPush ? when(a.lastPush) : '-'], ['Pushes', a.pushes], ['Refused', a.refused]);
    }
    parts.push(part('config.yaml', details(pairs)));
  }
  if (st.mdns) {
    parts.push(part('mDNS', details([['Router UUID', st.mdns.routerUuid], ['State', st.mdns.state]]),
      table(['Interface', 'Address', 'Service type', 'Instance', 'Port', 'TXT'],
        st.mdns.announcements.map((a) => [a.interface, a.address, a.serviceType, a.instanceName, a.port, a.txt]), 'no announcement')));
  }
  parts.push(part('Console', details([['Sessions', st.sessions], ['Event streams', st.eventStreams]])));
  const note = missingNote(st.missing);
  if (note) parts.push(note);
  return parts;
}

// GET /api/config: the configuration PIDs, read-only; masked values arrive as ********
function configPage(data) {
  if (!data.configurations.length) return [el('p', { className: 'hint' }, 'no configuration')];
  return data.configurations.map((c) => {
    const masked = new Set(c.masked || []);
    const rows = Object.entries(c.properties || {}).map(([k, v]) => [k,
      masked.has(k) ? el('span', { className: 'masked', title: 'a secret: not shown' }, text(v), el('em', ' masked')) : v]);
    return el('section', { className: 'part config' },
      el('h3', el('code', c.pid)),
      el('p', { className: 'hint' }, c.file ? 'file: ' + c.file : 'no file'),
      table(['Key', 'Value'], rows, 'no property'),
      el('p', { className: 'hint' }, 'change with the Karaf console: ', el('code', c.edit)));
  });
}

async function loadStatus() {
  const [st, config] = await Promise.all([api('GET', '/status'), api('GET', '/config').catch((e) => e)]);
  $('status-detail').replaceChildren(...statusPage(st));
  if (config instanceof Error) {
    if (config.status !== 404) throw config;
    $('config-detail').replaceChildren(el('p', { className: 'note' }, 'configuration view not available (this server has no /api/config)'));
  } else {
    $('config-detail').replaceChildren(...configPage(config));
  }
}

const views = { devices: loadDevices, calls: loadCalls, subscriptions: loadSubscriptions, listen: loadSinks, status: loadStatus };

function route() {
  if (!state.user) return;
  const name = views[location.hash.slice(1)] ? location.hash.slice(1) : 'devices';
  document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== name; });
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.view === name));
  clearInterval(state.timer);
  const load = () => views[name]().then(() => show(''), (e) => show(e.message));
  load();
  // devices come live over the event stream; the other views are read again every 2 s while shown
  if (name !== 'devices') state.timer = setInterval(load, 2000);
}

// --- wiring ---

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  try {
    loggedIn(await api('POST', '/login', { user: form.get('user'), password: form.get('password') }));
    e.target.reset();
  } catch (error) {
    show(error.message);
  }
});

$('logout').addEventListener('click', async () => {
  try { await api('POST', '/logout'); } catch (e) { /* the session is gone anyway */ }
  loggedOut('');
});

$('ping').addEventListener('click', async () => {
  const uuid = state.selected;
  $('device-result').textContent = 'pinging...';
  try {
    const r = await api('POST', '/devices/' + encodeURIComponent(uuid) + '/ping');
    $('device-result').textContent = r.status + ' ' + r.reason + ' in ' + r.roundTripMs + ' ms';
  } catch (e) {
    $('device-result').textContent = e.message;
  }
});

$('unregister').addEventListener('click', async () => {
  const uuid = state.selected;
  if (!confirm('Unregister ' + uuid + '?')) return;
  try {
    await api('DELETE', '/devices/' + encodeURIComponent(uuid));
    $('device-result').textContent = 'unregistered';
  } catch (e) {
    $('device-result').textContent = e.message;
  }
});

window.addEventListener('hashchange', route);
window.addEventListener('pagehide', () => { if (listen.player) listen.player.stop(); });

api('GET', '/session').then(loggedIn, () => loggedOut(''));
