// Browser side of WhepIT: headless Chromium (playwright-core) opens the server's own listen page, which is a WHEP
// client (fetch + RTCPeerConnection), plays a sink until Opus with energy arrives, prints one line
// "RESULT <json>" with the page's figures, then presses Stop (DELETE).
//
// usage: node listen.js <page url> <chromium> <profile dir>
const { chromium } = require('playwright-core');

const [pageUrl, executable, profile] = process.argv.slice(2);

let progress = { error: 'timed out' };
const watchdog = setTimeout(() => { console.log('RESULT ' + JSON.stringify(progress)); process.exit(2); }, 100000);

(async () => {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: executable,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
  let result;
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (m) => console.log('page: ' + m.text()));
    await page.goto(pageUrl);
    await page.click('#play');
    const deadline = Date.now() + 60000;
    for (;;) {
      const w = await page.evaluate(() => ({ ...window.whep }));
      progress = w;
      if (w.error) break;
      if (w.packetsReceived > 50 && w.totalAudioEnergy > 0) break;
      if (Date.now() > deadline) { w.error = 'no audio within 60 s'; break; }
      await page.waitForTimeout(200);
    }
    result = { ...progress, status: await page.textContent('#status') };
    console.log('RESULT ' + JSON.stringify(result));
    // the test checks that the engine has this listener now, then tells us to stop by closing stdin
    await new Promise((resolve) => { process.stdin.on('end', resolve); process.stdin.on('close', resolve); process.stdin.resume(); });
    await page.click('#stop');
    await page.waitForTimeout(500);
    console.log('STOPPED');
  } finally {
    clearTimeout(watchdog);
    await context.close();
  }
})().catch((e) => { console.log('RESULT ' + JSON.stringify({ error: String(e) })); process.exit(1); });
