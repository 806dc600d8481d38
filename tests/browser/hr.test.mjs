// The HR pages in a real browser: the HR officer of the demo creates a round, opens the demo round, reads the
// competition ratio on the dashboard, adds a position shared by two agencies, imports an
// applications file (a bad one is refused with its row errors, a good one is previewed, then
// applied), refuses an application with a reason and finds it in the ineligible list, marks a
// priority claim unproven, and reads the page in English.
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

const HEADER = 'full_name,date_of_birth,gender,national_id,position_code,agency_preferences,priority_groups,exemptions';

const csv = text => ({ name: 'ho-so.csv', mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });

async function rowTexts(page, selector) {
  return page.$$eval(selector, rows => rows.map(r => r.textContent));
}

test('HR runs the demo round: dashboard, a position, an import previewed before it applies, eligibility', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(server.base + '/');
  await hydrated(page);
  await page.fill('#username', 'tochuc');
  await page.fill('#password', 'thituyen-demo');
  await page.click('#login-submit');
  await page.waitForURL('**/staff');

  // The staff home leads HR to the rounds.
  await page.waitForSelector('li[data-role="hr"] a.go');
  await page.click('li[data-role="hr"] a.go');
  await page.waitForURL('**/to-chuc');
  await hydrated(page);
  await page.waitForSelector('#rounds tbody tr[data-code="HP-2026-DEMO"]');

  // A new round records the rule set chosen (VN-0).
  await page.fill('#round-code', 'VC-2027');
  await page.fill('#round-name', 'Kỳ xét tuyển viên chức năm 2027');
  await page.selectOption('#round-rule-set', 'vn-vc-2020');
  await page.fill('#round-opens', '2027-03-01');
  await page.click('#create-round');
  await page.waitForSelector('#rounds tbody tr[data-code="VC-2027"]');
  assert.match(await page.textContent('#rounds tbody tr[data-code="VC-2027"]'), /Nghị định 115\/2020/);
  assert.match(await page.textContent('#rounds tbody tr[data-code="VC-2027"]'), /2027-03-01/);

  await page.click('#rounds tbody tr[data-code="HP-2026-DEMO"] a');
  await page.waitForURL('**/to-chuc/ky/*');
  await hydrated(page);

  // Dashboard: 18 applicants for a quota of 3 (STC 2 + SXD 1) is a ratio of 6.00 (VN-13).
  await page.waitForSelector('#position-stats tr[data-code="CV-TCKT"]');
  assert.equal(await page.textContent('#position-stats tr[data-code="CV-TCKT"] td.ratio'), '6.00');
  assert.match(await page.textContent('#totals'), /30/);
  assert.equal((await rowTexts(page, '#deadlines tbody tr')).length, 8, 'the eight VN-30 steps');
  assert.match(await page.textContent('#deadlines'), /Kết thúc nhận phiếu đăng ký/);

  // A position shared by two agencies: its quota is the sum.
  await page.click('#tab-positions');
  await page.fill('#position-code', 'CV-CNTT');
  await page.fill('#position-name', 'Chuyên viên công nghệ thông tin');
  await page.selectOption('#position-form', 'written_cbt');
  await page.fill('.agency-row[data-index="0"] .agency-code', 'STTTT');
  await page.fill('.agency-row[data-index="0"] .agency-name', 'Sở Thông tin và Truyền thông');
  await page.fill('.agency-row[data-index="0"] .agency-quota', '2');
  await page.click('#add-agency');
  await page.fill('.agency-row[data-index="1"] .agency-code', 'SNV');
  await page.fill('.agency-row[data-index="1"] .agency-name', 'Sở Nội vụ');
  await page.fill('.agency-row[data-index="1"] .agency-quota', '1');
  assert.equal(await page.textContent('#quota-sum'), '3');
  await page.click('#create-position');
  await page.waitForSelector('#position-list tr[data-code="CV-CNTT"]');
  assert.equal(await page.textContent('#position-list tr[data-code="CV-CNTT"] td.quota'), '3');
  assert.match(await page.textContent('#position-note'), /CV-CNTT/);

  // Import: a bad file is refused row by row and offers nothing to apply.
  await page.click('#tab-import');
  assert.equal(await page.getAttribute('#template-link', 'href'), '/api/v1/rounds/templates/applications.csv');
  await page.setInputFiles('#import-file', csv(`${HEADER}
Hoàng Văn Khoa,1993-02-14,nam,031093000777,CV-CNTT,SNV|STTTT,military_service,
Bùi Thị Ngọc,1997-08-09,nữ,031197000888,CV-XX,,,
Đinh Văn Tài,19/13/1990,ông,031090000999,CV-CNTT,,,
`));
  await page.click('#import-preview');
  await page.waitForSelector('#import-errors li');
  const problems = await rowTexts(page, '#import-errors li');
  assert.ok(problems.some(p => /row 3, column position_code/.test(p)), problems.join('\n'));
  assert.ok(problems.some(p => /row 4, column date_of_birth/.test(p)), problems.join('\n'));
  assert.ok(problems.some(p => /row 4, column gender/.test(p)), problems.join('\n'));
  assert.ok(await page.isDisabled('#import-apply'), 'a refused file cannot be applied');

  // A good file: previewed row by row first, then applied.
  await page.setInputFiles('#import-file', csv(`${HEADER}
Hoàng Văn Khoa,1993-02-14,nam,031093000777,CV-CNTT,SNV|STTTT,military_service|union_cadre,
Bùi Thị Ngọc,1997-08-09,nữ,031197000888,CV-CNTT,,,
`));
  assert.ok(await page.isDisabled('#import-apply'), 'a new file must be previewed first');
  await page.click('#import-preview');
  await page.waitForSelector('#import-preview-rows tbody tr');
  assert.equal((await rowTexts(page, '#import-preview-rows tbody tr')).length, 2);
  assert.match(await page.textContent('#import-summary'), /2/);
  assert.match(await page.textContent('#import-preview-rows tbody tr:first-child'), /Hoàng Văn Khoa/);
  await page.click('#import-apply');
  await page.waitForFunction(() => /Đã nhập/.test(document.querySelector('#import-summary')?.textContent ?? ''));
  assert.match(await page.textContent('#import-summary'), /2/);

  // The dashboard counts them: 2 applicants for 3 places.
  await page.click('#tab-dashboard');
  await page.waitForSelector('#position-stats tr[data-code="CV-CNTT"]');
  assert.equal(await page.textContent('#position-stats tr[data-code="CV-CNTT"] td.ratio'), '0.67');

  // Eligibility: a refusal carries its reason and lands in the ineligible list.
  await page.click('#tab-applications');
  await page.fill('#app-search', '031197000888');
  await page.press('#app-search', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('#application-list tbody tr').length === 1);
  const row = '#application-list tbody tr[data-national-id="031197000888"]';
  await page.fill(`${row} input.reason`, 'Chưa đủ văn bằng theo yêu cầu của vị trí');
  await page.click(`${row} button.mark-ineligible`);
  await page.waitForSelector('#ineligible-list tbody tr');
  const ineligible = await rowTexts(page, '#ineligible-list tbody tr');
  assert.equal(ineligible.length, 1);
  assert.match(ineligible[0], /Bùi Thị Ngọc/);
  assert.match(ineligible[0], /Chưa đủ văn bằng/);
  await page.waitForFunction(sel => /Không đủ điều kiện/.test(document.querySelector(sel)?.textContent ?? ''),
    `${row} td.eligibility`);

  // A refusal without a reason is refused by the server, and the page says why.
  await page.fill('#app-search', '031093000777');
  await page.press('#app-search', 'Enter');
  await page.waitForSelector('#application-list tbody tr[data-national-id="031093000777"]');
  await page.click('#application-list tbody tr[data-national-id="031093000777"] button.mark-ineligible');
  await page.waitForSelector('#app-note.error');
  assert.match(await page.textContent('#app-note'), /422/);

  // A priority claim without its certificate is marked unproven and stops counting (VN-9):
  // the other, lower claim is what remains.
  const khoa = '#application-list tbody tr[data-national-id="031093000777"]';
  const before = await page.textContent(`${khoa} td.points`);
  await page.fill(`${khoa} input.reason`, 'Không nộp giấy xác nhận hoàn thành nghĩa vụ quân sự');
  await page.click(`${khoa} .claim:has-text("military_service") button.unprove`);
  await page.waitForSelector(`${khoa} .claim.unproven:has-text("military_service")`);
  const after = await page.textContent(`${khoa} td.points`);
  assert.equal(before, '2.50', 'military service, the higher of the two claims (VN-8)');
  assert.equal(after, '1.50', 'the union cadre claim is what remains');

  // The same page in English.
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('#tab-dashboard')?.textContent === 'Dashboard');
  assert.equal(await page.textContent('#tab-applications'), 'Applications');
  assert.match(await page.textContent('#ineligible-list thead'), /Reason/);
  assert.deepEqual(errors, []);
});

test('HR sees the demo exam\'s session with its seats, moves a candidate by hand, and the ticket number stays', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(server.base + '/');
  await hydrated(page);
  await page.fill('#username', 'tochuc');
  await page.fill('#password', 'thituyen-demo');
  await page.click('#login-submit');
  await page.waitForURL('**/staff');
  await page.goto(server.base + '/to-chuc');
  await hydrated(page);
  await page.click('#rounds tbody tr[data-code="HP-2026-DEMO"] a');
  await page.waitForURL('**/to-chuc/ky/*');
  await hydrated(page);

  // The round's exam is picked for HR, and its session is listed by seat.
  await page.click('#tab-sessions');
  await page.waitForSelector('#exam-id option', { state: 'attached' });
  await page.waitForSelector('#sessions .session table.tickets tbody tr');
  const rows = '#sessions .session table.tickets tbody tr';
  const first = await page.$eval(rows, r => ({
    app: r.dataset.application, seat: r.children[0].textContent, ticket: r.children[1].textContent,
  }));
  assert.equal(first.seat, '1');

  // A session needs its start time before anything is sent.
  await page.click('#assign-preview');
  await page.waitForSelector('#sessions-note.error');
  assert.match(await page.textContent('#sessions-note'), /Chưa nhập giờ bắt đầu của ca CA1/);
  // Everyone eligible already has a seat: the assignment says so instead of seating twice.
  await page.fill('.plan-row .plan-room', 'Phòng máy 2');
  await page.fill('.plan-row .plan-starts', '2026-12-20T08:00');
  await page.click('#assign-preview');
  await page.waitForFunction(() => /already has a seat/.test(document.querySelector('#sessions-note')?.textContent ?? ''));

  // A seat moved by hand: swapped with seat 2, the ticket number unchanged.
  const row = `${rows}[data-application="${first.app}"]`;
  await page.click(`${row} button.move-seat`);
  await page.fill(`${row} input.move-seat-no`, '2');
  await page.fill(`${row} input.move-reason`, 'Máy tính ở chỗ 1 hỏng màn hình');
  await page.click(`${row} button.move-apply`);
  await page.waitForFunction(sel => document.querySelector(sel)?.children[0].textContent === '2', row);
  assert.equal(await page.$eval(row, r => r.children[1].textContent), first.ticket);
  assert.match(await page.textContent('#sessions-note'), /Đã đổi chỗ/);

  // Without a reason the server refuses, and the page says why.
  await page.click(`${row} button.move-seat`);
  await page.fill(`${row} input.move-seat-no`, '3');
  await page.click(`${row} button.move-apply`);
  await page.waitForSelector('#sessions-note.error');
  assert.match(await page.textContent('#sessions-note'), /422/);
  assert.deepEqual(errors, []);
});
