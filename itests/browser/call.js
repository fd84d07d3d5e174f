// Browser side of CallsBrowserIT: headless Chromium (playwright-core) loads JsSIP (bundled locally by esbuild),
// registers over ws:// to the server, calls a sink, waits for Opus to arrive and prints one line
// "RESULT <json>" with getStats() figures, then hangs up (BYE).
//
// usage: node call.js <ws url> <server ip> <sink> <jssip bundle> <sip user> <chromium> <profile dir>
// A wss:// url is opened from an https:// page, and the server's certificate is trusted by its public key: the
// base64 SHA-256 of its SubjectPublicKeyInfo in the environment variable SPKI_PIN (Chromium's
// --ignore-certificate-errors-spki-list, the way a user pins a self-signed certificate on the command line).
const { chromium } = require('playwright-core');

const [wsUrl, serverIp, sink, bundle, user, executable, profile] = process.argv.slice(2);
const secure = wsUrl.startsWith('wss:');
if (secure && !process.env.SPKI_PIN) throw new Error('wss needs SPKI_PIN');

// a last word if something hangs: the test reads what was found so far
let progress = { error: 'timed out' };
const watchdog = setTimeout(() => { console.log('RESULT ' + JSON.stringify(progress)); process.exit(2); }, 100000);

(async () => {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: executable,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required']
      .concat(secure ? ['--ignore-certificate-errors-spki-list=' + process.env.SPKI_PIN] : []),
  });
  let result;
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (m) => {
      console.log('page: ' + m.text());
      if (m.text().startsWith('PROGRESS ')) progress = JSON.parse(m.text().substring(9));
    });
    // the page comes from the server's own address, as a UI served by that machine would: the server lets only such
    // origins open a WebSocket (ws.allowed.origins = self). Playwright answers the request itself; nothing listens there
    const origin = (secure ? 'https://' : 'http://') + serverIp + '/';
    await page.route(origin, (route) => route.fulfill({ contentType: 'text/html', body: '<html><body>calls itest</body></html>' }));
    await page.goto(origin);
    await page.addScriptTag({ path: bundle });
    result = await page.evaluate(async ({ wsUrl, serverIp, sink, user }) => {
      const out = { registered: false, confirmed: false, ended: false };
      const report = (what) => { out.step = what; console.log('PROGRESS ' + JSON.stringify(out)); };
      JsSIP.debug.enable('JsSIP:Transport JsSIP:RTCSession');
      const socket = new JsSIP.WebSocketInterface(wsUrl);
      // the registrar's domain (screamrouter.local): the server was re-bound to the veth address after it started
      const ua = new JsSIP.UA({ sockets: [socket], uri: 'sip:' + user + '@screamrouter.local',
        registrar_server: 'sip:screamrouter.local', register: true, session_timers: false });
      const registered = new Promise((resolve, reject) => {
        ua.on('registered', resolve);
        ua.on('registrationFailed', (e) => reject(new Error('registration failed: ' + e.cause)));
      });
      ua.start();
      await registered;
      out.registered = true;
      report('registered');
      const t0 = performance.now();
      const session = ua.call('sip:' + sink + '@' + serverIp, {
        // a listener: nothing captured, audio received only (recvonly offer)
        mediaConstraints: { audio: false, video: false },
        rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
        pcConfig: { iceServers: [] },
      });
      await new Promise((resolve, reject) => {
        session.on('confirmed', resolve);
        session.on('failed', (e) => reject(new Error('call failed: ' + e.cause + ' ' + (e.message ? e.message.status_code : ''))));
      });
      out.confirmed = true;
      report('confirmed');
      out.answerMillis = Math.round(performance.now() - t0);
      const pc = session.connection;
      // played out like a listening page does: the receiver's audio level is measured on playout
      const audio = new Audio();
      audio.srcObject = new MediaStream(pc.getReceivers().map((r) => r.track).filter((t) => t && t.kind === 'audio'));
      audio.play().catch((e) => console.log('play: ' + e));
      const deadline = Date.now() + 20000;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        const stats = await pc.getStats();
        let inbound = null;
        const codecs = {};
        stats.forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'audio') inbound = s;
          if (s.type === 'codec') codecs[s.id] = s.mimeType;
        });
        out.iceState = pc.iceConnectionState;
        out.dtlsState = pc.connectionState;
        if (inbound) {
          out.packetsReceived = inbound.packetsReceived;
          out.totalAudioEnergy = inbound.totalAudioEnergy;
          out.codec = codecs[inbound.codecId];
          if (inbound.packetsReceived > 50 && inbound.totalAudioEnergy > 0) break;
        }
        report('stats');
      }
      const ended = new Promise((resolve) => session.on('ended', resolve));
      session.terminate();
      await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
      out.ended = session.isEnded();
      ua.stop();
      return out;
    }, { wsUrl, serverIp, sink, user });
  } catch (e) {
    result = { error: String(e && e.message ? e.message : e) };
  } finally {
    await context.close();
  }
  console.log('RESULT ' + JSON.stringify(result));
  clearTimeout(watchdog);
  process.exit(0);
})();
