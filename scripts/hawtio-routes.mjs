// Opens Hawtio's Camel routes view in headless Chromium, checks that it lists the expected routes,
// and saves a screenshot and the DOM. Run by scripts/hawtio-screenshot.sh:
//   node scripts/hawtio-routes.mjs URL PNG DOM ROUTE_ID...
// Chromium's command line (--screenshot, --dump-dom) cannot click, and Hawtio 4.2 keeps the
// selected tree node in memory only, so this drives Chromium through its DevTools protocol over a
// pipe (--remote-debugging-pipe): no npm package, no debugging port.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const [url, pngPath, domPath, ...routeIds] = process.argv.slice(2);
if (!url || !pngPath || !domPath || routeIds.length === 0) {
  console.error('usage: node hawtio-routes.mjs URL PNG DOM ROUTE_ID...');
  process.exit(2);
}
const timeoutMs = Number(process.env.HAWTIO_SCREENSHOT_TIMEOUT_MS || 90000);
const [width, height] = (process.env.HAWTIO_SCREENSHOT_SIZE || '1600,1000').split(',').map(Number);

const chromium = spawn(process.env.CHROMIUM || 'chromium', [
  '--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe', '--no-first-run',
  `--window-size=${width},${height}`, `--user-data-dir=${process.env.CHROMIUM_PROFILE || '/tmp/blockferry-hawtio-chromium'}`,
  'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let stderr = '';
chromium.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
chromium.on('exit', (code) => { if (!done) fail(`chromium exited (${code}) early:\n${stderr}`); });

// The protocol: JSON messages ended by NUL, written to fd 3 and read from fd 4.
let nextId = 1;
let done = false;
const pending = new Map();
let buffered = '';
chromium.stdio[4].on('data', (chunk) => {
  buffered += chunk.toString('utf8');
  let end;
  while ((end = buffered.indexOf('\0')) >= 0) {
    const message = JSON.parse(buffered.slice(0, end));
    buffered = buffered.slice(end + 1);
    const waiter = pending.get(message.id);
    if (waiter) {
      pending.delete(message.id);
      message.error ? waiter.reject(new Error(JSON.stringify(message.error))) : waiter.resolve(message.result);
    }
  }
});
function send(method, params = {}, sessionId) {
  const id = nextId++;
  chromium.stdio[3].write(JSON.stringify({ id, method, params, sessionId }) + '\0');
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

function fail(message) {
  done = true;
  console.error(`hawtio-routes: ${message}`);
  chromium.kill('SIGKILL');
  process.exit(1);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  const page = (method, params) => send(method, params, sessionId);
  const evaluate = async (expression) =>
    (await page('Runtime.evaluate', { expression, returnByValue: true })).result.value;
  await page('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
  await page('Page.navigate', { url });

  // Select the "routes" folder of the Camel tree; the main pane then shows the Routes table.
  const deadline = Date.now() + timeoutMs;
  const routesShown = `(() => {
    const main = document.querySelector('[aria-label="camel-content-main"]');
    const ids = ${JSON.stringify(routeIds)};
    if (!main || !main.querySelector('table')) return null;
    const text = main.querySelector('table').innerText;
    return ids.every((id) => new RegExp('(^|\\\\s)' + id + '(\\\\s|$)', 'm').test(text)) ? text : null;
  })()`;
  const clickRoutes = `(() => {
    const nodes = [...document.querySelectorAll('#camel-tree-view .pf-v5-c-tree-view__node')];
    const routes = nodes.find((n) => n.innerText.trim() === 'routes');
    if (!routes) return false;
    routes.click();
    return true;
  })()`;
  let clicked = false;
  let table = null;
  while (Date.now() < deadline) {
    try {
      clicked = clicked || await evaluate(clickRoutes);
      table = clicked && await evaluate(routesShown);
    } catch (error) {
      // The landing page hands over to Hawtio with a navigation; an evaluation caught in it fails
      // ("Inspected target navigated or closed"): look again once the new page is there.
      if (!String(error.message || error).includes('navigated or closed')) throw error;
      clicked = false;
    }
    if (table) break;
    await sleep(500);
  }
  const dom = await evaluate('document.documentElement.outerHTML');
  writeFileSync(domPath, dom || '');
  if (!table) {
    const seen = await evaluate('document.body ? document.body.innerText.slice(0, 2000) : ""');
    fail(`the Camel routes view did not list ${routeIds.join(', ')} within ${timeoutMs} ms `
      + `(routes node clicked: ${clicked}); the page said:\n${seen}`);
  }
  // Busiest routes first, so the ones that carried the sync are in the picture.
  const sortByCompleted = `(() => {
    const th = [...document.querySelectorAll('[aria-label="camel-content-main"] th')]
      .find((h) => h.innerText.trim() === 'Completed');
    if (!th || th.getAttribute('aria-sort') === 'descending') return true;
    th.querySelector('button')?.click();
    return false;
  })()`;
  for (let i = 0; i < 3 && !(await evaluate(sortByCompleted)); i++) await sleep(300);
  await sleep(1500); // let the table's statistics and icons paint
  const { data } = await page('Page.captureScreenshot', { format: 'png' });
  writeFileSync(pngPath, Buffer.from(data, 'base64'));
  console.log(`hawtio-routes: the Camel routes view lists ${routeIds.join(', ')}; table:\n${table}`);
  done = true;
  await send('Browser.close').catch(() => {});
  chromium.kill();
}

main().catch((error) => fail(error.stack || String(error)));
