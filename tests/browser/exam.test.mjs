// The candidate's exam page in a real browser: sign in with ticket, session code and PIN,
// answer, reload and find the answers again once the supervisor approves the move (no silent
// takeover), a second computer locks the first page out only after the approval, submit with a
// confirmation, and see the result with its receipt at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, hydrated, serverCommand } from './helpers.mjs';

let server, browser, ticket, ticket2, accessCode, sessionId;
const pins = {};

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

before(async () => {
  server = await startServer({ seed: dir => serverCommand(dir, ['demo', '--no-serve']) });
  browser = await launchBrowser();
  // HR sets up a short session that has already started (the demo's starts in 5 minutes).
  const { token } = await api('POST', '/api/v1/auth/login', { username: 'tochuc', password: 'thituyen-demo' });
  const exam = await api('POST', '/api/v1/rounds/1/exams', {
    code: 'V1-THU', name: 'Thi thử', stage: 'round1', duration_minutes: 30,
    sections: [{ code: 'KTC', name: 'Kiến thức chung', pass_ratio: '0.50', cells: [
      { seal_id: 1, topic: 'Kiến thức chung/Tin học văn phòng', difficulty: 1, count: 2 },
      { seal_id: 1, topic: 'Kiến thức chung/Hiến pháp và bộ máy nhà nước', difficulty: 2, count: 2 },
    ] }],
  }, token);
  const session = await api('POST', `/api/v1/exams/${exam.id}/sessions`, {
    code: 'CA-THU', room: 'Phòng máy 02', starts_at: new Date(Date.now() - 10_000).toISOString(), application_ids: [1, 2],
  }, token);
  await api('POST', `/api/v1/sessions/${session.id}/papers`, {}, token);
  ticket = session.tickets[0].ticket_no;
  ticket2 = session.tickets[1].ticket_no;
  for (const t of session.tickets) pins[t.ticket_no] = t.pin;
  accessCode = session.access_code;
  sessionId = session.id;
});

after(async () => {
  await browser?.close();
  server?.stop();
});

// Answers the current question whatever its kind; returns what was chosen or typed.
async function answerCurrent(page, { keyboard = false } = {}) {
  if (await page.$('#fill-answer')) {
    await page.fill('#fill-answer', 'Hải Phòng');
    return 'text';
  }
  if (keyboard) {
    await page.keyboard.press('a');
    return 'A';
  }
  await page.click('.option[data-key="A"]');
  return 'A';
}

async function fillSignIn(page, who) {
  await page.fill('#ticket', who);
  await page.fill('#access-code', accessCode);
  await page.fill('#pin', pins[who]);
  await page.click('#enter');
}

async function signIn(page, who = ticket) {
  await page.goto(server.base + '/thi');
  await hydrated(page);
  await fillSignIn(page, who);
  await page.waitForSelector('#q-stem');
}

// The supervisor approves the move of a sitting waiting on the console.
async function approveMove() {
  const { token } = await api('POST', '/api/v1/auth/login', { username: 'giamthi', password: 'thituyen-demo' });
  const moves = await api('GET', `/api/v1/sessions/${sessionId}/moves`, undefined, token);
  assert.equal(moves.items.length, 1, 'one move waits');
  await api('POST', `/api/v1/moves/${moves.items[0].id}/approve`, { reason: 'Máy hỏng, chuyển sang máy khác' }, token);
}

// A sign-in to a sitting open elsewhere waits on the page until the supervisor approves.
async function signInAgain(page, who = ticket) {
  await fillSignIn(page, who);
  await page.waitForSelector('#move-waiting');
  await approveMove();
  await page.waitForSelector('#q-stem');
}

test('a candidate answers, reloads, is locked out by a second login, submits and sees the result', async () => {
  const first = await browser.newContext();
  const page = await first.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));

  await signIn(page);
  assert.match(await page.textContent('#clock'), /^\d\d:\d\d$/);
  const firstAnswer = await answerCurrent(page);
  await page.waitForSelector('#save-state.saved');
  await page.screenshot({ path: '/tmp/exam-page.png' });
  await page.click('#next');
  await answerCurrent(page, { keyboard: true }); // keys choose on question 2
  await page.waitForFunction(() => document.querySelector('#map-2')?.classList.contains('answered'));
  await page.waitForSelector('#save-state.saved');
  await page.click('#flag');
  await page.waitForFunction(() => document.querySelector('#map-2')?.classList.contains('flagged'));

  // Reload: nothing is kept in the browser, so sign in again and find every answer.
  await page.reload();
  await hydrated(page);
  await signInAgain(page);
  if (firstAnswer === 'text') {
    assert.equal(await page.inputValue('#fill-answer'), 'Hải Phòng');
  } else {
    assert.equal(await page.getAttribute('.option[data-key="A"]', 'aria-pressed'), 'true');
  }
  assert.ok(await page.$eval('#map-2', el => el.classList.contains('answered')));

  // The same candidate signs in on another computer: it waits, this page keeps saving...
  const second = await browser.newContext();
  const other = await second.newPage();
  await other.goto(server.base + '/thi');
  await hydrated(other);
  await fillSignIn(other, ticket);
  await other.waitForSelector('#move-waiting');
  await page.click('#map-3');
  await answerCurrent(page);
  await page.waitForSelector('#save-state.saved');
  // ...until the supervisor approves the move: then this page is locked out.
  await approveMove();
  await other.waitForSelector('#q-stem');
  await page.click('#map-4');
  await answerCurrent(page);
  await page.waitForSelector('#locked');

  // Submit from the second computer, confirming the list of unanswered questions.
  await other.click('#submit');
  await other.waitForSelector('#confirm');
  assert.equal(await other.textContent('#unanswered'), '4');
  await other.click('#confirm-yes');
  await other.waitForSelector('#result');
  assert.match(await other.textContent('#receipt'), /^[0-9a-f]{64}$/);
  assert.match(await other.textContent('#result'), /\/4/);
  assert.deepEqual(errors, [], 'no page errors');
});

// Whether leaving the page now would be held back by the unsaved-answers warning.
const leavingWarns = page => page.evaluate(() => {
  const e = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(e);
  return e.defaultPrevented;
});

test('an answer given while the network is down is retried until saved, and leaving meanwhile is warned', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, ticket2);
  assert.equal(await leavingWarns(page), false, 'nothing unsent yet');

  await context.setOffline(true);
  await answerCurrent(page);
  await page.waitForSelector('#save-state.unsaved');
  assert.equal(await leavingWarns(page), true, 'unsent answer: leaving is warned');

  await context.setOffline(false);
  await page.waitForSelector('#save-state.saved', { timeout: 15000 });
  assert.equal(await leavingWarns(page), false);

  // The retried answer is on the server: a fresh sign-in finds it.
  const again = await (await browser.newContext()).newPage();
  await again.goto(server.base + '/thi');
  await hydrated(again);
  await signInAgain(again, ticket2);
  assert.ok(await again.$eval('#map-1', el => el.classList.contains('answered')));
});
