// @vitest-environment happy-dom
/**
 * The weights panel with the one-file save: the .zip the worker hands over is downloaded as it is and
 * kept in browser storage as it is, its description read from the manifest inside it, and opening it
 * from storage hands the worker that .zip as the entry (the worker unpacks it).
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryModelStore } from '../../src/app/weights/model-store';
import { WeightsPanel } from '../../src/app/weights/WeightsPanel';
import { writeArchive } from '../../src/core/io/archive';
import { makeConfig } from '../../src/core/model/config';
import { modelInfo } from './support/fake-worker';

afterEach(cleanup);

const info = modelInfo();

const utf8 = (text: string) => new TextEncoder().encode(text);
const zip = writeArchive(
  [
    { name: 'vae.json', bytes: utf8('{"format":"vae-playground","training":{"testElbo":-138.25}}') },
    { name: 'decoder/model.json', bytes: utf8('{}') },
    { name: 'decoder/weights.bin', bytes: new Uint8Array(16) },
  ],
  'mnist-2d',
);

function fakeTraining() {
  return {
    model: info,
    status: { generation: 1, training: false, step: 0, epoch: 0, epochProgress: 0, stepsPerEpoch: 469, examplesPerSecond: 0 },
    phase: 'ready' as const,
    loadProgress: null,
    load: vi.fn(async () => ({ info })),
    cancelLoad: vi.fn(),
    save: vi.fn(async (name: string) => [{ name: `${name}.zip`, bytes: zip }]),
    showError: vi.fn(),
  };
}

describe('WeightsPanel with one .zip', () => {
  it('downloads the one .zip and says how to open it again', async () => {
    const training = fakeTraining();
    const download = vi.fn(async () => undefined);
    render(<WeightsPanel training={training} config={() => makeConfig()} store={memoryModelStore()} download={download} />);
    expect(screen.getByTestId('save-weights').textContent).toBe('Save .zip');
    fireEvent.click(screen.getByTestId('save-weights'));
    await waitFor(() => expect(screen.getByText('Saved mnist-2d.zip. To open it again, choose it with Open files… or drop it on the page.')).toBeTruthy());
    expect(download).toHaveBeenCalledWith([{ name: 'mnist-2d.zip', bytes: zip }]);
    expect((screen.getByTestId('weights-files') as HTMLInputElement).accept).toContain('.zip');
  });

  it('keeps the .zip in browser storage, described from the manifest inside, and opens it with the .zip as entry', async () => {
    const training = fakeTraining();
    const store = memoryModelStore();
    render(<WeightsPanel training={training} config={() => makeConfig()} store={store} />);
    fireEvent.change(screen.getByLabelText('Name in browser storage'), { target: { value: 'kept' } });
    fireEvent.click(screen.getByTestId('store-weights'));
    await waitFor(() => expect(screen.getByRole('list', { name: 'Models saved in this browser' }).textContent).toContain('kept'));
    const record = await store.get('kept');
    expect(record).toMatchObject({ entry: 'kept.zip', bytes: zip.byteLength, description: '2-D latent, test loss 138.25' });
    expect(record?.files.map((f) => [f.name, f.bytes.byteLength])).toEqual([['kept.zip', zip.byteLength]]);
    fireEvent.click(screen.getByLabelText('Open kept'));
    await waitFor(() => expect(training.load).toHaveBeenCalledTimes(1));
    expect(training.load).toHaveBeenCalledWith(expect.objectContaining({ kind: 'files', entry: 'kept.zip' }), expect.anything(), 'mnist-2d');
  });
});
