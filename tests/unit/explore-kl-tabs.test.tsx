// @vitest-environment happy-dom
/** The KL-per-dimension chart, the lower tabs, the loss scale line, the exports, the refresh loop and the latent plot's extras. */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { axisPlane } from '../../src/core/latent/plane';
import { exploreStore } from '../../src/app/explore/explore-state';
import { DECK_TABS, ExploreTabs, type DeckTab } from '../../src/app/explore/ExploreTabs';
import { lossCsv, tilesToRgba } from '../../src/app/explore/export';
import { KlPanel } from '../../src/app/explore/KlPanel';
import { LossScale } from '../../src/app/explore/LossScale';
import { refresher } from '../../src/app/explore/refresher';
import type { LatentCodes } from '../../src/app/hooks/useTraining';
import { LossHistory } from '../../src/app/loss-series';
import { Store, type LatentPoint } from '../../src/app/state/store';

// The Plotly wrapper stands in as an element with a drawn plot's axis mapping (support/fake-plot.tsx).
vi.mock('../../src/app/Plot', () => import('./support/fake-plot'));

const { LatentPanel } = await import('../../src/app/panels/LatentPanel');

afterEach(cleanup);

/** Codes of 3 examples in 3 dimensions: z1 informative, z2 slightly, z3 the prior itself. */
function codes(): LatentCodes {
  const means = Float32Array.from([1, 0.1, 0, -1, -0.1, 0, 2, 0, 0]);
  const logVars = Float32Array.from([Math.log(0.01), 0, 0, Math.log(0.01), 0, 0, Math.log(0.01), 0, 0]);
  return { step: 42, count: 3, latentDim: 3, means, logVars };
}

describe('KlPanel', () => {
  it('shows a bar per dimension, marks those under 0.01 nats inactive, and counts the active ones', () => {
    render(<KlPanel latents={codes()} beta={4} hasEncoder />);
    const chart = screen.getByTestId('kl-per-dim');
    expect(chart.dataset.dims).toBe('3');
    expect(chart.dataset.active).toBe('1'); // z2's KL is 0.0033 nats, z3's 0
    const bars = chart.querySelectorAll('.kl-bar');
    expect(bars).toHaveLength(3);
    expect([...bars].map((b) => b.classList.contains('inactive'))).toEqual([false, true, true]);
    // z1: mean over examples of ½(μ² + σ² − log σ² − 1).
    const kl1 = ([1, 1, 4].reduce((s, m) => s + 0.5 * (m + 0.01 - Math.log(0.01) - 1), 0)) / 3;
    expect(Number((bars[0] as HTMLElement).dataset.kl)).toBeCloseTo(kl1, 4);
    expect(Number(chart.dataset.total)).toBeCloseTo(kl1 + 0.5 * (0.01 + 0.01) / 3, 3);
    expect(screen.getByText(/1 of 3 dimensions active/)).toBeTruthy();
    expect(screen.getByText(/posterior collapse/)).toBeTruthy();
    expect(screen.getByText(/now 4/)).toBeTruthy();
    expect(screen.getByText(/Raise the latent dimension to 20/)).toBeTruthy(); // 3 dimensions: too few to see some stay active
    // Linear axis: the tallest bar reaches most of the plot, the others nothing.
    const logHeight = (bars[1] as HTMLElement).style.height;
    fireEvent.click(screen.getByRole('radio', { name: 'linear' }));
    const linear = screen.getByTestId('kl-per-dim').querySelectorAll('.kl-bar');
    expect(parseFloat((linear[0] as HTMLElement).style.height)).toBeGreaterThan(60);
    expect(parseFloat((linear[1] as HTMLElement).style.height)).toBeLessThan(parseFloat(logHeight));
  });

  it('does not ask to raise the latent dimension to 20 when it is already that large', () => {
    const dims = 20;
    const means = Float32Array.from({ length: 3 * dims }, (_, i) => (i % dims < 5 ? 1 : 0));
    render(<KlPanel latents={{ step: 7, count: 3, latentDim: dims, means, logVars: new Float32Array(3 * dims) }} beta={1} hasEncoder />);
    expect(screen.getByText(/5 of 20 dimensions active/)).toBeTruthy();
    expect(screen.queryByText(/Raise the latent dimension/)).toBeNull();
    expect(screen.getByText(/A larger β \(now 1\) collapses more/)).toBeTruthy();
  });

  it('explains an empty chart: no codes yet, a decoder alone, an encoder without σ', () => {
    render(<KlPanel latents={null} beta={1} hasEncoder />);
    expect(screen.getByText(/Encoding the test digits/)).toBeTruthy();
    cleanup();
    render(<KlPanel latents={null} beta={1} hasEncoder={false} />);
    expect(screen.getByText(/decoder alone/)).toBeTruthy();
    cleanup();
    render(<KlPanel latents={{ ...codes(), logVars: new Float32Array(9).fill(NaN) }} beta={1} hasEncoder />);
    expect(screen.getByText(/mean alone/)).toBeTruthy();
    expect(screen.queryByTestId('kl-per-dim')).toBeNull();
  });
});

describe('ExploreTabs', () => {
  function Tabs({ history = new LossHistory() }: { history?: LossHistory }) {
    const [tab, setTab] = useState<DeckTab>('core');
    return <ExploreTabs tab={tab} onTab={setTab} training={{ manifold: null, history, evaluations: [] }} />;
  }

  it('is one tab stop; arrows, Home and End move between the tabs and open them', () => {
    render(<Tabs />);
    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((t) => t.textContent)).toEqual(DECK_TABS.map((t) => t.label));
    expect(tabs.map((t) => t.tabIndex)).toEqual([0, -1, -1, -1, -1]);
    expect(tabs[0].getAttribute('aria-controls')).toBe('deck-decoded deck-manifold');
    fireEvent.keyDown(tabs[0], { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { selected: true }).textContent).toBe('Draw a digit');
    fireEvent.keyDown(tabs[1], { key: 'End' });
    expect(screen.getByRole('tab', { selected: true }).textContent).toBe('KL per dimension');
    fireEvent.keyDown(tabs[4], { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { selected: true }).textContent).toBe('Decoded digit & manifold');
    fireEvent.click(screen.getByRole('tab', { name: 'Interpolation' }));
    expect(screen.getByRole('tab', { selected: true }).getAttribute('aria-controls')).toBe('deck-panel-interpolation');
  });

  it('offers the exports only when there is something to export', () => {
    render(<Tabs />);
    expect((screen.getByTestId('export-manifold') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('export-loss') as HTMLButtonElement).disabled).toBe(true);
    cleanup();
    const history = new LossHistory();
    history.append([{ step: 0, total: 200, reconstruction: 190, kl: 10 }]);
    render(<Tabs history={history} />);
    expect((screen.getByTestId('export-loss') as HTMLButtonElement).disabled).toBe(false);
  });
});

describe('exports', () => {
  it('writes the loss history as CSV with the test evaluations on their steps', () => {
    const history = new LossHistory();
    history.append([
      { step: 0, total: 200.5, reconstruction: 190, kl: 10.5 },
      { step: 1, total: 180, reconstruction: 171, kl: 9 },
    ]);
    const csv = lossCsv(history, [{ epoch: 1, step: 1, total: 150, reconstruction: 140, kl: 10 }, { epoch: 2, step: 7, total: 160, reconstruction: 150, kl: 10 }]);
    expect(csv.split('\n')).toEqual([
      'step,total,reconstruction,kl,test_total,test_reconstruction,test_kl,epoch',
      '0,200.5,190,10.5,,,,',
      '1,180,171,9,150,140,10,1',
      '7,,,,160,150,10,2',
      '',
    ]);
  });

  it('turns digit tiles into dark-on-white RGBA, each pixel a scale×scale square', () => {
    const tiles = Uint8Array.from([0, 255, 255, 0, 128, 128, 128, 128]); // two 2×2 tiles
    const { width, height, rgba } = tilesToRgba(tiles, 1, 2, 2, 2);
    expect([width, height]).toEqual([8, 4]);
    const grey = (x: number, y: number) => rgba[(y * width + x) * 4];
    expect([grey(0, 0), grey(1, 1), grey(2, 0), grey(3, 1), grey(4, 0), grey(7, 3)]).toEqual([255, 255, 0, 0, 127, 127]);
    expect(rgba.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
  });
});

describe('LossScale', () => {
  it('gives the latest loss in nats per image and bits per pixel, beside a coin flip per pixel', () => {
    const history = new LossHistory(0);
    history.append([{ step: 0, total: 543.4, reconstruction: 543.4, kl: 0 }]);
    render(<LossScale history={history} version={1} likelihood="bernoulli" pixels={784} />);
    expect(screen.getByTestId('loss-scale').textContent).toMatch(/543\.4 nats per image = 1\.000 bits per pixel; a coin flip for each of the 784 pixels would cost 543 nats/);
    cleanup();
    render(<LossScale history={history} version={1} likelihood="gaussian" pixels={784} />);
    expect(screen.getByTestId('loss-scale').textContent).toMatch(/can be negative: .* a density, unlike a probability, can exceed 1/);
  });
});

describe('refresher', () => {
  it('runs one at a time and once more for any triggers during a run', async () => {
    let release = () => undefined as void;
    const run = vi.fn(() => new Promise<void>((r) => (release = r)));
    const loop = refresher(run);
    loop.trigger();
    loop.trigger();
    loop.trigger();
    expect(run).toHaveBeenCalledTimes(1);
    await act(async () => release());
    expect(run).toHaveBeenCalledTimes(2);
    await act(async () => release());
    expect(run).toHaveBeenCalledTimes(2);
    loop.stop();
    loop.trigger();
    expect(run).toHaveBeenCalledTimes(2);
  });
});

describe('the latent plot with the exploring panels', () => {
  it('draws the drawing\'s posterior (mean and 1σ ellipse) and the interpolation path through the axes', () => {
    const explore = exploreStore();
    const point = new Store<LatentPoint>({ z: [0, 0], source: 'init' });
    render(<LatentPanel latents={null} testSet={null} view={{ plane: axisPlane(2, 0, 1), axisNames: ['z1', 'z2'], key: 'z' }} point={point} extras={explore} />);
    const ellipse = document.querySelector('[data-testid="drawing-posterior"]')!;
    expect(ellipse.getAttribute('d')).toBe('');
    act(() => explore.set({ ...explore.get(), drawing: { image: new Float32Array(784), mean: [1, 1], logVar: [Math.log(0.25), Math.log(0.25)], atMean: new Float32Array(784), atSample: new Float32Array(784), reconstruction: 1, kl: 1, step: 0 } }));
    // Centre (1, 1) is pixel (10 + 150, 10 + 50); σ = 0.5 is 25 px: the ellipse starts at x = 185.
    expect(ellipse.getAttribute('d')).toMatch(/^M185\.0,60\.0L/);
    expect(document.querySelector('.drawing-label')!.textContent).toBe('your drawing');
    act(() => explore.set({ ...explore.get(), path: { curve: [[-1, 0], [0, 0], [1, 0]], frames: [[-1, 0], [1, 0]] } }));
    expect(document.querySelector('.interp-curve')!.getAttribute('d')).toBe('M60.0,110.0L110.0,110.0L160.0,110.0');
    expect(document.querySelector('.interp-label-a')!.textContent).toBe('A');
    act(() => explore.set({ drawing: null, path: null, digit: null }));
    expect(ellipse.getAttribute('d')).toBe('');
    expect(document.querySelector('.interp-curve')!.getAttribute('d')).toBe('');
  });
});
