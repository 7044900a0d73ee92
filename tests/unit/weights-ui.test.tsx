// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeConfig } from '../../src/core/model/config';
import { findEntry, sourceFromPicked, withoutCopyNumber, type PickedFile } from '../../src/app/weights/picked-files';
import { memoryModelStore } from '../../src/app/weights/model-store';
import { freeName, hostWithoutScheme, ModelInfoLine, WeightsPanel } from '../../src/app/weights/WeightsPanel';
import { addressModel, startModels } from '../../src/app/weights/bundled';
import { parseSettings } from '../../src/app/state/settings';
import { TrainingClient, type WorkerPort } from '../../src/worker/client';
import type { ModelInfo, WorkerEvent, WorkerRequest } from '../../src/worker/protocol';

vi.mock('../../src/app/Plot', () => ({
  Plot: ({ testId, ariaLabel }: { testId?: string; ariaLabel?: string }) => <div data-testid={testId} aria-label={ariaLabel} />,
}));
const { App } = await import('../../src/app/App');

afterEach(cleanup);

const info = (over: Partial<ModelInfo> = {}): ModelInfo => ({
  generation: 1,
  origin: 'the bundled model',
  url: null,
  latentDim: 2,
  hidden: [512, 256],
  likelihood: 'bernoulli',
  trainable: true,
  notTrainable: null,
  hasEncoder: true,
  decodeInWorker: false,
  training: { epochs: 30, testElbo: -140.35, testReconstruction: 133.57, testKl: 6.78, command: 'npm run train -- --epochs 30' },
  dataset: 'mnist',
  ...over,
});

const file = (name: string, text: string, webkitRelativePath = ''): PickedFile & { read: number } => {
  const f = { name, size: text.length, webkitRelativePath, read: 0, arrayBuffer: async () => (f.read++, new TextEncoder().encode(text).buffer as ArrayBuffer) };
  return f;
};

describe('picked files', () => {
  it('finds the manifest, tolerates renamed downloads, keeps folder paths', async () => {
    expect(withoutCopyNumber('m.encoder.weights (2).bin')).toBe('m.encoder.weights.bin');
    expect(findEntry(['m.encoder.json', 'm.vae (1).json', 'm.decoder.json'])).toBe('m.vae (1).json');
    expect(findEntry(['model.json', 'weights.bin'])).toBe('model.json');
    expect(() => findEntry(['a.vae.json', 'b.vae.json'])).toThrow(/Several manifests were chosen/);
    expect(() => findEntry(['a.json', 'b.json'])).toThrow(/Choose the model's manifest/);

    const source = await sourceFromPicked([file('vae.json', '{}', 'mnist-2d/vae.json'), file('model.json', '{}', 'mnist-2d/encoder/model.json'), file('weights.bin', 'x', 'mnist-2d/encoder/weights.bin')]);
    expect(source).toMatchObject({ kind: 'files', entry: 'vae.json' });
    expect(source.kind === 'files' && source.files.map((f) => f.name)).toEqual(['vae.json', 'encoder/model.json', 'encoder/weights.bin']);

    const renamed = await sourceFromPicked([file('m.vae (1).json', '{}'), file('m.decoder (1).json', '{}')]);
    expect(renamed.kind === 'files' && renamed.files.map((f) => f.name)).toEqual(['m.vae (1).json', 'm.decoder (1).json', 'm.vae.json', 'm.decoder.json']);
  });

  it('refuses a file over the size limit before reading anything', async () => {
    const big = { ...file('m.decoder.weights.bin', ''), size: 250 * 1024 * 1024 };
    const small = file('m.vae.json', '{}');
    await expect(sourceFromPicked([small, big])).rejects.toThrow('m.decoder.weights.bin is 250.0 MB, more than the 200.0 MB this app accepts.');
    expect(small.read).toBe(0);
  });
});

describe('which model the app opens with', () => {
  it('the bundled model for its architecture, fresh weights for other architectures; ?model= after, in the background', () => {
    const base = 'http://localhost:5173/';
    const bundled = { kind: 'url', url: 'http://localhost:5173/models/mnist-2d/vae.json', label: 'the bundled model' };
    expect(startModels(parseSettings('').settings, base)).toEqual([bundled]);
    expect(addressModel(parseSettings('').settings, base)).toBeNull();
    expect(startModels(parseSettings('?model=https://x.org/vae.json').settings, base)).toEqual([bundled]);
    expect(addressModel(parseSettings('?model=https://x.org/vae.json').settings, base)).toEqual({ kind: 'url', url: 'https://x.org/vae.json' });
    expect(startModels(parseSettings('?latent=3').settings, base)).toEqual([]);
    expect(startModels(parseSettings('?hidden=400&model=/m/vae.json').settings, base)).toEqual([]);
    expect(addressModel(parseSettings('?hidden=400&model=/m/vae.json').settings, base)).toEqual({ kind: 'url', url: 'http://localhost:5173/m/vae.json' });
  });
});

/** A fake Training for the panel. */
function fakeTraining(over: Partial<Parameters<typeof WeightsPanel>[0]['training']> = {}) {
  return {
    model: info(),
    status: { generation: 1, training: false, step: 0, epoch: 0, epochProgress: 0, stepsPerEpoch: 469, examplesPerSecond: 0 },
    phase: 'ready' as const,
    loadProgress: null,
    load: vi.fn(async () => ({ info: info({ origin: 'http://models.example/vae.json' }) })),
    cancelLoad: vi.fn(),
    save: vi.fn(async (name: string) => [{ name: `${name}.vae.json`, bytes: new TextEncoder().encode('{"training":{"testElbo":-141.5}}') }, { name: `${name}.encoder.json`, bytes: new Uint8Array(3) }]),
    showError: vi.fn(),
    ...over,
  };
}

describe('WeightsPanel', () => {
  it('loads from the URL field, refusing empty and non-http addresses in plain words', async () => {
    const training = fakeTraining();
    render(<WeightsPanel training={training} config={() => makeConfig()} store={memoryModelStore()} />);
    fireEvent.click(screen.getByTestId('load-weights'));
    await waitFor(() => expect(training.showError).toHaveBeenLastCalledWith(expect.stringMatching(/Type the address of a model manifest/)));
    fireEvent.change(screen.getByLabelText('Weights URL'), { target: { value: 'javascript:alert(1)' } });
    fireEvent.click(screen.getByTestId('load-weights'));
    await waitFor(() => expect(training.showError).toHaveBeenLastCalledWith('Only http and https addresses can be loaded.'));
    fireEvent.change(screen.getByLabelText('Weights URL'), { target: { value: 'not a url' } });
    fireEvent.click(screen.getByTestId('load-weights'));
    await waitFor(() => expect(training.showError).toHaveBeenLastCalledWith(expect.stringMatching(/^"not a url" is not a web address; type one such as https:/)));
    expect(training.load).not.toHaveBeenCalled(); // was fetched as http://host/not%20a%20url/vae.json, "an HTML page"
    fireEvent.change(screen.getByTestId('weights-url'), { target: { value: 'http://models.example/vae.json' } });
    fireEvent.click(screen.getByTestId('load-weights'));
    await waitFor(() => expect(screen.getByText('Loaded http://models.example/vae.json.')).toBeTruthy());
    expect(training.load).toHaveBeenCalledWith({ kind: 'url', url: 'http://models.example/vae.json' }, expect.objectContaining({ latentDim: 2 }), 'mnist-2d');
    expect(training.showError).toHaveBeenLastCalledWith(null);
  });

  it('saves as downloads, and in browser storage under a name it can open and delete again', async () => {
    const training = fakeTraining();
    const download = vi.fn(async () => undefined);
    const store = memoryModelStore();
    render(<WeightsPanel training={training} config={() => makeConfig()} store={store} download={download} />);
    fireEvent.click(screen.getByTestId('save-weights'));
    await waitFor(() => expect(download).toHaveBeenCalledTimes(1));
    expect(training.save).toHaveBeenLastCalledWith('mnist-2d');

    fireEvent.change(screen.getByLabelText('Name in browser storage'), { target: { value: 'my <b>best</b>' } });
    fireEvent.click(screen.getByTestId('store-weights'));
    await waitFor(() => expect(screen.getByRole('list', { name: 'Models saved in this browser' }).textContent).toContain('my <b>best</b>'));
    expect((await store.get('my <b>best</b>'))?.description).toBe('2-D latent, test loss 141.50');
    fireEvent.click(screen.getByLabelText('Open my <b>best</b>'));
    await waitFor(() => expect(training.load).toHaveBeenCalledTimes(1));
    expect(training.load).toHaveBeenCalledWith(expect.objectContaining({ kind: 'files', entry: 'my <b>best</b>.vae.json' }), expect.anything(), 'mnist-2d');
    const nameField = screen.getByLabelText('Name in browser storage') as HTMLInputElement;
    await waitFor(() => expect(nameField.placeholder).toBe('my <b>best</b>')); // saving in the browser again updates the save it came from
    fireEvent.click(screen.getByLabelText('Delete my <b>best</b>'));
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Models saved in this browser' })).toBeNull());
  });

  it('keeps a model trained here that a load replaced in browser storage, under a free name, and says so', async () => {
    const kept = { files: [{ name: 'mnist-2d-step120.zip', bytes: new Uint8Array([1, 2, 3]) }], steps: 120, latentDim: 2 };
    const training = fakeTraining({ load: vi.fn(async () => ({ info: info({ origin: 'http://models.example/vae.json' }), kept })) });
    const store = memoryModelStore();
    await store.put({ name: 'mnist-2d-step120', savedAt: new Date().toISOString(), bytes: 1, description: 'taken', entry: 'a.zip', files: [] });
    render(<WeightsPanel training={training} config={() => makeConfig()} store={store} />);
    fireEvent.change(screen.getByTestId('weights-url'), { target: { value: 'http://models.example/vae.json' } });
    fireEvent.click(screen.getByTestId('load-weights'));
    await waitFor(() =>
      expect(screen.getByText('Loaded http://models.example/vae.json. The model it replaced (120 training steps here) is kept in this browser as "mnist-2d-step120 (2)"; its Open button brings it back.')).toBeTruthy(),
    );
    const record = await store.get('mnist-2d-step120 (2)');
    expect(record?.entry).toBe('mnist-2d-step120.zip');
    expect(new Uint8Array(record!.files[0].bytes)).toEqual(new Uint8Array([1, 2, 3]));
    expect((await store.get('mnist-2d-step120'))?.description).toBe('taken'); // the older save is not replaced
    expect(screen.getByLabelText('Open mnist-2d-step120 (2)')).toBeTruthy();
  });

  it("keeps a model trained here that the address's ?model= replaced when it arrived", async () => {
    const kept = { files: [{ name: 'trained-here-step40.zip', bytes: new Uint8Array([4, 2]) }], steps: 40, latentDim: 2 };
    const clearReplaced = vi.fn();
    const store = memoryModelStore();
    const training = { ...fakeTraining(), replaced: { info: info({ origin: 'http://models.example/vae.json' }), kept }, clearReplaced };
    render(<WeightsPanel training={training} config={() => makeConfig()} store={store} />);
    await waitFor(() => expect(screen.getByText(/^Loaded http:\/\/models\.example\/vae\.json\. The model it replaced \(40 training steps here\) is kept in this browser as "trained-here-step40"/)).toBeTruthy());
    expect(clearReplaced).toHaveBeenCalledTimes(1);
    expect((await store.get('trained-here-step40'))?.entry).toBe('trained-here-step40.zip');
  });

  it('downloads the replaced model when browser storage refuses it', async () => {
    const kept = { files: [{ name: 'mnist-2d-step7.zip', bytes: new Uint8Array([9]) }], steps: 7, latentDim: 2 };
    const training = fakeTraining({ load: vi.fn(async () => ({ info: info({ origin: 'http://models.example/vae.json' }), kept })) });
    const store = { ...memoryModelStore(), put: async () => Promise.reject(new Error('The storage quota is used up.')) };
    const download = vi.fn(async () => undefined);
    render(<WeightsPanel training={training} config={() => makeConfig()} store={store} download={download} />);
    fireEvent.change(screen.getByTestId('weights-url'), { target: { value: 'http://models.example/vae.json' } });
    fireEvent.click(screen.getByTestId('load-weights'));
    await waitFor(() => expect(download).toHaveBeenCalledWith(kept.files));
    expect(screen.getByText(/could not be kept in this browser \(The storage quota is used up\), so it was downloaded as mnist-2d-step7\.zip\./)).toBeTruthy();
  });

  it('says when a save in browser storage replaces one of the same name', async () => {
    const training = fakeTraining();
    render(<WeightsPanel training={training} config={() => makeConfig()} store={memoryModelStore()} />);
    fireEvent.change(screen.getByLabelText('Name in browser storage'), { target: { value: 'mine' } });
    fireEvent.click(screen.getByTestId('store-weights'));
    await waitFor(() => expect(screen.getByText('Saved "mine" in this browser.')).toBeTruthy());
    fireEvent.click(screen.getByTestId('store-weights'));
    await waitFor(() => expect(screen.getByText('Replaced "mine" in this browser.')).toBeTruthy());
  });

  it('names a model without a dataset of its own after the dataset it trains on', () => {
    const fresh = info({ origin: 'fresh random weights', dataset: null, training: null });
    const testSet = { labels: new Uint8Array(0), images: new Uint8Array(0), side: 28, count: 0, datasetName: 'fashion-mnist' };
    render(<WeightsPanel training={{ ...fakeTraining({ model: fresh }), testSet }} config={() => makeConfig()} store={memoryModelStore()} />);
    expect((screen.getByLabelText('Name in browser storage') as HTMLInputElement).placeholder).toBe('fashion-mnist-2d');
  });

  it("names a save by the model's steps from its first: the file's and those trained here", () => {
    const bundled = info({ training: { epochs: 50, steps: 23_450, testElbo: -138.85 } });
    const status = { generation: 1, training: false, step: 348, epoch: 0, epochProgress: 0.7, stepsPerEpoch: 469, examplesPerSecond: 0 };
    render(<WeightsPanel training={{ ...fakeTraining({ model: bundled }), status }} config={() => makeConfig()} store={memoryModelStore()} />);
    expect((screen.getByLabelText('Name in browser storage') as HTMLInputElement).placeholder).toBe('mnist-2d-step23798'); // was -step348
  });

  it('an address typed without http(s):// is named with the one meant, not fetched as a path on this site', async () => {
    expect(hostWithoutScheme('www.example.com/vae.json')).toBe('https://www.example.com/vae.json');
    expect(hostWithoutScheme('localhost:4180/models/mnist-2d/vae.json')).toBe('http://localhost:4180/models/mnist-2d/vae.json');
    expect(hostWithoutScheme('127.0.0.1:8000/vae.json')).toBe('http://127.0.0.1:8000/vae.json');
    expect(hostWithoutScheme('huggingface.co/user/vae/resolve/main/vae.json')).toBe('https://huggingface.co/user/vae/resolve/main/vae.json');
    // Paths on this site stay paths.
    for (const path of ['vae.json', 'models/mnist-2d/vae.json', '/models/mnist-2d/vae.json', './vae.json', 'mnist-2d.v2/vae.json']) expect(hostWithoutScheme(path), path).toBeNull();
    const training = fakeTraining();
    render(<WeightsPanel training={training} config={() => makeConfig()} store={memoryModelStore()} />);
    fireEvent.change(screen.getByLabelText('Weights URL'), { target: { value: 'www.example.com/vae.json' } });
    fireEvent.click(screen.getByTestId('load-weights'));
    await waitFor(() => expect(training.showError).toHaveBeenLastCalledWith('"www.example.com/vae.json" has no http:// or https:// in front; did you mean https://www.example.com/vae.json?'));
    expect(training.load).not.toHaveBeenCalled();
  });

  it('freeName numbers a taken name', () => {
    expect(freeName('a', [])).toBe('a');
    expect(freeName('a', [{ name: 'a' }, { name: 'a (2)' }, { name: 'b' }])).toBe('a (3)');
  });

  it('shows where the model came from and its test loss; text from a manifest stays text', () => {
    const { container } = render(<ModelInfoLine model={info({ origin: '<img src=x onerror=alert(1)>', dataset: '<script>x</script>' })} steps={12} />);
    expect(container.querySelector('img, script')).toBeNull();
    expect(container.textContent).toBe('Model: <img src=x onerror=alert(1)> — <script>x</script>, 30 epochs, test loss 140.35 nats per digit (+ 12 steps trained here)');
    expect(container.querySelector('p')?.getAttribute('title')).toBe('Trained with: npm run train -- --epochs 30');
  });

  it('says how long a save was trained: its steps when it ran less than one epoch', () => {
    const line = (training: ModelInfo['training']) => render(<ModelInfoLine model={info({ origin: 'my save', training })} steps={0} />).container.textContent;
    expect(line({ epochs: 0, steps: 1234, testElbo: -180.5 })).toBe('Model: my save — mnist, 1,234 steps, test loss 180.50 nats per digit');
    expect(line({ epochs: 2, steps: 1000 })).toBe('Model: my save — mnist, 2 epochs (1,000 steps)'); // a save trained on past its epochs shows it
    expect(line({ epochs: 1 })).toBe('Model: my save — mnist, 1 epoch');
    expect(line({ epochs: 0 })).toBe('Model: my save — mnist, 0 epochs');
  });
});

/** A worker stand-in: records requests, lets the test emit events. */
function fakeWorker() {
  const sent: WorkerRequest[] = [];
  const listeners = new Set<(e: MessageEvent<WorkerEvent>) => void>();
  const port: WorkerPort = {
    postMessage: (m) => sent.push(m),
    addEventListener: (type, l) => type === 'message' && listeners.add(l),
    removeEventListener: (_t, l) => listeners.delete(l),
    terminate: () => undefined,
  };
  const emit = (event: WorkerEvent) => act(() => listeners.forEach((l) => l({ data: event } as MessageEvent<WorkerEvent>)));
  const last = <T extends WorkerRequest['type']>(type: T) => sent.filter((r): r is Extract<WorkerRequest, { type: T }> => r.type === type).at(-1);
  return { port, sent, emit, last };
}

function ready(w: ReturnType<typeof fakeWorker>) {
  w.emit({ type: 'ready', id: w.last('init')!.id, backend: 'wasm', backendLabel: 'wasm', datasetName: 'mnist', trainCount: 60000, testCount: 1, imageShape: [28, 28, 1], testLabels: new Uint8Array(1), testImages: new Uint8Array(784) });
}

describe('TrainingClient and loads', () => {
  it('switches to a loaded model only when it arrives; a failed load keeps the current one', async () => {
    const w = fakeWorker();
    const client = new TrainingClient(w.port);
    const seen: WorkerEvent[] = [];
    client.subscribe((e) => seen.push(e));
    void client.request({ type: 'init', dataUrl: '/d/', backend: 'auto', config: makeConfig(), generation: 1, view: { n: 2, a1: [1, 0], a2: [0, 1], base: [0, 0] } });
    const status = (generation: number) => ({ type: 'status' as const, status: { generation, training: false, step: 0, epoch: 0, epochProgress: 0, stepsPerEpoch: 1, examplesPerSecond: 0 } });
    const bad = client.request({ type: 'load', source: { kind: 'url', url: 'http://x/vae.json' }, config: makeConfig(), generation: client.nextGeneration() });
    expect(w.last('load')!.generation).toBe(2);
    expect(client.nextGeneration()).toBe(3); // a reset now must not reuse the pending load's number
    w.emit({ type: 'load-progress', id: w.last('load')!.id, fraction: 0.3 });
    w.emit({ type: 'error', id: w.last('load')!.id, message: 'Could not load http://x/vae.json: the server answered 404 Not Found.' });
    await expect(bad).rejects.toThrow(/404 Not Found/);
    w.emit(status(1)); // the current model's events still arrive
    expect(client.generation).toBe(1);

    const good = client.request({ type: 'load', source: { kind: 'url', url: 'http://x/good.json' }, config: makeConfig(), generation: client.nextGeneration() });
    w.emit(status(1));
    w.emit({ type: 'model', id: w.last('load')!.id, info: info({ generation: 3 }) });
    await expect(good).resolves.toMatchObject({ type: 'model', info: { generation: 3 } });
    w.emit(status(1)); // the replaced model's: dropped
    w.emit(status(3));
    expect(client.generation).toBe(3);
    expect(seen.filter((e) => e.type === 'status').map((e) => (e as ReturnType<typeof status>).status.generation)).toEqual([1, 1, 3]);
    expect(seen.map((e) => e.type)).toContain('load-progress');
  });
});

describe('App with weights', () => {
  it('opens with the bundled model, and keeps it (and shows why) when a load fails', async () => {
    const w = fakeWorker();
    render(<App search="" createPort={() => w.port} />);
    expect(w.last('init')!.models).toEqual([{ kind: 'url', url: expect.stringMatching(/\/models\/mnist-2d\/vae\.json$/), label: 'the bundled model' }]);
    w.emit({ type: 'model', id: null, info: info() });
    ready(w);
    expect(screen.getByTestId('model-info').textContent).toMatch(/the bundled model — mnist, 30 epochs, test loss 140\.35/);
    fireEvent.change(screen.getByTestId('weights-url'), { target: { value: 'http://127.0.0.1:9/vae.json' } });
    fireEvent.click(screen.getByTestId('load-weights'));
    await waitFor(() => expect(w.last('load')).toBeTruthy());
    const load = w.last('load')!;
    expect(load).toMatchObject({ source: { kind: 'url', url: 'http://127.0.0.1:9/vae.json' }, generation: 2 });
    w.emit({ type: 'load-progress', id: load.id, fraction: 0.5 });
    expect((screen.getByLabelText('weights download') as HTMLProgressElement).value).toBe(0.5);
    w.emit({ type: 'error', id: load.id, message: 'Could not reach http://127.0.0.1:9/vae.json; the server may be down or may not allow cross-origin requests.' });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/may not allow cross-origin requests/));
    expect(screen.getByTestId('model-info').textContent).toMatch(/the bundled model/);
    expect((screen.getByTestId('train-toggle') as HTMLButtonElement).disabled).toBe(false);
  });

  it('explores a foreign model: training disabled with the reason, its URL in the address, an empty scatter explained', async () => {
    const w = fakeWorker();
    const replace = vi.spyOn(window.history, 'replaceState');
    render(<App search="?latent=3" createPort={() => w.port} />);
    expect(w.last('init')!.models).toEqual([]);
    w.emit({ type: 'model', id: null, info: info({ origin: 'fresh random weights', training: null, latentDim: 3, hidden: [512, 256] }) });
    ready(w);
    const keras = info({ generation: 2, origin: 'http://other:8000/decoder/model.json', url: 'http://other:8000/decoder/model.json', latentDim: 2, hidden: null, trainable: false, hasEncoder: false, decodeInWorker: true, notTrainable: 'This model is a decoder alone, so it can be explored but not trained here.', training: null, dataset: null });
    w.emit({ type: 'model', id: null, info: keras });
    expect((screen.getByTestId('train-toggle') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('step-button') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('reset-button') as HTMLButtonElement).disabled).toBe(false);
    expect(screen.getByTestId('train-blocked').textContent).toMatch(/decoder alone, so it can be explored but not trained here/);
    expect(screen.getByTestId('latent-note').textContent).toMatch(/no encoder|decoder alone/);
    expect(screen.getAllByRole('slider')).toHaveLength(2);
    expect(String(replace.mock.calls.at(-1)?.[2])).toMatch(/[?&]latent=2(&|$)/);
    expect(String(replace.mock.calls.at(-1)?.[2])).toContain('model=http');
    // The decoded digit asks the worker, one point at a time: the newest waits while one is in flight.
    const first = w.last('decode')!;
    expect(first.z).toEqual([0, 0]);
    fireEvent.change(screen.getByLabelText('z1'), { target: { value: '0.5' } });
    fireEvent.change(screen.getByLabelText('z1'), { target: { value: '1' } });
    expect(w.last('decode')).toBe(first);
    w.emit({ type: 'decoded', id: first.id, generation: 2, pixels: new Float32Array(784).fill(0.5) });
    await waitFor(() => expect(w.last('decode')?.z).toEqual([1, 0]));
    expect(w.sent.filter((r) => r.type === 'decode')).toHaveLength(2);
  });
});
