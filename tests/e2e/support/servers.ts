/**
 * The servers browser tests and benchmarks run against: the production build (`vite build`) served
 * by `vite preview` (cross-origin isolated: COOP/COEP from vite.config.ts), and a plain static
 * server on another port for cross-origin weights, which a require-corp page may only load when
 * they carry `Access-Control-Allow-Origin` and `Cross-Origin-Resource-Policy: cross-origin`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview, type InlineConfig } from 'vite';

/** The repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where the production build goes: `dist/` unless E2E_OUT_DIR says otherwise. */
export function outDirFromEnv(): string {
  return resolve(repoRoot, process.env.E2E_OUT_DIR ?? 'dist');
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createNetServer();
    probe.unref();
    probe.on('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

/**
 * A production `vite build` with the given config. NODE_ENV is forced to "production" meanwhile:
 * under vitest it is "test", which would give React's development build and a different bundle.
 */
export async function viteBuild(config: InlineConfig): Promise<void> {
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ mode: 'production', logLevel: 'error', ...config });
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}

/** `vite build` of the app with the project's config into `outDir`. */
export async function buildApp(outDir: string): Promise<void> {
  await viteBuild({ configFile: join(repoRoot, 'vite.config.ts'), root: repoRoot, build: { outDir, emptyOutDir: true } });
}

/** `vite build` of the benchmark page (bench/browser/) into `outDir`/bench, served beside the app. */
export async function buildBenchPage(outDir: string): Promise<void> {
  await viteBuild({ configFile: join(repoRoot, 'bench', 'browser', 'vite.config.ts'), build: { outDir: join(outDir, 'bench'), emptyOutDir: true } });
}

/** A running server and how to stop it. */
export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** `vite preview` of `outDir` on a free port (COOP/COEP headers from vite.config.ts). */
export async function startPreview(outDir: string): Promise<RunningServer> {
  const port = await freePort();
  const server = await preview({
    configFile: join(repoRoot, 'vite.config.ts'),
    root: repoRoot,
    logLevel: 'error',
    build: { outDir },
    preview: { port, strictPort: true, host: '127.0.0.1', open: false },
  });
  return { url: `http://127.0.0.1:${port}/`, port, close: () => server.close() };
}

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.gz': 'application/gzip',
  '.js': 'text/javascript',
  '.html': 'text/html',
};

/**
 * A static file server for `root` on a free port with CORS (`*`) and CORP (`cross-origin`) headers.
 * `GET /__requests` lists the paths served so far (JSON), `DELETE /__requests` clears the list.
 */
export async function startStaticServer(root: string): Promise<RunningServer> {
  const base = resolve(root);
  const requests: string[] = [];
  const server: Server = createHttpServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', 'no-store');
    if (path === '/__requests') {
      if (req.method === 'DELETE') requests.length = 0;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(requests));
      return;
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
      res.setHeader('Access-Control-Allow-Headers', '*');
      res.writeHead(204).end();
      return;
    }
    requests.push(path);
    const file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    stat(file).then(
      (info) => {
        if (!info.isFile()) {
          res.writeHead(404).end('not found');
          return;
        }
        res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': info.size });
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
      },
      () => res.writeHead(404).end('not found'),
    );
  });
  const port = await freePort();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done());
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
