// Cross-runtime parity, Node side: every corpus file through the npm glue's
// `compressText` (V8 runs the wasm) must give exactly what
// `headroom-host compress --json` (wasmtime runs the same wasm) prints.
// Also checks error reporting on the JS face. No npm dependencies.
//
//   scripts/build-wasm.sh && cargo build --release -p headroom-host
//   node tests/node/parity.mjs
//
// Env: HEADROOM_HOST (binary; default $CARGO_TARGET_DIR/release/headroom-host,
// CARGO_TARGET_DIR defaulting to ./target), HEADROOM_CORPUS (default ../shared/corpus).
// The last line printed is `N passed, M failed`; the exit code is non-zero on any failure.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const glue = path.join(root, "dist/pkg/node/headroom_engine.js");
const host =
  process.env.HEADROOM_HOST ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "release/headroom-host");
const corpus = process.env.HEADROOM_CORPUS ?? path.join(root, "../shared/corpus");

for (const [what, file, fix] of [
  ["npm glue", glue, "run scripts/build-wasm.sh"],
  ["headroom-host", host, "run cargo build --release -p headroom-host, or set HEADROOM_HOST"],
  ["corpus", corpus, "set HEADROOM_CORPUS"],
]) {
  if (!existsSync(file)) {
    console.error(`error: ${what} not found at ${file}: ${fix}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
}

const engine = createRequire(import.meta.url)(glue);
let passed = 0;
let failed = 0;
const check = (name, ok, detail = "") => {
  if (ok) passed++;
  else {
    failed++;
    console.log(`FAIL ${name}${detail ? `: ${detail}` : ""}`);
  }
};

/** Every file under the corpus category folders, sorted. */
function corpusFiles(dir, top = true) {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return corpusFiles(full, false);
      return top ? [] : [full];
    });
}

/** `compressText`'s result in the shape `headroom-host compress --json` prints. */
function asCliJson(r) {
  return {
    compressed: r.text,
    tokensBefore: r.tokensBefore,
    tokensAfter: r.tokensAfter,
    transformsApplied: r.transforms,
    kind: r.kind,
    ccr: r.ccr ? [r.ccr] : [],
  };
}

/** First key path where two JSON values differ, for a readable failure. */
function firstDifference(a, b, at = "") {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === "object" && typeof b === "object") {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[key], b[key], `${at}.${key}`);
      if (d) return d;
    }
  }
  const show = (v) => JSON.stringify(v)?.slice(0, 120);
  return `${at || "."}: node ${show(a)} vs host ${show(b)}`;
}

function runHost(args) {
  return spawnSync(host, args, { encoding: "utf8", maxBuffer: 256 << 20 });
}

// 1. Every corpus file: Node (V8) vs headroom-host (wasmtime).
for (const file of corpusFiles(corpus)) {
  const name = path.relative(corpus, file);
  const text = readFileSync(file, "utf8");
  let mine;
  try {
    mine = asCliJson(engine.compressText(text));
  } catch (err) {
    check(name, false, `compressText threw: ${err.message}`);
    continue;
  }
  const out = runHost(["compress", "--json", file]);
  if (out.status !== 0) {
    check(name, false, `headroom-host exited ${out.status}: ${out.stderr.trim()}`);
    continue;
  }
  const theirs = JSON.parse(out.stdout);
  check(name, isDeepStrictEqual(mine, theirs), firstDifference(mine, theirs));
}

// 2. A request body: compressMessages vs `compress --messages --json`
//    (results, or the same error, must agree).
{
  const log = readFileSync(path.join(corpus, "logs/loghub_HDFS_2k.log"), "utf8");
  const body = JSON.stringify({
    model: "claude-sonnet-4-5",
    max_tokens: 1024,
    messages: [
      { role: "user", content: "Why do the HDFS blocks fail?" },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_01", name: "Bash", input: { command: "cat hdfs.log" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: log }] },
    ],
  });
  const out = spawnSync(host, ["compress", "--messages", "--json", "-"], { input: body, encoding: "utf8", maxBuffer: 256 << 20 });
  try {
    const mine = engine.compressMessages(body);
    const theirs = out.status === 0 ? JSON.parse(out.stdout) : null;
    check("messages body", isDeepStrictEqual(mine, theirs), theirs ? firstDifference(mine, theirs) : out.stderr.trim());
  } catch (err) {
    const same = out.status !== 0 && out.stderr.includes(err.message) && out.stderr.includes(`(${err.code})`);
    check("messages body (error)", same, `node threw ${err.code}: ${err.message}; host: ${out.stderr.trim() || "succeeded"}`);
  }
}

// 3. Errors on the JS face are Errors with a code and the field name.
const throws = (name, fn, test) => {
  try {
    fn();
    check(name, false, "did not throw");
  } catch (err) {
    check(name, err instanceof Error && test(err), `${err?.name} ${err?.code}: ${err?.message}`);
  }
};
throws("bad bias", () => engine.compressText("x", null, { bias: -1 }), (e) => e.code === "invalid_options" && e.message.startsWith("options.bias:"));
throws("bad profile", () => engine.compressText("x", undefined, { profile: "fast" }), (e) => e.code === "invalid_options" && e.message.startsWith("options.profile:"));
throws("unknown option", () => engine.compressText("x", {}, { biass: 2 }), (e) => e.code === "invalid_options" && e.message.includes("biass"));
throws("bad tool context", () => engine.compressText("x", { toolName: 3 }), (e) => e.code === "invalid_tool_context" && e.message.startsWith("toolContext.toolName:"));
throws("text not a string", () => engine.compressText(undefined), (e) => e instanceof TypeError && e.message === "text must be a string, got undefined");
check("countTokens", engine.countTokens("hello world") === 2);
check("version", typeof engine.version() === "string" && engine.version().length > 0);

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
