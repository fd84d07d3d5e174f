// What the web console's browser scripts share (console.js, console-listen.js): Chromium, the login, screenshots.
const { chromium } = require('playwright-core');
const path = require('path');

/** A headless Chromium with a new profile (and extra command line switches); the page's console lines are printed as "page: ...". */
exports.open = async (executable, profile, extra = []) => {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: executable,
    headless: true,
    viewport: { width: 1280, height: 720 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required', ...extra],
  });
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => console.log('page: ' + m.text()));
  page.on('pageerror', (e) => console.log('page error: ' + e));
  page.on('dialog', (d) => d.accept());
  return { context, page };
};

/** Logs in on the console's form; resolves once the event stream is open. */
exports.login = async (page, url, user, password, onForm) => {
  await page.goto(url);
  await page.waitForSelector('#login-form', { state: 'visible' });
  if (onForm) await onForm();
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#live.on', { timeout: 15000 });
};

/** Opens a view by its navigation link. */
exports.view = async (page, name) => {
  await page.click(`nav a[data-view=${name}]`);
  await page.waitForSelector(`#${name}:not([hidden])`);
};

/** Saves console-<name>.png in the directory given. */
exports.shot = (page, dir, name) => page.screenshot({ path: path.join(dir, 'console-' + name + '.png'), fullPage: true });

/** The next line the test writes on our standard input. */
const lines = [];
let waiting = null;
require('readline').createInterface({ input: process.stdin }).on('line', (l) => {
  if (waiting) { const w = waiting; waiting = null; w(l); } else lines.push(l);
});
exports.nextLine = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((resolve) => { waiting = resolve; }));
