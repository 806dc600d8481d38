// The public results page in a real browser, without signing in: a clear message while nothing
// is published; then per position the ranked list with outcomes in words, the SHA-256 and the
// audit-chain head as the API gives them, the xlsx and PDF downloads, the page in English, and
// an earlier publication still readable after a new one.
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

async function api(method, path, token, body) {
  const r = await fetch(server.base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

async function login(username) {
  return (await api('POST', '/api/v1/auth/login', null, { username, password: 'thituyen-demo' })).token;
}

test('anyone reads the published results, checks the hashes, downloads them and reads an earlier publication', async () => {
  const hr = await login('tochuc');
  const marker = await login('chamthi');
  const round = await api('POST', '/api/v1/rounds', hr, { code: 'KQ-2026', name: 'Thi tuyển công chức Sở Tài chính 2026' });
  await api('POST', `/api/v1/rounds/${round.id}/positions`, hr, {
    code: 'CV-KT', name: 'Chuyên viên kế toán', grade: 'chuyen_vien', round2_form: 'written',
    agencies: [{ code: 'STC', name: 'Sở Tài chính', quota: 1 }],
  });
  const ids = [];
  for (const [i, name] of ['Nguyễn Thị Hường', 'Trần Văn Đức', 'Lê Thị Ánh Tuyết'].entries()) {
    const a = await api('POST', `/api/v1/rounds/${round.id}/applications`, hr, {
      full_name: name, date_of_birth: '1995-04-0' + (i + 1), gender: 'nữ', national_id: `03109500000${i}`,
      position_code: 'CV-KT', priority_groups: [],
    });
    ids.push(a.id);
  }
  const mark = (id, m) => api('POST', `/api/v1/rounds/${round.id}/marks`, marker,
    { application_id: id, component: 'written', marks: [m, m] });
  await mark(ids[0], '81.50');
  await mark(ids[1], '72.00');
  await mark(ids[2], '45.00');

  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(server.base + '/ket-qua/KQ-2026');
  await hydrated(page);
  await page.waitForSelector('#not-published');
  assert.match(await page.textContent('#not-published'), /chưa công bố kết quả/);

  const first = await api('POST', `/api/v1/rounds/${round.id}/publications`, hr, {});
  await page.reload();
  await hydrated(page);
  await page.waitForSelector('section.position[data-code="CV-KT"] tbody tr');
  assert.equal(await page.textContent('#results-title'), 'Kết quả thi tuyển');
  assert.match(await page.textContent('#round-name'), /Sở Tài chính 2026/);
  assert.equal(await page.textContent('#sha256'), first.sha256);
  assert.equal(await page.textContent('#audit-head'), first.audit_head);
  const rows = await page.$$eval('section.position[data-code="CV-KT"] tbody tr',
    trs => trs.map(tr => ({ id: tr.dataset.id, outcome: tr.dataset.outcome, text: tr.textContent })));
  assert.equal(rows.length, 3);
  assert.deepEqual(rows.map(r => r.outcome), ['winner', 'reserve', 'ineligible']);
  assert.match(rows[0].text, /Nguyễn Thị Hường/);
  assert.match(rows[0].text, /81\.50/);
  assert.match(rows[0].text, /Trúng tuyển/);
  assert.match(rows[2].text, /Không đủ điều kiện/);

  // The downloads are what they say they are.
  const pdfHref = await page.getAttribute('#download-pdf', 'href');
  const pdf = await page.request.get(server.base + pdfHref);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.ok((await pdf.body()).subarray(0, 5).toString() === '%PDF-');
  const xlsxHref = await page.getAttribute('#download-xlsx', 'href');
  const xlsx = await page.request.get(server.base + xlsxHref);
  assert.match(xlsx.headers()['content-disposition'], /attachment; filename="ket-qua-KQ-2026-\d+\.xlsx"/);

  // English.
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('#results-title')?.textContent === 'Recruitment results');
  assert.match(await page.textContent('section.position tbody tr[data-outcome="winner"] td.outcome'), /Winner/);
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('#results-title')?.textContent === 'Kết quả thi tuyển');

  // A change needs a new publication; the first stays readable.
  await mark(ids[1], '90.00');
  const second = await api('POST', `/api/v1/rounds/${round.id}/publications`, hr, {});
  assert.notEqual(second.sha256, first.sha256);
  await page.reload();
  await hydrated(page);
  await page.waitForSelector(`#publications tbody tr[data-id="${first.id}"] a.open-publication`);
  assert.equal(await page.textContent('#sha256'), second.sha256);
  assert.equal(await page.$$eval('#publications tbody tr', trs => trs.length), 2);
  assert.equal(await page.getAttribute(`section.position tbody tr[data-outcome="winner"]`, 'data-id'), String(ids[1]));
  await page.click(`#publications tbody tr[data-id="${first.id}"] a.open-publication`);
  await page.waitForSelector('#earlier-note');
  await page.waitForFunction(sha => document.querySelector('#sha256')?.textContent === sha, first.sha256);
  assert.equal(await page.getAttribute(`section.position tbody tr[data-outcome="winner"]`, 'data-id'), String(ids[0]));
  assert.match(await page.getAttribute('#download-pdf', 'href'), new RegExp(`/publications/${first.id}\\?format=pdf$`));
  assert.deepEqual(errors, []);
});
