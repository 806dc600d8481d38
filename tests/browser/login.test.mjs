// The staff UI in a real browser: server-rendered Vietnamese page, hydration proven by an
// interaction (the language switch), sign-in, and the staff home listing the role's duties.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, hydrated, serverCommand } from './helpers.mjs';

let server, browser;

before(async () => {
  server = await startServer({
    seed: dir => serverCommand(dir, ['user', 'create', '--username', 'tochuc',
      '--password', 'mat-khau-thu-nghiem', '--role', 'hr', '--full-name', 'Phòng Tổ chức']),
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test('the login page hydrates, switches language and signs in', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });

  await page.goto(server.base + '/');
  assert.equal(await page.textContent('h1'), 'Đăng nhập cán bộ');
  await hydrated(page);

  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Staff sign-in');
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Đăng nhập cán bộ');

  await page.fill('#username', 'tochuc');
  await page.fill('#password', 'sai-mat-khau');
  await page.click('#login-submit');
  await page.waitForSelector('#login-error');
  assert.match(await page.textContent('#login-error'), /Sai tên đăng nhập/);

  await page.fill('#password', 'mat-khau-thu-nghiem');
  await page.click('#login-submit');
  await page.waitForURL('**/staff');
  await page.waitForSelector('#signed-in-user');
  assert.equal(await page.textContent('#signed-in-user'), 'tochuc');
  assert.match(await page.textContent('li[data-role="hr"]'), /kỳ tuyển dụng/);
  // The deliberate wrong password above is logged by Chromium as a failed (401) resource.
  assert.deepEqual(errors.filter(e => !e.includes('status of 401')), [], 'no console errors');
});
