// Browser side of WebConsoleBrowserIT: headless Chromium (playwright-core) logs in to the web console, waits for a
// device the test registers to appear in the live devices table and then to go offline, and saves a screenshot of
// each view. Prints "READY <epoch ms>" once logged in with the event stream open, "SEEN <epoch ms>" when the device's
// row appears, "SHOT <epoch ms>" once the devices table and the device's page are saved (the test unregisters it then),
// "OFFLINE <epoch ms>" when it shows offline, then "RESULT <json>".
//
// usage: node console.js <console url> <user> <password> <device uuid> <screenshot dir> <chromium> <profile dir>
const { chromium } = require('playwright-core');
const path = require('path');

const [consoleUrl, user, password, uuid, shots, executable, profile] = process.argv.slice(2);

let progress = { error: 'timed out' };
const watchdog = setTimeout(() => { console.log('RESULT ' + JSON.stringify(progress)); process.exit(2); }, 100000);

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, 'console-' + name + '.png'), fullPage: true });
}

(async () => {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: executable,
    headless: true,
    viewport: { width: 1280, height: 720 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (m) => console.log('page: ' + m.text()));
    page.on('dialog', (d) => d.accept());
    await page.goto(consoleUrl);
    await page.waitForSelector('#login-form', { state: 'visible' });
    await shot(page, 'login');
    await page.fill('input[name=user]', user);
    await page.fill('input[name=password]', password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#live.on', { timeout: 15000 });
    progress = { loggedIn: true };
    console.log('READY ' + Date.now());

    const row = `tr[data-uuid="${uuid}"]`;
    await page.waitForSelector(row, { timeout: 20000 });
    console.log('SEEN ' + Date.now());
    progress.seen = true;
    await shot(page, 'devices');
    await page.click(row);
    await page.waitForFunction(() => document.getElementById('device-detail').textContent.includes('"bindings"'));
    await shot(page, 'device');
    console.log('SHOT ' + Date.now());

    await page.waitForFunction((sel) => {
      const r = document.querySelector(sel);
      return r && r.querySelector('td.offline');
    }, row, { timeout: 20000, polling: 50 });
    console.log('OFFLINE ' + Date.now());
    progress.offline = true;

    for (const view of ['calls', 'subscriptions', 'listen', 'status']) {
      await page.click(`nav a[data-view=${view}]`);
      await page.waitForSelector(`#${view}:not([hidden])`);
      await page.waitForTimeout(300);
      await shot(page, view);
    }
    progress.status = await page.textContent('#status-detail');
    await page.click('#logout');
    await page.waitForSelector('#login-form', { state: 'visible' });
    progress.loggedOut = true;
    progress.message = await page.textContent('#message');
    console.log('RESULT ' + JSON.stringify(progress));
  } finally {
    clearTimeout(watchdog);
    await context.close();
  }
})().catch((e) => { progress.error = String(e); console.log('RESULT ' + JSON.stringify(progress)); process.exit(1); });
