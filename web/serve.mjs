// A static file server for web/dist on 127.0.0.1 (the page needs no server of its own; this only
// lets browsers fetch the .wasm over HTTP). Usage: node serve.mjs <dir> [port]
// Like common static hosts it sends text, JavaScript and wasm gzipped to browsers that accept it
// (and the .lzma as it is), so that bench/page.mjs on a throttled link sees what users download.
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.lzma': 'application/octet-stream', '.json': 'application/json', '.ts': 'text/plain', '.css': 'text/css' };

export function serve(dir, port = 0, host = '127.0.0.1') {
  const root = resolve(dir);
  const gzipped = new Map();  // path -> [file bytes, gzipped bytes]: compressed once, as hosts cache it
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      const type = TYPES[extname(file)] || 'application/octet-stream';
      if (/gzip/.test(req.headers['accept-encoding'] || '') && /^text\/|javascript|json|wasm/.test(type)) {
        res.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip', vary: 'accept-encoding' });
        let cached = gzipped.get(file);
        if (!cached || !cached[0].equals(body)) gzipped.set(file, cached = [body, gzipSync(body, { level: 9 })]);
        res.end(cached[1]);
      } else {
        res.writeHead(200, { 'content-type': type });
        res.end(body);
      }
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok) => server.listen(port, host, () => ok(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await serve(process.argv[2] || 'dist', Number(process.argv[3] || 8080));
  const { port } = server.address();
  console.log(`Will It Fit? is at http://127.0.0.1:${port}/  (Ctrl-C stops it)`);
}
