// Browser side of WebConsoleBrowserIT's listen test: headless Chromium (playwright-core) logs in to the web console,
// presses Play on a sink in the Listen view and waits until the console's own WHEP client (the whep bundle's
// whep-client.js) has Opus with energy and a level above zero, reading window.consoleListen and the row's level text;
// saves console-listen.png while it plays, checks the engine counts the listener, presses Stop and waits for the
// listener to go. Prints "RESULT <json>".
//
// usage: node console-listen.js <console url> <user> <password> <sink> <screenshot dir> <chromium> <profile dir> [<key pin>]
// <key pin>: base64 SHA-256 of the HTTPS server's public key, the one key Chromium then trusts (an https console url)
const { open, login, view, shot } = require('./console-page');

const [consoleUrl, user, password, sink, shots, executable, profile, pin] = process.argv.slice(2);

let progress = { error: 'timed out' };
const watchdog = setTimeout(() => { console.log('RESULT ' + JSON.stringify(progress)); process.exit(2); }, 100000);

(async () => {
  const { context, page } = await open(executable, profile, pin ? ['--ignore-certificate-errors-spki-list=' + pin] : []);
  try {
    await login(page, consoleUrl, user, password);
    await view(page, 'listen');
    const row = `#sink-rows tr[data-sink="${sink}"]`;
    await page.waitForSelector(row + ' button.play:not([disabled])', { timeout: 20000 });
    const started = Date.now();
    await page.click(row + ' button.play');
    const deadline = started + 30000;
    for (;;) {
      const l = await page.evaluate(() => ({ ...window.consoleListen }));
      progress = { ...l, level: await page.textContent(row + ' .level'), button: await page.textContent(row + ' button.play') };
      if (l.error) break;
      if (l.state === 'playing' && l.packetsReceived > 50 && l.totalAudioEnergy > 0 && l.audioLevel > 0) break;
      if (Date.now() > deadline) { progress.error = 'no level within 30 s'; break; }
      await page.waitForTimeout(200);
    }
    progress.levelAfterMs = Date.now() - started;
    if (!progress.error) {
      // the Listen view's own table counts this listener (read again every 2 s)
      await page.waitForFunction((sel) => document.querySelector(sel).cells[4].textContent === '1', row, { timeout: 10000 });
      progress.listenersWhilePlaying = 1;
      await shot(page, shots, 'listen');
      await page.click(row + ' button.play'); // now "Stop"
      await page.waitForFunction(() => window.consoleListen.state === 'stopped', null, { timeout: 5000 });
      progress.stopped = true;
      progress.buttonAfterStop = await page.textContent(row + ' button.play');
      await page.waitForFunction((sel) => document.querySelector(sel).cells[4].textContent === '0', row, { timeout: 10000 });
      progress.listenersAfterStop = 0;
    }
    console.log('RESULT ' + JSON.stringify(progress));
  } finally {
    clearTimeout(watchdog);
    await context.close();
  }
})().then(() => process.exit(0), (e) => { progress.error = String(e); console.log('RESULT ' + JSON.stringify(progress)); process.exit(1); });
