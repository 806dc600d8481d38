// The supervisor console in a real browser: a supervisor signs in, loads the demo session's
// roster, opens the session code in front of the room and admits a late candidate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, hydrated, serverCommand } from './helpers.mjs';

let server, browser;
before(async () => {
  server = await startServer({ seed: dir => serverCommand(dir, ['demo', '--no-serve']) });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

test('a supervisor sees the roster, opens the session code and admits a late candidate', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(server.base + '/');
  await hydrated(page);
  await page.fill('#username', 'giamthi');
  await page.fill('#password', 'thituyen-demo');
  await page.click('#login-submit');
  await page.waitForURL('**/staff');

  await page.goto(server.base + '/giam-thi');
  await hydrated(page);
  await page.fill('#session-id', '1');
  await page.click('#load-roster');
  await page.waitForSelector('#roster tbody tr');
  assert.equal(await page.$$eval('#roster tbody tr', rows => rows.length), 30);
  assert.match(await page.textContent('#roster tbody tr td.status'), /chờ giờ thi/);

  await page.click('#open-code');
  await page.waitForSelector('#shown-code');
  assert.match(await page.textContent('#shown-code'), /^[A-Z2-9]{6}$/);

  await page.fill('#reason', 'Chủ tịch Hội đồng cho phép vào muộn');
  await page.click('#roster tbody tr:first-child td.row-actions button:first-child');
  await page.waitForSelector('#sup-message');
  assert.equal(await page.textContent('#sup-message'), 'OK');
  assert.deepEqual(errors, []);
});
