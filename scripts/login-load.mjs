// Usage (after scripts/test.sh has built target/debug/server): node scripts/login-load.mjs
// N candidates (default 1998) and C concurrent clients (default 50) via environment variables.
// Measures candidate logins per second against a running server seeded with the demo round.
import { startServer, serverCommand } from '../tests/browser/helpers.mjs';
const server = await startServer({ seed: dir => serverCommand(dir, ['demo', '--no-serve']) });
async function api(method, path, body, token, raw) {
  const r = await fetch(server.base + path, { method, headers: { 'content-type': raw ? 'text/csv' : 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(`${method} ${path} ${r.status} ${JSON.stringify(j).slice(0, 400)}`);
  return j;
}
try {
  const N = Number(process.env.N || 1998);
  const { token } = await api('POST', '/api/v1/auth/login', { username: 'tochuc', password: 'thituyen-demo' });
  let csv = 'full_name,date_of_birth,gender,national_id,position_code,agency_preferences,priority_groups,exemptions\n';
  for (let i = 0; i < N; i++) csv += `Thí sinh ${i},1990-01-01,nam,0310900${String(i).padStart(5, '0')},CV-VP,,,\n`;
  const imp = await api('POST', '/api/v1/rounds/1/applications/imports?format=csv', undefined, token, csv);
  const ids = imp.application_ids;
  const exam = await api('POST', '/api/v1/rounds/1/exams', { code: 'LOAD', name: 'Tải', stage: 'round1', duration_minutes: 60,
    sections: [{ code: 'KTC', name: 'KTC', pass_ratio: '0.50', cells: [{ seal_id: 1, topic: 'Kiến thức chung', difficulty: 1, count: 20 }, { seal_id: 1, topic: 'Kiến thức chung', difficulty: 2, count: 20 }, { seal_id: 1, topic: 'Kiến thức chung', difficulty: 3, count: 20 }] }] }, token);
  const tickets = [];
  for (let s = 0; s < ids.length; s += 999) {
    const sess = await api('POST', `/api/v1/exams/${exam.id}/sessions`, { code: `L${s}`, room: 'P', starts_at: new Date(Date.now() + 3600e3).toISOString(), application_ids: ids.slice(s, s + 999) }, token);
    const t0 = Date.now();
    await api('POST', `/api/v1/sessions/${sess.id}/papers`, {}, token);
    console.log(`papers for ${sess.tickets.length} tickets: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const t of sess.tickets) tickets.push({ ticket_no: t.ticket_no, access_code: sess.access_code });
  }
  const C = Number(process.env.C || 50);
  let next = 0, ok = 0, fail = 0;
  const lat = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, async () => {
    while (next < tickets.length) {
      const t = tickets[next++];
      const s = performance.now();
      const r = await fetch(server.base + '/api/v1/candidate/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(t) });
      await r.text();
      lat.push(performance.now() - s);
      r.ok ? ok++ : fail++;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const p = q => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))].toFixed(1);
  console.log(`${ok} logins ok, ${fail} failed, concurrency ${C}: ${secs.toFixed(2)} s, ${(ok / secs).toFixed(0)} logins/s, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
} finally { server.stop(); }
