// Benchmarks of the npm package `headroom-ai` for docs/benchmarks.md:
//
//   1. compress() on an Anthropic conversation whose tool output is a
//      100-item JSON list: p50/p90/p99 after warm-up (target p50 <= 3 ms);
//   2. module instantiation: loading the package in a fresh Node process
//      (read + compile + instantiate the .wasm), and the first compress()
//      after it (target instantiation <= 50 ms);
//   3. the packed tarball's size (and the .wasm's, raw and gzipped).
//
//   bash scripts/build-npm.sh && node tests/npm/bench.mjs [--json] [--runs N]
//
// Prints a Markdown table (or JSON with --json). Timings are wall-clock on
// whatever else the machine is doing; the fresh-process numbers are medians.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PKG_DIR, REPO, anthropicConversation, jsonRecords, requirePackage } from './helpers.mjs';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const runs = Number(args[args.indexOf('--runs') + 1]) || 500;
const WARMUP = 100;
const FRESH_PROCESSES = 7;

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const median = (values) => quantile([...values].sort((a, b) => a - b), 0.5);
const ms = (x) => Math.round(x * 1000) / 1000;

/** 1. compress() latency in this (warm) process. */
async function compressLatency() {
  const h = requirePackage();
  const messages = anthropicConversation(jsonRecords(100));
  const first = await h.compress(messages);
  if (!first.compressed) throw new Error('the benchmark conversation did not compress');
  for (let i = 0; i < WARMUP; i++) await h.compress(messages);
  const times = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await h.compress(messages);
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  return {
    runs,
    // CPU time per call: what the call costs when the machine is shared.
    cpuMsPerCall: ms((cpu.user + cpu.system) / 1000 / runs),
    p50: ms(quantile(times, 0.5)),
    p90: ms(quantile(times, 0.9)),
    p99: ms(quantile(times, 0.99)),
    tokensBefore: first.tokensBefore,
    tokensAfter: first.tokensAfter,
    bytesBefore: JSON.stringify(messages).length,
  };
}

/** The child process run by `startupOnce`: times each step of loading the package from nothing. */
const STARTUP_PROBE = `
const { readFileSync } = require('fs');
const path = require('path');
const pkg = process.argv[1];
const wasm = path.join(pkg, 'engine/headroom_engine_bg.wasm');
let t = performance.now();
const bytes = readFileSync(wasm);
const read = performance.now() - t;
// (No separate WebAssembly.Module here: V8 caches compiled modules by their
// bytes within a process, which would make the require below look cheaper.)
const cpuMs = (c) => (c.user + c.system) / 1000;
t = performance.now();
let cpu = process.cpuUsage();
const h = require(path.join(pkg, 'cjs/node/index.js'));
const requireMs = performance.now() - t;
const requireCpu = cpuMs(process.cpuUsage(cpu));
const messages = JSON.parse(process.argv[2]);
t = performance.now();
cpu = process.cpuUsage();
h.compress(messages).then((r) => {
  const first = performance.now() - t;
  const firstCpu = cpuMs(process.cpuUsage(cpu));
  t = performance.now();
  return h.compress(messages).then(() => {
    const second = performance.now() - t;
    console.log(JSON.stringify({ read, require: requireMs, requireCpu, firstCompress: first, firstCompressCpu: firstCpu, secondCompress: second, ok: r.compressed }));
  });
});
`;

/** 2. Loading the package in fresh processes: medians of each step. */
function startup() {
  const messages = JSON.stringify(anthropicConversation(jsonRecords(100)));
  const samples = [];
  for (let i = 0; i < FRESH_PROCESSES; i++) {
    samples.push(JSON.parse(execFileSync(process.execPath, ['-e', STARTUP_PROBE, PKG_DIR, messages], { encoding: 'utf8' })));
  }
  const pick = (key) => ms(median(samples.map((s) => s[key])));
  return {
    processes: FRESH_PROCESSES,
    readMs: pick('read'),
    requireMs: pick('require'),
    requireCpuMs: pick('requireCpu'),
    firstCompressMs: pick('firstCompress'),
    firstCompressCpuMs: pick('firstCompressCpu'),
    secondCompressMs: pick('secondCompress'),
  };
}

/** 3. Sizes: the tarball `npm pack` makes, and the module. */
function sizes() {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error', PKG_DIR], { cwd: REPO, encoding: 'utf8' }));
  const wasm = readFileSync(join(PKG_DIR, 'engine/headroom_engine_bg.wasm'));
  return {
    tarballBytes: packed.size,
    unpackedBytes: packed.unpackedSize,
    files: packed.entryCount,
    wasmBytes: wasm.length,
    wasmGzipBytes: gzipSync(wasm, { level: 9 }).length,
  };
}

const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;

const latency = await compressLatency();
const load = startup();
const size = sizes();
const result = { node: process.version, loadAverage: loadavg()[0], compress: latency, startup: load, size };

if (asJson) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const rows = [
    ['compress(), 100-item JSON tool output, p50 (warm)', `${latency.p50} ms`, '<= 3 ms'],
    ['compress(), same, p90 / p99', `${latency.p90} / ${latency.p99} ms`, ''],
    ['compress(), same, CPU time per call (mean)', `${latency.cpuMsPerCall} ms`, ''],
    ['  conversation size, tokens before -> after', `${latency.bytesBefore} bytes, ${latency.tokensBefore} -> ${latency.tokensAfter}`, ''],
    ['module instantiation: require() of the package, fresh process (median)', `${load.requireMs} ms`, '<= 50 ms'],
    ['  same, CPU time (all threads)', `${load.requireCpuMs} ms`, ''],
    ['  reading the .wasm file alone (readFileSync)', `${load.readMs} ms`, ''],
    ['  first compress() after loading (tokenizer tables built), wall / CPU', `${load.firstCompressMs} / ${load.firstCompressCpuMs} ms`, ''],
    ['  second compress()', `${load.secondCompressMs} ms`, ''],
    ['packed tarball (npm pack)', mb(size.tarballBytes), 'reported'],
    ['unpacked package', `${mb(size.unpackedBytes)}, ${size.files} files`, ''],
    ['.wasm raw / gzip -9', `${mb(size.wasmBytes)} / ${mb(size.wasmGzipBytes)}`, ''],
  ];
  console.log(
    `headroom-ai benchmarks (Node ${process.version}, ${latency.runs} timed runs after ${WARMUP} warm-up, ${load.processes} fresh processes, load average ${result.loadAverage.toFixed(1)})\n`,
  );
  console.log('| measure | value | target |\n|---|---|---|');
  for (const [what, value, target] of rows) console.log(`| ${what} | ${value} | ${target} |`);
}
