// @vitest-environment happy-dom
/**
 * The drawing pad, the reconstructions strip and the interpolation panel, against a stand-in for the
 * worker's replies. Mounted in React's StrictMode, as src/boot.tsx mounts the app: under `npm run dev`
 * React mounts each component, unmounts it and mounts it again, so an effect's cleanup must leave
 * nothing the second mount needs stopped (the drawing pad once stayed on "Encoding…" there).
 */
import { act, cleanup, configure, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { centreOfMass } from '../../src/core/data/mnistify';
import { MlpDecoder } from '../../src/core/latent/mlp-decoder';
import { axisPlane } from '../../src/core/latent/plane';
import { localDecoder, type PointDecoder } from '../../src/app/decoding';
import { DrawPanel } from '../../src/app/explore/DrawPanel';
import { exploreStore } from '../../src/app/explore/explore-state';
import { InterpolationPanel } from '../../src/app/explore/InterpolationPanel';
import { ReconstructionsPanel, stripIndices } from '../../src/app/explore/ReconstructionsPanel';
import type { Encoded, LatentCodes, TestSet } from '../../src/app/hooks/useTraining';
import { Store, type LatentPoint } from '../../src/app/state/store';
import type { ModelInfo } from '../../src/worker/protocol';

configure({ reactStrictMode: true });
afterEach(cleanup);

const model = { generation: 1, latentDim: 2, hasEncoder: true, training: { epochs: 50, testElbo: -138.85 } } as unknown as ModelInfo;

/** A reply to `encode` for `count` images: image n gets the mean (n, -n). */
function reply(count: number, step = 5): Encoded {
  const px = 784;
  return {
    type: 'encoded',
    id: 1,
    generation: 1,
    step,
    count,
    latentDim: 2,
    means: Float32Array.from({ length: 2 * count }, (_, k) => (k % 2 === 0 ? k / 2 : -(k - 1) / 2)),
    logVars: new Float32Array(2 * count).fill(Math.log(0.04)),
    atMean: new Float32Array(count * px).fill(0.25),
    atSample: new Float32Array(count * px).fill(0.75),
    reconstruction: Float32Array.from({ length: count }, (_, n) => 100 + n),
    kl: new Float32Array(count).fill(5.5),
  };
}

/** A test set of 20 digits, two of each class, each image a different grey. */
function testSet(): TestSet {
  const count = 20;
  const images = new Uint8Array(count * 784);
  for (let n = 0; n < count; n++) images.fill(n * 10, n * 784, (n + 1) * 784);
  return { labels: Uint8Array.from({ length: count }, (_, n) => n % 10), images, side: 28, count };
}

/** A tiny real MLP decoder over 2-D z. */
function decoderStore(): Store<PointDecoder | null> {
  const layer = (inDim: number, outDim: number, activation: 'relu' | 'linear') => ({
    kernel: Float32Array.from({ length: inDim * outDim }, (_, i) => Math.sin(i) * 0.5),
    bias: new Float32Array(outDim),
    inDim,
    outDim,
    activation,
  });
  return new Store<PointDecoder | null>(localDecoder(new MlpDecoder({ layers: [layer(2, 16, 'relu'), layer(16, 784, 'linear')] })));
}

const point = () => new Store<LatentPoint>({ z: [0, 0], source: 'init' });

describe('DrawPanel', () => {
  it('turns strokes into a centred 28×28 image, asks the worker to encode it, and shows the posterior and the −ELBO', async () => {
    const encode = vi.fn(async (_images: Float32Array, count: number, _seed: number, _samples: number) => reply(count));
    const explore = exploreStore();
    const z = point();
    const decoder = decoderStore();
    render(<DrawPanel training={{ encode, model, evaluations: [], decoder }} explore={explore} point={z} side={28} live />);
    const pad = screen.getByTestId('draw-pad');
    fireEvent.pointerDown(pad, { pointerId: 1, button: 0, pointerType: 'mouse', clientX: 30, clientY: 20 });
    for (const [x, y] of [[30, 60], [30, 100], [32, 140]]) fireEvent.pointerMove(pad, { pointerId: 1, pointerType: 'mouse', clientX: x, clientY: y });
    fireEvent.pointerUp(pad, { pointerId: 1, pointerType: 'mouse', clientX: 32, clientY: 140 });
    expect(pad.dataset.strokes).toBe('1');
    await waitFor(() => expect(encode).toHaveBeenCalled());
    const [images, count, , samples] = encode.mock.calls[0];
    expect(count).toBe(1);
    expect(samples).toBeGreaterThanOrEqual(8);
    expect(images).toHaveLength(784);
    const [cx, cy] = centreOfMass(images, 28)!;
    expect(Math.hypot(cx - 14, cy - 14)).toBeLessThan(0.05);
    await waitFor(() => expect(screen.getByTestId('draw-elbo').dataset.value).toBe((100 + 5.5).toFixed(3)));
    expect(screen.getByText(/a typical test digit: 138\.8/)).toBeTruthy();
    expect(explore.get().drawing?.mean).toEqual([0, -0]);
    expect(explore.get().drawing?.logVar[0]).toBeCloseTo(Math.log(0.04));
    // Move z to the posterior mean.
    fireEvent.click(screen.getByRole('button', { name: 'Move z to μ' }));
    expect(z.get()).toMatchObject({ z: [0, -0], source: 'explore' });
    // New weights: the same drawing is encoded again.
    const calls = encode.mock.calls.length;
    act(() => decoder.set(decoderStore().get()));
    await waitFor(() => expect(encode.mock.calls.length).toBe(calls + 1));
    // Undo the only stroke: no drawing, nothing on the plot.
    fireEvent.click(screen.getByRole('button', { name: 'Undo stroke' }));
    await waitFor(() => expect(explore.get().drawing).toBeNull());
    expect(pad.dataset.strokes).toBe('0');
  });

  it('says why nothing is encoded for a decoder alone, and asks the worker for nothing', async () => {
    const encode = vi.fn(async (_i: Float32Array, count: number) => reply(count));
    render(<DrawPanel training={{ encode, model: { ...model, hasEncoder: false }, evaluations: [], decoder: decoderStore() }} explore={exploreStore()} point={point()} side={28} live />);
    const pad = screen.getByTestId('draw-pad');
    fireEvent.pointerDown(pad, { pointerId: 1, button: 0, pointerType: 'pen', clientX: 30, clientY: 20 });
    fireEvent.pointerMove(pad, { pointerId: 1, pointerType: 'pen', clientX: 60, clientY: 90 });
    fireEvent.pointerUp(pad, { pointerId: 1, pointerType: 'pen' });
    await new Promise((r) => setTimeout(r, 50));
    expect(encode).not.toHaveBeenCalled();
    expect(screen.getByText(/decoder alone/)).toBeTruthy();
  });
});

describe('ReconstructionsPanel', () => {
  it('picks one test digit of each class, and another set on request', () => {
    const labels = Uint8Array.from({ length: 30 }, (_, n) => n % 10);
    const first = stripIndices(labels, 30, 0);
    expect(first.map((i) => labels[i])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const second = stripIndices(labels, 30, 1);
    expect(second.map((i) => labels[i])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(second.every((i, k) => i !== first[k])).toBe(true);
  });

  it('encodes the strip while open, shows each digit\'s −ELBO, follows new weights, and a click moves z to that digit\'s mean', async () => {
    const encode = vi.fn(async (_i: Float32Array, count: number) => reply(count));
    const decoder = decoderStore();
    const z = point();
    const explore = exploreStore();
    const set = testSet();
    const { rerender } = render(<ReconstructionsPanel training={{ encode, testSet: set, model, decoder }} point={z} explore={explore} side={28} active={false} />);
    await new Promise((r) => setTimeout(r, 30));
    expect(encode).not.toHaveBeenCalled(); // a closed tab asks for nothing
    rerender(<ReconstructionsPanel training={{ encode, testSet: set, model, decoder }} point={z} explore={explore} side={28} active />);
    await waitFor(() => expect(encode).toHaveBeenCalledTimes(1));
    const [images, count] = encode.mock.calls[0];
    expect(count).toBe(10);
    expect(images[3 * 784]).toBeCloseTo(30 / 255); // digit #3 (a 3) is grey level 30
    const strip = await screen.findByTestId('reconstructions');
    await waitFor(() => expect(strip.dataset.step).toBe('5'));
    expect(screen.getByText('106')).toBeTruthy(); // the strip's first digit: 100 + 5.5 nats
    fireEvent.click(screen.getByTitle(/Test digit #4, a 4/));
    expect(z.get().z).toEqual([4, -4]);
    expect(explore.get().digit).toEqual({ index: 4, z: [4, -4] });
    act(() => decoder.set(decoderStore().get()));
    await waitFor(() => expect(encode).toHaveBeenCalledTimes(2), { timeout: 3000 });
    fireEvent.click(screen.getByRole('button', { name: 'Another set' }));
    await waitFor(() => expect(encode).toHaveBeenCalledTimes(3), { timeout: 3000 });
    expect(encode.mock.calls[2][0][0]).toBeCloseTo(100 / 255); // the second 0 of the test set (#10)
  });
});

describe('InterpolationPanel', () => {
  const codes = (): LatentCodes => ({ step: 3, count: 20, latentDim: 2, means: Float32Array.from({ length: 40 }, (_, k) => (k % 2 === 0 ? k / 10 : 1)), logVars: new Float32Array(40) });

  it('walks from a 1 to a 0 by default, draws the path on the plot, and follows the chosen endpoints and path kind', async () => {
    const explore = exploreStore();
    const z = point();
    const decodeBatch = vi.fn(async () => null);
    const props = { training: { testSet: testSet(), latents: codes(), decoder: decoderStore(), decodeBatch, model }, point: z, explore, view: { plane: axisPlane(2, 0, 1), axisNames: ['z1', 'z2'] as [string, string], key: 'z' }, side: 28 };
    const { rerender } = render(<InterpolationPanel {...props} active />);
    expect(screen.getByTestId('interpolation-end-a').textContent).toMatch(/test digit #1 \(a 1\)/);
    expect(screen.getByTestId('interpolation-end-b').textContent).toMatch(/test digit #0 \(a 0\)/);
    await waitFor(() => expect(screen.getByTestId('interpolation').dataset.frames).toBe('10'));
    expect(decodeBatch).not.toHaveBeenCalled(); // decoded on the main thread
    const path = explore.get().path!;
    expect(path.frames).toHaveLength(10);
    expect(path.frames[0]).toEqual([Math.fround(0.2), 1]); // digit #1's mean (float32), exactly
    expect(path.frames[9]).toEqual([0, 1]);
    // A chosen point as B, then the spherical path: endpoints stay exact.
    z.set({ z: [-1.5, 0.5], source: 'drag' });
    fireEvent.click(screen.getAllByRole('button', { name: 'current z' })[1]);
    fireEvent.click(screen.getByRole('radio', { name: 'spherical (slerp)' }));
    await waitFor(() => expect(screen.getByTestId('interpolation').dataset.path).toBe('spherical'));
    await waitFor(() => expect(explore.get().path!.frames[9]).toEqual([-1.5, 0.5]));
    const norms = explore.get().path!.frames.map((p) => Math.hypot(...p));
    for (const n of norms) expect(n).toBeGreaterThanOrEqual(Math.min(norms[0], norms[9]) - 1e-9);
    // The drawing as A once there is one.
    expect((screen.getAllByRole('button', { name: 'drawing' })[0] as HTMLButtonElement).disabled).toBe(true);
    act(() => explore.set({ ...explore.get(), drawing: { image: new Float32Array(784), mean: [2, 2], logVar: [0, 0], atMean: new Float32Array(784), atSample: new Float32Array(784), reconstruction: 90, kl: 4, step: 3 } }));
    fireEvent.click(screen.getAllByRole('button', { name: 'drawing' })[0]);
    await waitFor(() => expect(explore.get().path!.frames[0]).toEqual([2, 2]));
    expect(screen.getByTestId('interpolation-end-a').textContent).toBe('your drawing');
    // A frame click moves z there.
    fireEvent.click(screen.getByTestId('interpolation'), { clientX: 0, clientY: 5 });
    expect(z.get().z).toEqual([2, 2]);
    // Closing the tab takes the path off the plot.
    rerender(<InterpolationPanel {...props} active={false} />);
    expect(explore.get().path).toBeNull();
  });

  it('picks endpoints by clicks in the latent plot, snapped to the nearest test digit', async () => {
    const explore = exploreStore();
    const z = point();
    render(
      <>
        <div data-testid="latent-plot" />
        <InterpolationPanel training={{ testSet: testSet(), latents: codes(), decoder: decoderStore(), decodeBatch: vi.fn(async () => null), model }} point={z} explore={explore} view={{ plane: axisPlane(2, 0, 1), axisNames: ['z1', 'z2'], key: 'z' }} side={28} active />
      </>,
    );
    const press = (at: number[]) => {
      z.set({ z: at, source: 'drag' }); // what the latent panel does on the press
      act(() => void window.dispatchEvent(new MouseEvent('pointerup', { clientX: 0, clientY: 0 })));
    };
    fireEvent.click(screen.getByRole('button', { name: 'Pick A and B on the plot' }));
    press([1.41, 0.9]); // nearest code: digit #7 at (1.4, 1)
    expect(screen.getByTestId('interpolation-end-a').textContent).toMatch(/test digit #7 \(a 7\)/);
    expect(z.get().z).toEqual([Math.fround(1.4), 1]); // z snaps onto the digit's code
    press([3.02, 1.1]); // digit #15 at (3, 1)
    expect(screen.getByTestId('interpolation-end-b').textContent).toMatch(/test digit #15 \(a 5\)/);
    press([0, 0]); // picking is over: nothing changes
    expect(screen.getByTestId('interpolation-end-a').textContent).toMatch(/#7/);
    // One endpoint, without snapping: the point itself.
    fireEvent.click(screen.getByRole('checkbox', { name: /snap to test digits/ }));
    fireEvent.click(screen.getAllByRole('button', { name: 'pick on plot' })[1]);
    press([-0.5, 0.25]);
    expect(screen.getByTestId('interpolation-end-b').textContent).toMatch(/z = \(-0\.50, 0\.25\)/);
    await waitFor(() => expect(explore.get().path!.frames[9]).toEqual([-0.5, 0.25]));
  });

  it('decodes the frames in the worker when the main thread has no decoder copy', async () => {
    const decodeBatch = vi.fn(async (_z: Float32Array, count: number) => new Float32Array(count * 784).fill(0.5));
    const remote: PointDecoder = { latentDim: 2, immediate: false, decode: () => undefined };
    render(
      <InterpolationPanel
        training={{ testSet: testSet(), latents: codes(), decoder: new Store<PointDecoder | null>(remote), decodeBatch, model }}
        point={point()}
        explore={exploreStore()}
        view={{ plane: axisPlane(2, 0, 1), axisNames: ['z1', 'z2'], key: 'z' }}
        side={28}
        active
      />,
    );
    await waitFor(() => expect(screen.getByTestId('interpolation').dataset.frames).toBe('10'));
    const [zs, count] = decodeBatch.mock.calls[0];
    expect(count).toBe(10);
    expect(Array.from(zs.subarray(0, 2))).toEqual([Math.fround(0.2), 1]);
  });
});
