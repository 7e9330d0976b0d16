// Package reality: what `npm install headroom-ai` gives a user. The built
// package is packed with `npm pack`, installed from the tarball into a fresh
// scratch project under the OS temp dir (no registry needed: the package has
// no dependencies), and used from a CommonJS script, an ES module script and
// TypeScript (`tsc --noEmit`, for both module systems).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PKG_DIR, REPO, WASM, anthropicConversation, requirePackage } from './helpers.mjs';

const TSC = join(REPO, 'node_modules/typescript/bin/tsc');
let scratch;
let tarball;
let packed;
/** What the CommonJS script printed (later tests compare against it). */
let cjsOutput;

const runAsync = promisify(execFile);
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
const npm = (args, cwd) => run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], cwd);

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'headroom-npm-'));
  packed = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch, PKG_DIR], REPO))[0];
  tarball = join(scratch, packed.filename);
  const project = join(scratch, 'app');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, version: '1.0.0' }));
  npm(['install', '--offline', '--no-package-lock', tarball], project);
});

after(() => {
  if (scratch && !process.env.KEEP_SCRATCH) rmSync(scratch, { recursive: true, force: true });
});

const app = () => join(scratch, 'app');
const installed = () => join(app(), 'node_modules/headroom-ai');

test('npm pack: one .wasm, both glues, both builds, types; no sources or maps', () => {
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files.filter((f) => f.endsWith('.wasm')), ['engine/headroom_engine_bg.wasm'], 'exactly one module');
  for (const f of ['package.json', 'README.md', 'engine/headroom_engine.js', 'engine/web/headroom_engine.js', 'cjs/node/index.js', 'cjs/node/index.mjs', 'cjs/node/index.d.ts', 'cjs/node/index.d.mts', 'esm/browser/index.js', 'esm/browser/index.d.ts']) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  assert.ok(!files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.d.mts')), 'no TypeScript sources');
  assert.equal(packed.name, 'headroom-ai');
  const manifest = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8'));
  assert.equal(packed.version, manifest.version);
  assert.match(manifest.version, /^\d+\.\d+\.\d+/);
  assert.deepEqual(Object.keys(manifest.dependencies ?? {}), [], 'no runtime dependencies');
});

test('the installed .wasm is byte-identical to dist/wasm (the module headroom-host embeds)', () => {
  const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
  assert.equal(sha(join(installed(), 'engine/headroom_engine_bg.wasm')), sha(WASM));
});

const SCRIPT_INPUT = JSON.stringify(anthropicConversation());

test('CommonJS: require("headroom-ai") compresses, and matches the repository build', async () => {
  writeFileSync(
    join(app(), 'use.cjs'),
    `const h = require('headroom-ai');
const messages = ${SCRIPT_INPUT};
h.compress(messages).then(async (r) => {
  const hash = r.ccrHashes[0];
  const back = await h.retrieve(hash);
  console.log(JSON.stringify({ r, restored: back === messages[2].content[0].content, version: await h.engineVersion() }));
});
`,
  );
  const out = JSON.parse(run(process.execPath, ['use.cjs'], app()));
  cjsOutput = out;
  assert.equal(out.r.compressed, true);
  assert.equal(out.restored, true, 'retrieve() gives the original back');
  const local = await requirePackage().compress(JSON.parse(SCRIPT_INPUT));
  assert.deepEqual(out.r.messages, JSON.parse(JSON.stringify(local.messages)), 'same output as the repository build');
  assert.match(out.version, /^\d+\.\d+\.\d+/);
});

test('ES module: import { compress } from "headroom-ai" (and the default export) gives the same result', () => {
  writeFileSync(
    join(app(), 'use.mjs'),
    `import headroom, { compress, withHeadroom, headroomMiddleware, SharedContext } from 'headroom-ai';
const a = await compress(${SCRIPT_INPUT});
const b = await headroom.compress(${SCRIPT_INPUT});
console.log(JSON.stringify({ a, same: JSON.stringify(a) === JSON.stringify(b), types: [typeof withHeadroom, typeof headroomMiddleware, typeof SharedContext] }));
`,
  );
  const out = JSON.parse(run(process.execPath, ['use.mjs'], app()));
  assert.equal(out.a.compressed, true);
  assert.equal(out.same, true);
  assert.deepEqual(out.types, ['function', 'function', 'function']);
  assert.deepEqual(out.a.messages, cjsOutput.r.messages, 'import and require give the same output');
});

test('ES module: the web build ("headroom-ai/web") runs in Node from the bytes, with no bundler', () => {
  writeFileSync(
    join(app(), 'web.mjs'),
    `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync, compress } from 'headroom-ai/web';
const require = createRequire(import.meta.url);
initSync(readFileSync(require.resolve('headroom-ai/headroom_engine_bg.wasm')));
const r = await compress(${SCRIPT_INPUT});
console.log(JSON.stringify(r.messages));
`,
  );
  const web = JSON.parse(run(process.execPath, ['web.mjs'], app()));
  assert.deepEqual(web, cjsOutput.r.messages);
});

const TS_PROGRAM = `import { compress, withHeadroom, headroomMiddleware, retrieve, SharedContext, CompressionHooks, HeadroomError, MemoryStore, type CompressResult, type CcrStore, type CompressEvent } from 'headroom-ai';

interface AnthropicMessage { role: 'user' | 'assistant'; content: unknown }
const messages: AnthropicMessage[] = [{ role: 'user', content: 'hi' }];

async function main(): Promise<number> {
  const result: CompressResult<AnthropicMessage> = await compress(messages, { profile: 'aggressive', fallback: false });
  const first: AnthropicMessage = result.messages[0];
  const ratio: number = result.compressionRatio;
  const original: string | undefined = await retrieve('0123456789abcdef01234567');
  const store: CcrStore = new MemoryStore({ ttlMs: 1000 });
  const shared = new SharedContext({ store });
  shared.put('k', 'v', { agent: 'a' });
  class Hooks extends CompressionHooks {
    override postCompress(event: CompressEvent): void {
      void event.tokensSaved;
    }
  }
  await compress(messages, { hooks: new Hooks() });
  const middleware = headroomMiddleware({ specificationVersion: 'v3' });
  const spec: 'v3' = middleware.specificationVersion;
  const client = withHeadroom({ withOptions: () => ({}) as object });
  // @ts-expect-error unknown profile names are compile errors
  await compress(messages, { profile: 'fast' });
  try {
    await compress(messages);
  } catch (e) {
    if (e instanceof HeadroomError) return e.code.length;
  }
  return first.role.length + ratio + (original?.length ?? 0) + spec.length + Object.keys(client).length;
}
void main();
`;

/** Write a TypeScript project with `program` in `main.<ext>` and type-check it; resolves to tsc's exit code and output. */
async function typeCheck(name, program, ext, compilerOptions) {
  const dir = join(app(), name);
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, `main.${ext}`), program);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', types: [], lib: ['ES2022'], skipLibCheck: false, ...compilerOptions }, files: [`main.${ext}`] }),
  );
  try {
    await runAsync(process.execPath, [TSC, '-p', dir], { cwd: dir, encoding: 'utf8' });
    return { code: 0, output: '' };
  } catch (err) {
    return { code: err.code, output: `${err.stdout}${err.stderr}` };
  }
}

test('tsc --noEmit type-checks programs against the package (ESM, CJS, bundler and node10 resolution)', { concurrency: 2 }, async (t) => {
  const cases = [
    ['nodenext', 'nodenext', 'mts'],
    ['nodenext', 'nodenext', 'cts'],
    ['esnext', 'bundler', 'ts'],
    ['commonjs', 'node10', 'ts'],
  ];
  // Two at a time: tsc is single-threaded and the machine has two cores.
  for (let i = 0; i < cases.length; i += 2) {
    await Promise.all(
      cases.slice(i, i + 2).map(([module, moduleResolution, ext]) =>
        t.test(`module ${module}, resolution ${moduleResolution}, .${ext}`, async () => {
          const { code, output } = await typeCheck(`ts-${moduleResolution}-${ext}`, TS_PROGRAM, ext, { module, moduleResolution });
          assert.equal(code, 0, `tsc failed:\n${output}`);
        }),
      ),
    );
  }
});

test('tsc reports a real type error (the check can fail)', async () => {
  const { code, output } = await typeCheck('ts-negative', "import { compress } from 'headroom-ai';\nconst n: number = compress([]);\n", 'ts', {
    module: 'nodenext',
    moduleResolution: 'nodenext',
  });
  assert.notEqual(code, 0);
  assert.match(output, /TS2322/);
});

test('the scratch project got the package from the tarball, not from the repository', () => {
  assert.ok(existsSync(join(installed(), 'package.json')));
  const lockless = JSON.parse(readFileSync(join(app(), 'package.json'), 'utf8'));
  assert.match(lockless.dependencies['headroom-ai'], /^file:/);
});
