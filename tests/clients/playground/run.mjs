// Opens GraphiQL (/graphiql) on a freshly spawned storefront server (development, demo
// catalogue) in headless Chromium (Debian's `chromium`, driven by playwright-core pinned in
// package.json), checks that the example tabs are there, runs the products example and checks
// that products appear in the result pane.
//
// Usage: node run.mjs [path/to/storefront]. Without a path it runs `cargo build --bin
// storefront` and uses the debug binary ($CARGO_TARGET_DIR or the repository's target/).
// CHROMIUM names the browser (default: the first of chromium, chromium-browser found on PATH).
// Exits 1 when a check fails.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../../..');
execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: 'inherit' });
const { chromium } = await import('playwright-core');

let binary = process.argv[2];
if (!binary) {
  execFileSync('cargo', ['build', '--quiet', '--bin', 'storefront'], { cwd: repo, stdio: 'inherit' });
  binary = join(process.env.CARGO_TARGET_DIR ?? join(repo, 'target'), 'debug', 'storefront');
}

function browserPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      // not this one
    }
  }
  throw new Error('no chromium on PATH: apt-get install -y chromium (or set CHROMIUM)');
}

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

async function waitUntilUp(base, server) {
  for (let i = 0; i < 300; i += 1) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the server did not come up within 60 s');
}

let failed = 0;
function check(name, condition, detail) {
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${name}${condition || detail === undefined ? '' : `: ${detail}`}`);
  if (!condition) failed += 1;
}

const dataDir = mkdtempSync(join(tmpdir(), 'storefront-playground-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(binary, ['serve'], {
  env: {
    ...process.env,
    DATABASE_URL: `sqlite://${join(dataDir, 'playground.db')}`,
    STOREFRONT_BIND: `127.0.0.1:${port}`,
    STOREFRONT_DATA_DIR: dataDir,
    STOREFRONT_ENV: 'development',
    STOREFRONT_SEED: 'demo',
    RUST_LOG: 'warn',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});

let browser;
try {
  await waitUntilUp(base, server);
  browser = await chromium.launch({ executablePath: browserPath(), headless: true, args: ['--no-sandbox'] });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/graphiql`);
  await page.waitForSelector('.graphiql-container', { timeout: 30000 });

  const tabs = await page.locator('.graphiql-tab').allInnerTexts();
  const names = tabs.join(' | ');
  for (const expected of ['Products', 'Shop', 'Register', 'AddressBook', 'NewCart', 'RequestReset', 'MyOrders']) {
    check(`a tab opens with ${expected}`, names.includes(expected), names);
  }

  // Run the products example: ▶, then pick `Products` among the tab's operations.
  await page.locator('.graphiql-execute-button').click();
  const menu = page.locator('[role="menuitem"]', { hasText: /^Products$/ });
  if (await menu.count().then((n) => n > 0).catch(() => false)) await menu.first().click();
  else await page.getByText('Products', { exact: true }).last().click();
  const result = page.locator('.result-window');
  await result.getByText('totalCount').waitFor({ timeout: 30000 });
  const text = await result.innerText();
  check('the products example answers products', /"products"/.test(text) && /"nodes"/.test(text), text.slice(0, 300));
  check('with names and prices', /"name": "/.test(text) && /"formatted": "\$/.test(text), text.slice(0, 300));
  check('and no errors', !/"errors"/.test(text), text.slice(0, 600));
  check('the page threw nothing', errors.length === 0, errors.join('\n'));
} catch (error) {
  failed += 1;
  console.log(`FAIL the playground check threw: ${error?.stack ?? error}`);
} finally {
  await browser?.close();
  server.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(failed === 0 ? 'playground: all checks passed' : `playground: ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
