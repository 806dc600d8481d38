// Starts a real server (debug build) on a free port with a fresh SQLite data directory, and a
// headless Debian Chromium driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const serverBin = join(root, 'target', 'debug', 'server');

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

export function serverCommand(dataDir, args) {
  return execFileSync(serverBin, ['--data-dir', dataDir, ...args], {
    cwd: root, env: { ...process.env, DATABASE_URL: '' }, encoding: 'utf8',
  });
}

export async function startServer({ seed = () => {} } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'thituyen-browser-'));
  seed(dataDir);
  const port = await freePort();
  const proc = spawn(serverBin, ['--data-dir', dataDir, 'serve', '--addr', `127.0.0.1:${port}`], {
    cwd: root, env: { ...process.env, DATABASE_URL: '', THITUYEN_SITE_ROOT: join(root, 'site') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout.on('data', d => { log += d; });
  proc.stderr.on('data', d => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { const r = await fetch(`${base}/api/health`); if (r.ok) break; } catch { /* not yet */ }
    if (proc.exitCode !== null) throw new Error(`server exited: ${log}`);
    await new Promise(r => setTimeout(r, 100));
  }
  return { base, dataDir, proc, log: () => log, stop: () => proc.kill('SIGTERM') };
}

// playwright starts Chromium with a fresh temporary profile of its own.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Resolves once the wasm bundle has hydrated the page (set by frontend::hydrate).
export async function hydrated(page) {
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30000 });
}
