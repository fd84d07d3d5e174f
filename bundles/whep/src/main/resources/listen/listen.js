// A WHEP client (RFC 9725, with ScreamRouter's candidate routes) in plain JavaScript.
// The page's state is in window.whep for scripts and tests: {state, listener, packetsReceived, totalAudioEnergy, error}.
'use strict';
(function () {
  const base = new URL('../api/whep/', location.href);
  const $ = (id) => document.getElementById(id);
  const whep = (window.whep = { state: 'stopped', listener: null, packetsReceived: 0, totalAudioEnergy: 0, error: null });
  let pc = null, location_ = null, timers = [];

  function status(text) { $('status').textContent = text; }

  async function request(method, url, body, type) {
    const init = { method, headers: {} };
    if (body !== undefined) { init.body = body; init.headers['Content-Type'] = type; }
    return fetch(url, init);
  }

  async function play(sink) {
    stop();
    whep.state = 'connecting'; whep.error = null;
    status('Connecting to ' + sink + '...');
    pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.ontrack = (e) => { $('audio').srcObject = e.streams[0] || new MediaStream([e.track]); };
    const early = [];
    // trickle our candidates by PATCH once the session exists
    pc.onicecandidate = (e) => {
      if (!e.candidate || !e.candidate.candidate) return;
      const c = { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid || '0' };
      if (location_) send(c); else early.push(c);
    };
    pc.onconnectionstatechange = () => {
      if (pc && pc.connectionState === 'connected') { whep.state = 'playing'; status('Playing ' + sink); }
      if (pc && (pc.connectionState === 'failed' || pc.connectionState === 'closed')) { whep.state = 'failed'; status('Connection ' + pc.connectionState); }
    };
    await pc.setLocalDescription(await pc.createOffer());
    const r = await request('POST', new URL(encodeURIComponent(sink), base), pc.localDescription.sdp, 'application/sdp');
    if (r.status !== 201) throw new Error('WHEP POST answered ' + r.status + ': ' + (await r.text()));
    location_ = new URL(r.headers.get('Location'), location.href);
    whep.listener = location_.pathname.split('/').pop();
    await pc.setRemoteDescription({ type: 'answer', sdp: await r.text() });
    early.splice(0).forEach(send);
    // the server's late candidates, then heartbeats (the server ends a session silent for 15 s)
    let polls = 0;
    timers.push(setInterval(async () => {
      if (++polls > 20) return;
      const g = await fetch(new URL(location_.pathname + '/candidates', location.href));
      if (g.ok) for (const c of await g.json()) await pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid });
    }, 250));
    timers.push(setInterval(() => request('POST', location_).then((h) => {
      if (h.status === 404) { whep.state = 'ended'; status('The server ended the session'); }
    }), 5000));
    timers.push(setInterval(meter, 200));
    $('stop').disabled = false;
  }

  function send(c) {
    request('PATCH', location_, JSON.stringify(c), 'application/json').catch(() => {});
  }

  async function meter() {
    if (!pc) return;
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        whep.packetsReceived = s.packetsReceived || 0;
        whep.totalAudioEnergy = s.totalAudioEnergy || 0;
        $('level').style.width = Math.min(100, Math.round((s.audioLevel || 0) * 300)) + '%';
      }
    });
  }

  function stop() {
    timers.splice(0).forEach(clearInterval);
    if (location_) request('DELETE', location_).catch(() => {});
    if (pc) pc.close();
    pc = null; location_ = null;
    if (whep.state !== 'stopped') { whep.state = 'stopped'; status('Stopped'); }
    $('stop').disabled = true;
    $('level').style.width = '0';
  }

  $('form').addEventListener('submit', (e) => {
    e.preventDefault();
    play($('sink').value.trim()).catch((err) => { whep.state = 'failed'; whep.error = String(err); status(String(err)); });
  });
  $('stop').addEventListener('click', stop);
  window.addEventListener('pagehide', stop);
  const wanted = new URLSearchParams(location.search).get('sink');
  if (wanted) $('sink').value = wanted;
})();
