/**
 * Not a test: drives the running app in Debian's Chromium and saves screenshots to /tmp, to look at.
 *   npx vite preview --port 4173 --strictPort &
 *   npx tsx tests/e2e/screenshot.ts [url] [seconds of training]
 */
import { chromium } from 'playwright-core';

const url = process.argv[2] ?? 'http://localhost:4173/';
const trainSeconds = Number(process.argv[3] ?? 10);
const prefix = process.env.SHOT_PREFIX ?? '/tmp/app';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
page.on('console', (m) => {
  if (m.type() === 'error' || m.type() === 'warning') console.log(`[browser ${m.type()}] ${m.text()}`);
});
page.on('response', (r) => {
  if (r.status() >= 400) console.log(`[http ${r.status()}] ${r.url()}`);
});
page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));

const t0 = Date.now();
await page.goto(url);
await page.waitForSelector('[data-testid="train-toggle"]:not([disabled])', { timeout: 120_000 });
await page.waitForTimeout(1500);
console.log(`ready after ${((Date.now() - t0) / 1000).toFixed(1)} s; status: ${await page.getByTestId('status').innerText()}`);
console.log(`isolated: ${await page.evaluate(() => crossOriginIsolated)}`);
await page.screenshot({ path: `${prefix}-0-ready.png` });

await page.getByTestId('train-toggle').click();
await page.evaluate(() => {
  (window as unknown as { __vaePerf: { longTasks: unknown[] } }).__vaePerf.longTasks.length = 0;
});
await page.waitForTimeout(trainSeconds * 1000);
console.log(`after ${trainSeconds} s of training: ${await page.getByTestId('status').innerText()}`);
await page.screenshot({ path: `${prefix}-1-training.png` });

// Drag across the latent plot while training goes on.
const box = (await page.getByTestId('latent-plot').boundingBox())!;
const cx = box.x + box.width * 0.45;
const cy = box.y + box.height * 0.5;
await page.mouse.move(cx, cy);
await page.mouse.down();
for (let i = 0; i <= 40; i++) {
  await page.mouse.move(cx + Math.cos(i / 6) * box.width * 0.2, cy + Math.sin(i / 6) * box.height * 0.2);
  await page.waitForTimeout(16);
}
await page.mouse.up();
console.log(`data-z after drag: ${await page.getByTestId('decoded-digit').getAttribute('data-z')}`);
await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.35);
await page.waitForTimeout(400);
await page.screenshot({ path: `${prefix}-2-drag.png` });

const perf = await page.evaluate(() => {
  const p = (window as unknown as { __vaePerf: { decodeLatency: number[]; decodeTime: number[]; longTasks: { duration: number }[]; p95(v: number[]): number } }).__vaePerf;
  return {
    decodes: p.decodeLatency.length,
    latencyP95: p.p95(p.decodeLatency),
    decodeP95: p.p95(p.decodeTime),
    longTasks: p.longTasks.map((t) => Math.round(t.duration)),
    plots: Object.fromEntries(Object.entries((p as unknown as { plotTimes: Record<string, number[]> }).plotTimes).map(([k, v]) => [k, v.map((x) => Math.round(x))])),
  };
});
console.log('perf', JSON.stringify(perf));

if (process.env.NARROW) {
  await page.setViewportSize({ width: 420, height: 900 });
  await page.waitForTimeout(800);
  await page.screenshot({ path: `${prefix}-3-narrow.png`, fullPage: true });
}
await browser.close();
