// The exam board's pages in a real browser, on the demo bank: a search without diacritics finds
// the items written with them; an author writes an item while its live preview follows, sees the
// server's problems under the fields, and submits it; a reviewer approves it from the review
// queue, and one who wrote an item is refused (VN-29); a bad CSV shows every row/column problem
// and imports nothing, a good one imports; sealing shows the SHA-256 root and its check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser, hydrated, serverCommand, root } from './helpers.mjs';

let server, browser;
const BANK = 1; // the demo's bank

async function api(method, path, body, token) {
  const r = await fetch(server.base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}
const login = async (username, password = 'thituyen-demo') =>
  (await api('POST', '/api/v1/auth/login', { username, password })).token;

before(async () => {
  server = await startServer({ seed: dir => serverCommand(dir, ['demo', '--no-serve']) });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

// A fresh browser context per person: the staff token lives in the tab's sessionStorage.
async function signIn(username, password = 'thituyen-demo') {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', e => page.errors.push(String(e)));
  await page.goto(server.base + '/');
  await hydrated(page);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-submit');
  await page.waitForURL('**/staff');
  return page;
}

async function openBank(page, tab) {
  await page.goto(`${server.base}/ngan-hang/${BANK}`);
  await hydrated(page);
  if (tab) await page.click(`#tab-${tab}`);
}

test('the staff home links authors to the banks, and the list opens the demo bank', async () => {
  const page = await signIn('tacgia');
  await page.click('#link-banks');
  await page.waitForURL('**/ngan-hang');
  await hydrated(page);
  await page.waitForSelector('#banks tbody tr');
  await page.click('#banks tbody tr:first-child a');
  await page.waitForURL(`**/ngan-hang/${BANK}`);
  await page.waitForSelector('#topic-tree li[data-topic="Kiến thức chung/Luật Cán bộ, công chức"]');
  assert.match(await page.textContent('#topic-tree'), /Luật Cán bộ, công chức \(50\)/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a search without diacritics finds the items written with them', async () => {
  const token = await login('tacgia');
  const withMarks = await api('GET', `/api/v1/banks/${BANK}/items?q=${encodeURIComponent('Luật cán bộ')}&limit=500`, undefined, token);
  const page = await signIn('tacgia');
  await openBank(page);
  await page.waitForSelector('#items tbody tr');
  const all = await page.$$eval('#items tbody tr', rows => rows.length);
  await page.fill('#item-search', 'luat can bo');
  await page.waitForFunction(n => document.querySelectorAll('#items tbody tr').length !== n, all);
  const rows = await page.$$eval('#items tbody tr', rows => rows.map(r => r.textContent));
  assert.ok(rows.length > 0 && rows.length < all, `${rows.length} of ${all}`);
  assert.equal(rows.length, withMarks.total, 'the same items as the search with diacritics');
  assert.ok(rows.filter(r => r.includes('Luật Cán bộ')).length >= 50, 'the Luật Cán bộ topic is found');

  // The filters narrow further: the kind and the topic tree.
  await page.selectOption('#filter-kind', 'true_false');
  await page.waitForFunction(n => document.querySelectorAll('#items tbody tr').length < n, rows.length);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an author writes an item with a live preview, sees problems per field, saves and submits it', async () => {
  const page = await signIn('tacgia');
  await openBank(page);
  await page.click('#new-item');
  await page.fill('#ed-topic', 'Kiến thức chung/Luật Cán bộ, công chức');

  // The preview follows every keystroke, in the candidate's markup.
  await page.click('#ed-stem');
  await page.keyboard.type('Luật Cán bộ');
  assert.equal(await page.textContent('#preview .stem'), 'Luật Cán bộ');
  await page.keyboard.type(', công chức hiện hành có hiệu lực từ năm nào?');
  assert.equal(await page.textContent('#preview .stem'), 'Luật Cán bộ, công chức hiện hành có hiệu lực từ năm nào?');
  assert.equal(await page.$$eval('#preview .options button.option', b => b.length), 4);

  // Saving with empty options: the server's problems appear under the fields they name.
  await page.fill('#ed-option-0', '2008');
  await page.fill('#ed-option-1', '2008');
  await page.click('#save-item');
  await page.waitForSelector('.field-error[data-field="options[1].text"]');
  assert.match(await page.textContent('.field-error[data-field="options[1].text"]'), /duplicate/);
  assert.ok(await page.$('.field-error[data-field="options[2].text"]'), 'empty option C');
  assert.ok(await page.$('.field-error[data-field="options"]'), 'no correct option');

  await page.fill('#ed-option-1', '2010');
  await page.fill('#ed-option-2', '2019');
  await page.fill('#ed-option-3', '2025');
  await page.check('#ed-correct-1');
  const shown = await page.$$eval('#preview .options button.option', bs => bs.map(b => b.textContent));
  assert.deepEqual(shown, ['A2008', 'B2010', 'C2019', 'D2025']);
  assert.match(await page.textContent('#preview-key'), /B$/);
  assert.equal(await page.$('#preview [data-correct], #preview .correct'), null, 'the preview shows no key');
  await page.fill('#ed-explanation', 'Luật Cán bộ, công chức năm 2008 có hiệu lực từ 01/01/2010.');
  await page.fill('#ed-tags', 'luật, cán bộ');
  await page.click('#save-item');
  await page.waitForSelector('#submit-item');
  assert.equal(await page.$$('.field-error').then(e => e.length), 0);
  const heading = await page.textContent('#item-editor h2');
  const id = Number(heading.match(/#(\d+)/)[1]);
  assert.match(heading, /Phiên bản 1 · Bản nháp/);

  // A change is a new version; the history keeps both.
  await page.fill('#ed-option-3', '2020');
  await page.click('#save-item');
  await page.waitForFunction(() => /Phiên bản 2/.test(document.querySelector('#item-editor h2').textContent));
  await page.waitForSelector('#versions tbody tr[data-version="1"]');
  await page.click('#versions tbody tr[data-version="1"] button');
  await page.waitForSelector('#version-view');
  assert.match(await page.textContent('#version-view .options'), /2025/);

  await page.click('#submit-item');
  await page.waitForFunction(() => /Chờ duyệt/.test(document.querySelector('#item-editor h2').textContent));
  // 251 items: the new one is on the second page of 200.
  assert.match(await page.textContent('#items-range'), /^1–200 \/ 251$/);
  await page.click('#items-next');
  await page.waitForSelector(`#items tr[data-item="${id}"]`);
  assert.equal(await page.textContent(`#items tr[data-item="${id}"] .item-status`), 'Chờ duyệt');
  assert.deepEqual(page.errors, []);
  await page.context().close();

  // The reviewer approves it from the queue.
  const reviewer = await signIn('phanbien');
  await openBank(reviewer, 'review');
  await reviewer.waitForSelector(`#review-queue article[data-item="${id}"]`);
  const card = `#review-queue article[data-item="${id}"]`;
  assert.equal(await reviewer.textContent(`${card} .question .stem`), 'Luật Cán bộ, công chức hiện hành có hiệu lực từ năm nào?');
  await reviewer.click(`${card} button.approve`);
  await reviewer.waitForSelector('#review-message.ok');
  assert.match(await reviewer.textContent('#review-message'), new RegExp(`#${id}: đã duyệt`));
  await reviewer.waitForSelector(card, { state: 'detached' });
  const item = await api('GET', `/api/v1/items/${id}`, undefined, await login('phanbien'));
  assert.equal(item.status, 'approved');
  assert.deepEqual(reviewer.errors, []);
  await reviewer.context().close();
});

test('a reviewer sends an item back with a reason, and one who wrote an item may not approve it (VN-29)', async () => {
  // An account on the board with both roles writes and submits an item.
  const admin = await login('quantri');
  await api('POST', '/api/v1/users', { username: 'cahai', password: 'mat-khau-dai-12', full_name: 'Vừa soạn vừa duyệt', roles: ['author', 'reviewer'] }, admin);
  const both = await login('cahai', 'mat-khau-dai-12');
  const mine = await api('POST', `/api/v1/banks/${BANK}/items`, {
    topic: 'Kiến thức chung/Hành chính nhà nước', difficulty: 1, kind: 'true_false',
    stem: 'Ủy ban nhân dân là cơ quan hành chính nhà nước ở địa phương.',
    options: [{ text: 'Đúng', correct: true }, { text: 'Sai', correct: false }],
  }, both);
  await api('POST', `/api/v1/items/${mine.id}/submit`, {}, both);

  const page = await signIn('cahai', 'mat-khau-dai-12');
  await openBank(page, 'review');
  const card = `#review-queue article[data-item="${mine.id}"]`;
  await page.waitForSelector(card);
  await page.click(`${card} button.approve`);
  await page.waitForSelector('#review-message.error');
  assert.match(await page.textContent('#review-message'), /Không được duyệt câu hỏi do chính mình soạn \(VN-29\)/);
  assert.equal((await api('GET', `/api/v1/items/${mine.id}`, undefined, both)).status, 'in_review');
  await page.context().close();

  // Another reviewer sends it back; the author sees the reason in the editor.
  const reviewer = await signIn('phanbien');
  await openBank(reviewer, 'review');
  await reviewer.waitForSelector(card);
  await reviewer.fill(`${card} input.reason`, 'Nêu rõ cấp chính quyền địa phương.');
  await reviewer.click(`${card} button.reject`);
  await reviewer.waitForSelector('#review-message.ok');
  await reviewer.waitForSelector(card, { state: 'detached' });
  const back = await api('GET', `/api/v1/items/${mine.id}`, undefined, both);
  assert.equal(back.status, 'draft');
  assert.equal(back.review_note, 'Nêu rõ cấp chính quyền địa phương.');
  await reviewer.context().close();
});

test('a bad CSV shows every problem by row and column and imports nothing; a good one imports', async () => {
  const token = await login('tacgia');
  const before = (await api('GET', `/api/v1/banks/${BANK}`, undefined, token)).item_count;
  const page = await signIn('tacgia');
  await openBank(page, 'import');
  await page.selectOption('#import-format', 'csv');
  await page.setInputFiles('#import-file', {
    name: 'bad-bank.csv', mimeType: 'text/csv',
    buffer: readFileSync(join(root, 'question-bank/tests/fixtures/bad-bank.csv')),
  });
  await page.click('#import-check');
  await page.waitForSelector('#import-preview');
  assert.match(await page.textContent('#import-verdict'), /chưa nhập câu nào/);
  const where = await page.$$eval('#import-errors td.where', tds => tds.map(t => t.textContent));
  for (const row of ['row 2', 'row 3', 'row 4']) {
    assert.ok(where.some(w => w.startsWith(`bad-bank.csv, ${row}`)), `${row} in ${where}`);
  }
  assert.ok(!where.some(w => w.includes('row 5')), 'row 5 is valid');
  assert.ok(where.some(w => /row 2, column difficulty/.test(w)), `${where}`);
  assert.equal(await page.isDisabled('#import-apply'), true);
  assert.equal((await api('GET', `/api/v1/banks/${BANK}`, undefined, token)).item_count, before);

  const good = 'topic,difficulty,kind,stem,option_a,option_b,option_c,option_d,correct,answer,points,explanation\n'
    + 'Kiến thức chung/Địa lý và lịch sử Hải Phòng,1,fill_blank,Hải Phòng có biệt danh là thành phố ___.,,,,,,Hoa phượng đỏ,1.00,\n';
  await page.setInputFiles('#import-file', { name: 'tot.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.click('#import-check');
  await page.waitForSelector('#import-preview #import-items tbody tr');
  assert.match(await page.textContent('#import-verdict'), /Tệp hợp lệ/);
  assert.equal(await page.textContent('#import-items tbody tr td'), 'tot.csv, item 1');
  await page.click('#import-apply');
  await page.waitForSelector('#import-result');
  assert.match(await page.textContent('#import-result'), /1 \(draft\)/);
  assert.equal((await api('GET', `/api/v1/banks/${BANK}`, undefined, token)).item_count, before + 1);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('sealing shows the SHA-256 root and the count, and the check reports it still matches', async () => {
  const page = await signIn('phanbien');
  await openBank(page, 'seals');
  await page.click('#seal-bank');
  await page.waitForSelector('#seal-hash');
  const hash = await page.textContent('#seal-hash');
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.ok(Number(await page.textContent('#seal-count')) >= 250);
  const row = `#seals tr:has(code:text-is("${hash}"))`;
  await page.waitForSelector(row);
  await page.click(`${row} .check-seal`);
  await page.waitForSelector(`${row} .seal-verdict.ok`);
  assert.match(await page.textContent(`${row} .seal-verdict`), /Còn nguyên vẹn/);

  // In English too.
  await page.click('#lang-switch');
  assert.equal(await page.textContent('#tab-seals'), 'Seals');
  assert.match(await page.textContent(`${row} .seal-verdict`), /Still matches/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
