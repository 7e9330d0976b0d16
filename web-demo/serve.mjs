#!/usr/bin/env node
/**
 * A tiny static server for the built playground (web-demo/dist/), on
 * loopback only. The .wasm goes out as application/wasm so browsers can
 * compile it while it streams in.
 *
 *   PORT=8080 node web-demo/serve.mjs     (PORT=0 picks a free port)
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/** Start serving `root`; resolves with the server and its URL once it listens. */
export function serve({ root = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist'), port = 8080, host = '127.0.0.1' } = {}) {
  if (!existsSync(path.join(root, 'index.html'))) {
    throw new Error(`${root}/index.html is missing: run node web-demo/build.mjs first`);
  }
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return void res.writeHead(400).end();
    }
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = path.join(root, path.normalize(pathname));
    if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
    // Samples are plain text whatever their extension: the page reads them as text.
    const type = pathname.startsWith('/samples/') && !pathname.endsWith('.json') ? 'text/plain; charset=utf-8' : TYPES[path.extname(file)];
    res.writeHead(200, {
      'content-type': type ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address();
      resolve({ server, url: `http://${host}:${bound}/` });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  serve({ port })
    .then(({ url }) => console.log(`Headroom playground: ${url}  (Ctrl-C to stop)`))
    .catch((err) => {
      console.error(`web-demo serve: ${err.message}`);
      process.exit(1);
    });
}
