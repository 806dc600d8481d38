// The Content-Security-Policy in a real browser (issue 16 item 8): every page of the UI's route
// table, visited as the role that uses it, still hydrates and breaks no rule of its policy —
// no blocked inline script or style, no blocked wasm, fetch or image; the print views HR opens
// from a page keep their style sheet; the API browser lists the operations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, hydrated, serverCommand } from './helpers.mjs';

let server, browser, ticket, accessCode, pin;
const ROUND = 1; // the demo's round
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

before(async () => {
  server = await startServer({ seed: dir => serverCommand(dir, ['demo', '--no-serve']) });
  browser = await launchBrowser();
  // A session that has already started, so that the candidate's page shows a question.
  const { token } = await api('POST', '/api/v1/auth/login', { username: 'tochuc', password: 'thituyen-demo' });
  const exam = await api('POST', `/api/v1/rounds/${ROUND}/exams`, {
    code: 'V1-CSP', name: 'Thi thử', stage: 'round1', duration_minutes: 30,
    sections: [{ code: 'KTC', name: 'Kiến thức chung', pass_ratio: '0.50', cells: [
      { seal_id: 1, topic: 'Kiến thức chung/Tin học văn phòng', difficulty: 1, count: 2 },
    ] }],
  }, token);
  const session = await api('POST', `/api/v1/exams/${exam.id}/sessions`, {
    code: 'CA-CSP', room: 'Phòng máy 03', starts_at: new Date(Date.now() - 10_000).toISOString(), application_ids: [3],
  }, token);
  await api('POST', `/api/v1/sessions/${session.id}/papers`, {}, token);
  ticket = session.tickets[0].ticket_no;
  pin = session.tickets[0].pin;
  accessCode = session.access_code;
});

after(async () => {
  await browser?.close();
  server?.stop();
});

// A browser context that records every policy violation of its pages (popups included): the
// page's own `securitypolicyviolation` events, and what Chromium logs about the policy.
async function watchedContext() {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const violations = [];
  const errors = [];
  await context.exposeBinding('reportPolicyViolation', ({ page }, v) => violations.push({ url: page.url(), ...v }));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', e => window.reportPolicyViolation({
      directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample,
    }), true);
  });
  context.on('console', m => {
    if (m.type() === 'error' && /Content.Security.Policy/i.test(m.text())) {
      violations.push({ url: m.page()?.url(), console: m.text() });
    }
  });
  context.on('page', page => page.on('pageerror', e => errors.push(`${page.url()}: ${e}`)));
  return { context, violations, errors };
}

async function visit(page, path) {
  await page.goto(server.base + path);
  await hydrated(page);
  await page.waitForLoadState('networkidle');
}

async function signIn(page, username) {
  await visit(page, '/');
  await page.fill('#username', username);
  await page.fill('#password', 'thituyen-demo');
  await page.click('#login-submit');
  await page.waitForURL('**/staff');
  await hydrated(page);
}

function assertClean({ violations, errors }) {
  assert.deepEqual(violations, [], 'no policy violation');
  assert.deepEqual(errors, [], 'no page error');
}

test('the public pages hydrate without a policy violation', async () => {
  const watched = await watchedContext();
  const page = await watched.context.newPage();
  await visit(page, '/');
  // The language switch re-renders the page from the wasm.
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Staff sign-in');
  for (const path of ['/login', '/ket-qua/HP-2026-DEMO', '/khong-co-trang-nay']) {
    await visit(page, path);
  }
  assertClean(watched);
  await watched.context.close();
});

test('a candidate signs in and answers under the policy', async () => {
  const watched = await watchedContext();
  const page = await watched.context.newPage();
  await visit(page, '/thi');
  await page.fill('#ticket', ticket);
  await page.fill('#access-code', accessCode);
  await page.fill('#pin', pin);
  await page.click('#enter');
  await page.waitForSelector('#q-stem');
  // The font size control sets a style attribute, which the policy allows.
  assert.match(await page.getAttribute('main.exam', 'style'), /font-size/);
  if (await page.$('#fill-answer')) {
    await page.fill('#fill-answer', 'Hải Phòng');
  } else {
    await page.click('.option[data-key="A"]');
  }
  await page.waitForSelector('#save-state.saved');
  assertClean(watched);
  await watched.context.close();
});

test('HR\'s pages, every tab, the report\'s charts and the print views break no rule', async () => {
  const watched = await watchedContext();
  const page = await watched.context.newPage();
  await signIn(page, 'tochuc');
  await visit(page, '/to-chuc');
  await visit(page, `/to-chuc/ky/${ROUND}`);
  for (const tab of ['dashboard', 'positions', 'applications', 'import', 'sessions']) {
    await page.click(`#tab-${tab}`);
    await page.waitForLoadState('networkidle');
  }
  await page.waitForSelector('#sessions .session .print-links button');

  // Each print view opens as a blob, under this page's policy, and keeps its style sheet.
  const printButtons = page.locator('#sessions .session').first().locator('.print-links button');
  for (const [index, heading] of [[0, /GIẤY BÁO DỰ THI/], [1, /DANH SÁCH/]]) {
    const [popup] = await Promise.all([
      watched.context.waitForEvent('page'),
      printButtons.nth(index).click(),
    ]);
    await popup.waitForLoadState('load');
    assert.match(popup.url(), /^blob:/);
    assert.match(await popup.textContent('h1'), heading);
    const background = await popup.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(238, 238, 238)', 'the print style sheet applies');
    await popup.close();
  }

  await visit(page, `/bao-cao/${ROUND}`);
  await page.waitForSelector('svg#chart-positions');
  assertClean(watched);
  await watched.context.close();
});

test('the bank, the supervisor console and the staff home break no rule', async () => {
  for (const [user, paths] of [
    ['tacgia', ['/staff', '/ngan-hang', `/ngan-hang/${BANK}`]],
    ['giamthi', ['/staff', '/giam-thi']],
  ]) {
    const watched = await watchedContext();
    const page = await watched.context.newPage();
    await signIn(page, user);
    for (const path of paths) await visit(page, path);
    if (user === 'tacgia') {
      for (const tab of ['items', 'review', 'import', 'seals']) {
        await page.click(`#tab-${tab}`);
        await page.waitForLoadState('networkidle');
      }
    } else {
      await page.fill('#session-id', '1');
      await page.click('#load-roster');
      await page.waitForSelector('#roster tbody tr');
    }
    assertClean(watched);
    await watched.context.close();
  }
});

test('the API browser lists the operations from its own script', async () => {
  const watched = await watchedContext();
  const page = await watched.context.newPage();
  await page.goto(server.base + '/api/docs');
  await page.waitForSelector('details.op');
  assert.ok(await page.$$eval('details.op', ops => ops.length) > 10);
  const border = await page.$eval('details.op', d => getComputedStyle(d).borderTopStyle);
  assert.equal(border, 'solid', 'its style sheet applies');
  assertClean(watched);
  await watched.context.close();
});
