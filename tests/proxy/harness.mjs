// Starts what the proxy's end-to-end tests need, all on loopback: the
// recording mock upstream, a redis-server on a free port, and proxies
// (the real headroom-host binary) on free ports.
import { spawn } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function hostBinary() {
  if (process.env.HEADROOM_HOST) return process.env.HEADROOM_HOST;
  const target = process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache/headroom/target');
  return path.join(target, 'release/headroom-host');
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('error', () => {});
  await waitFor(() => portOpen(port), 'redis-server');
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export function tempStore(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `headroom-e2e-${name}-`));
  return `sqlite:${path.join(dir, 'ccr.sqlite3')}`;
}

export async function startProxy({ upstream, store, env = {} }) {
  const port = await freePort();
  const log = [];
  const child = spawn(hostBinary(), ['proxy', '--port', String(port)], {
    env: {
      ...process.env,
      HEADROOM_ANTHROPIC_UPSTREAM: upstream,
      HEADROOM_OPENAI_UPSTREAM: `${upstream}/v1`,
      HEADROOM_STORE: store,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (d) => log.push(d.toString()));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/livez`)).ok, `the proxy on ${port} (${log.join('')})`);
  return {
    url,
    log,
    async stats() {
      return (await fetch(`${url}/stats`)).json();
    },
    /** SIGTERM, and the exit status once it stopped. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
