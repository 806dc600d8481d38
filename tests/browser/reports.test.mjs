// The round report in a real browser: HR finds it from the staff home, the charts are inline
// SVG with titles, the competition-ratio table matches the demo round (18 applicants for a
// quota of 3 is 6.00), the HR round page links to it, and the charts follow the language switch.
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

test('HR opens the report of the demo round from the staff home and reads it in both languages', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(server.base + '/');
  await hydrated(page);
  await page.fill('#username', 'tochuc');
  await page.fill('#password', 'thituyen-demo');
  await page.click('#login-submit');
  await page.waitForURL('**/staff');

  await page.waitForSelector('#round-links li[data-code="HP-2026-DEMO"] a.report-link');
  assert.match(await page.getAttribute('#round-links li[data-code="HP-2026-DEMO"] a.results-link', 'href'), /^\/ket-qua\/HP-2026-DEMO$/);
  await page.click('#round-links li[data-code="HP-2026-DEMO"] a.report-link');
  await page.waitForURL('**/bao-cao/*');
  await hydrated(page);

  await page.waitForSelector('svg#chart-positions');
  assert.equal(await page.textContent('#report-title'), 'Báo cáo thống kê kỳ tuyển dụng');
  const charts = await page.$$eval('.chart-box svg[role="img"]', svgs => svgs.map(s => ({
    id: s.id, title: s.querySelector('title')?.textContent ?? '',
  })));
  assert.ok(charts.some(c => c.id.startsWith('chart-histogram-')), JSON.stringify(charts));
  assert.ok(charts.some(c => c.id === 'chart-pass-rates'));
  assert.ok(charts.every(c => c.title.length > 0));
  assert.match(await page.textContent('svg#chart-positions title'), /Số thí sinh đăng ký/);
  assert.equal(await page.$$eval('svg#chart-positions g.position', gs => gs.length), 2);
  assert.equal(await page.textContent('#ratio-table tr[data-code="CV-TCKT"] td.ratio'), '6.00');
  assert.equal(await page.textContent('#ratio-table tr[data-code="CV-TCKT"] td.applicants'), '18');
  assert.match(await page.textContent('#ratio-totals'), /30/);

  await page.click('#lang-switch');
  await page.waitForFunction(() => /Applicants and winners/.test(document.querySelector('svg#chart-positions title')?.textContent ?? ''));
  assert.equal(await page.textContent('#report-title'), 'Round report');

  // The HR round page links to the report and to the public results.
  const roundId = page.url().split('/').pop();
  await page.goto(`${server.base}/to-chuc/ky/${roundId}`);
  await hydrated(page);
  await page.waitForSelector('#link-report');
  assert.equal(await page.getAttribute('#link-report', 'href'), `/bao-cao/${roundId}`);
  assert.equal(await page.getAttribute('#link-results', 'href'), '/ket-qua/HP-2026-DEMO');
  assert.deepEqual(errors, []);
});
