// The WHEP client (RFC 9725, with ScreamRouter's candidate routes) of the listen page and the web console, in plain
// JavaScript. It defines window.WhepClient:
//   const player = WhepClient.player();               // talks to /api/whep/ of the server that served this script
//   await player.play(sink, audioElement, onUpdate);  // onUpdate(player) on each change of state and every 200 ms
//   player.stop();                                    // DELETE, the connection closed
//   player.sink, .state ('stopped', 'connecting', 'playing', 'failed', 'ended'), .listener, .packetsReceived,
//   .totalAudioEnergy, .audioLevel (getStats, 0..1), .error
//   WhepClient.meterPercent(level), WhepClient.decibels(level): how the pages draw a level
'use strict';
(function () {
  // /api/whep/ beside this script's own /listen/ folder, whichever page loaded it
  const script = document.currentScript ? document.currentScript.src : location.href;
  const base = new URL('../api/whep/', script);

  function request(method, url, body, type) {
    const init = { method, headers: {} };
    if (body !== undefined) { init.body = body; init.headers['Content-Type'] = type; }
    return fetch(url, init);
  }

  class Player {
    // the page's figures are the public fields; the connection stays private (a test may copy the fields)
    sink = null;
    state = 'stopped';
    listener = null;
    packetsReceived = 0;
    totalAudioEnergy = 0;
    audioLevel = 0;
    error = null;
    #pc = null;
    #location = null;
    #timers = [];
    #onUpdate = () => {};

    #set(state, error) {
      this.state = state;
      if (error !== undefined) this.error = error;
      this.#onUpdate(this);
    }

    async play(sink, audio, onUpdate) {
      this.stop();
      this.#onUpdate = onUpdate || (() => {});
      Object.assign(this, { sink, listener: null, packetsReceived: 0, totalAudioEnergy: 0, audioLevel: 0 });
      this.#set('connecting', null);
      try {
        await this.#connect(sink, audio);
      } catch (e) {
        this.#close();
        this.#set('failed', String(e.message || e));
        throw e;
      }
    }

    async #connect(sink, audio) {
      const pc = (this.#pc = new RTCPeerConnection());
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.ontrack = (e) => {
        audio.srcObject = e.streams[0] || new MediaStream([e.track]);
        audio.play().catch(() => {}); // a page that did not autoplay: the Play click allows it
      };
      const early = [];
      // our candidates go by PATCH once the session exists
      pc.onicecandidate = (e) => {
        if (!e.candidate || !e.candidate.candidate) return;
        const c = { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid || '0' };
        if (this.#location) this.#send(c); else early.push(c);
      };
      pc.onconnectionstatechange = () => {
        if (this.#pc !== pc) return;
        if (pc.connectionState === 'connected') this.#set('playing');
        if (pc.connectionState === 'failed') { this.#close(); this.#set('failed', 'the connection failed (ICE or DTLS)'); }
      };
      await pc.setLocalDescription(await pc.createOffer());
      const r = await request('POST', new URL(encodeURIComponent(sink), base), pc.localDescription.sdp, 'application/sdp');
      if (r.status !== 201) throw new Error('WHEP POST answered ' + r.status + ': ' + (await r.text()));
      if (this.#pc !== pc) { request('DELETE', new URL(r.headers.get('Location'), base)).catch(() => {}); return; } // stopped meanwhile
      const location = (this.#location = new URL(r.headers.get('Location'), base));
      this.listener = location.pathname.split('/').pop();
      await pc.setRemoteDescription({ type: 'answer', sdp: await r.text() });
      early.splice(0).forEach((c) => this.#send(c));
      // the server's late candidates, then heartbeats (the server ends a session silent for 15 s)
      let polls = 0;
      this.#timers.push(setInterval(async () => {
        if (++polls > 20 || this.#pc !== pc) return;
        const g = await fetch(new URL(location.pathname + '/candidates', base));
        if (g.ok) for (const c of await g.json()) await pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid });
      }, 250));
      this.#timers.push(setInterval(() => request('POST', location).then((h) => {
        if (h.status === 404 && this.#pc === pc) { this.#close(); this.#set('ended', 'the server ended the session'); }
      }, () => {}), 5000));
      this.#timers.push(setInterval(() => this.#meter(pc), 200));
    }

    #send(c) {
      request('PATCH', this.#location, JSON.stringify(c), 'application/json').catch(() => {});
    }

    async #meter(pc) {
      const stats = await pc.getStats();
      if (this.#pc !== pc) return;
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') {
          this.packetsReceived = s.packetsReceived || 0;
          this.totalAudioEnergy = s.totalAudioEnergy || 0;
          this.audioLevel = s.audioLevel || 0;
        }
      });
      this.#onUpdate(this);
    }

    #close() {
      this.#timers.splice(0).forEach(clearInterval);
      if (this.#location) request('DELETE', this.#location).catch(() => {});
      if (this.#pc) this.#pc.close();
      this.#pc = null;
      this.#location = null;
      this.audioLevel = 0;
    }

    stop() {
      const was = this.state;
      this.#close();
      if (was !== 'stopped') this.#set('stopped');
    }
  }

  window.WhepClient = {
    player: () => new Player(),
    // getStats' audioLevel is linear (0..1, 1 = full scale); speech and music sit well below 0.3
    meterPercent: (level) => Math.min(100, Math.round((level || 0) * 300)),
    decibels: (level) => (level > 0 ? (20 * Math.log10(level)).toFixed(1) + ' dBFS' : '-\u221e dBFS'),
  };
})();
