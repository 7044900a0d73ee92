/**
 * Once per e2e run: build the app (`vite build`) and the benchmark page, serve them with `vite preview` (cross-origin
 * isolated), and serve the bundled models from a second, cross-origin static server. Tests read
 * the URLs with `inject('appUrl')` etc.; everything is stopped at the end.
 *
 *   E2E_SKIP_BUILD=1   reuse the existing build
 *   E2E_OUT_DIR=dir    build into / serve from `dir` instead of dist/
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { chromiumPath } from './support/browser';
import { buildApp, buildBenchPage, outDirFromEnv, startPreview, startStaticServer, type RunningServer } from './support/servers';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The app's production build, e.g. http://127.0.0.1:41234/ */
    appUrl: string;
    /** A second origin serving the build's models/ folder (CORS and CORP headers). */
    weightsUrl: string;
    /** The production build folder. */
    outDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  chromiumPath(); // fail early, in plain words, when there is no browser
  const outDir = outDirFromEnv();
  if (process.env.E2E_SKIP_BUILD !== '1' || !existsSync(join(outDir, 'index.html')) || !existsSync(join(outDir, 'bench', 'index.html'))) {
    const started = Date.now();
    await buildApp(outDir);
    await buildBenchPage(outDir); // kernels.e2e.ts checks the kernel helper thread there
    console.log(`[e2e] built the app and the benchmark page into ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const servers: RunningServer[] = [];
  try {
    const app = await startPreview(outDir);
    servers.push(app);
    const weights = await startStaticServer(join(outDir, 'models'));
    servers.push(weights);
    project.provide('appUrl', app.url);
    project.provide('weightsUrl', weights.url);
    project.provide('outDir', outDir);
    console.log(`[e2e] app at ${app.url}, cross-origin weights at ${weights.url}`);
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  return async () => {
    await Promise.all(servers.map((s) => s.close()));
  };
}
