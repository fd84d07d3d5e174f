// Browser side of WebConsoleBrowserIT's loopback test: headless Chromium (playwright-core) logs in to the web console,
// waits for a device the test registers to appear in the live devices table, opens its page, waits for it to go
// offline, hangs up a call the test makes from the Calls view, and saves a screenshot of each view.
// Prints, each with the epoch ms: "READY" once logged in with the event stream open, "SEEN" when the device's row
// appears, "SHOT" once the devices table and the device's page are saved (the test unregisters it then), "OFFLINE" when
// it shows offline, "CALLS" on the Calls view (the test then makes a call and writes its Call-ID on our standard input),
// "HUNGUP" once its row is gone after a click on its Hang up button; then "RESULT <json>".
//
// usage: node console.js <console url> <user> <password> <device uuid> <screenshot dir> <chromium> <profile dir>
const { open, login, view, shot, nextLine } = require('./console-page');

const [consoleUrl, user, password, uuid, shots, executable, profile] = process.argv.slice(2);

let progress = { error: 'timed out' };
const watchdog = setTimeout(() => { console.log('RESULT ' + JSON.stringify(progress)); process.exit(2); }, 150000);
const mark = (word) => console.log(word + ' ' + Date.now());

(async () => {
  const { context, page } = await open(executable, profile);
  try {
    await login(page, consoleUrl, user, password, () => shot(page, shots, 'login'));
    progress = { loggedIn: true };
    mark('READY');

    const row = `tr[data-uuid="${uuid}"]`;
    await page.waitForSelector(row, { timeout: 20000 });
    mark('SEEN');
    progress.seen = true;
    await shot(page, shots, 'devices');
    await page.click(row);
    // the device's page, laid out: its details, capabilities with the formats table, its binding
    await page.waitForFunction(() => {
      const d = document.getElementById('device-detail');
      return d.querySelectorAll('dl.details').length >= 2 && d.querySelectorAll('table').length >= 2;
    });
    progress.device = await page.textContent('#device-detail');
    progress.deviceTitle = await page.textContent('#device-title');
    await shot(page, shots, 'device');
    mark('SHOT');

    await page.waitForFunction((sel) => {
      const r = document.querySelector(sel);
      return r && r.querySelector('td.offline');
    }, row, { timeout: 20000, polling: 50 });
    mark('OFFLINE');
    progress.offline = true;

    // a real call, hung up with its button
    await view(page, 'calls');
    mark('CALLS');
    const callId = await nextLine();
    const callRow = `#call-rows tr[data-call-id="${callId}"]`;
    await page.waitForSelector(callRow, { timeout: 20000 });
    progress.callListed = await page.textContent(callRow);
    await shot(page, shots, 'calls');
    await page.click(callRow + ' button.danger');
    await page.waitForSelector(callRow, { state: 'detached', timeout: 10000 });
    mark('HUNGUP');
    progress.hungUp = true;

    await view(page, 'subscriptions');
    await page.waitForTimeout(300);
    await shot(page, shots, 'subscriptions');

    await view(page, 'status');
    await page.waitForFunction(() => document.querySelector('#status-detail .part') && document.querySelector('#config-detail').children.length);
    progress.status = await page.textContent('#status-detail');
    progress.config = await page.textContent('#config-detail');
    await shot(page, shots, 'status');

    await page.click('#logout');
    await page.waitForSelector('#login-form', { state: 'visible' });
    progress.loggedOut = true;
    progress.message = await page.textContent('#message');
    console.log('RESULT ' + JSON.stringify(progress));
  } finally {
    clearTimeout(watchdog);
    await context.close();
  }
})().then(() => process.exit(0), (e) => { progress.error = String(e); console.log('RESULT ' + JSON.stringify(progress)); process.exit(1); });
