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
  if (!response.ok) throw new Error((data && data.error) || response.statusText);
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

function ago(iso) {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 120 ? s + ' s ago' : s < 7200 ? Math.floor(s / 60) + ' min ago' : Math.floor(s / 3600) + ' h ago';
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
  state.selected = uuid;
  $('device').hidden = false;
  $('device-title').textContent = uuid;
  $('device-result').textContent = '';
  try {
    $('device-detail').textContent = JSON.stringify(await api('GET', '/devices/' + encodeURIComponent(uuid)), null, 2);
  } catch (e) {
    $('device-detail').textContent = e.message;
  }
}

// --- calls, subscriptions, status (polled while shown) ---

async function loadCalls() {
  const body = $('call-rows');
  const data = await api('GET', '/calls');
  body.replaceChildren();
  for (const c of data.calls) {
    const row = body.insertRow();
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

async function loadSinks() {
  const body = $('sink-rows');
  const data = await api('GET', '/sinks');
  body.replaceChildren();
  for (const s of data.sinks) {
    const row = body.insertRow();
    [s.sink, s.screamPort || '-', s.format || '-', s.packetsReceived, s.listeners, s.toneActive ? 'on' : 'off'].forEach((v) => cell(row, v));
    const link = document.createElement('a');
    link.href = s.listen;
    link.target = '_blank';
    link.rel = 'noopener';
    link.textContent = 'Listen';
    row.insertCell().appendChild(link);
  }
}

async function loadStatus() {
  $('status-detail').textContent = JSON.stringify(await api('GET', '/status'), null, 2);
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

api('GET', '/session').then(loggedIn, () => loggedOut(''));
