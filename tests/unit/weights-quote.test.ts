/**
 * Text from a file on its way into a message (issue 14): cut to a sensible length, whole characters
 * only, control and direction-override characters shown as escapes; manifests and weight files with
 * huge fields give short messages.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { disposeLoaded, loadModelFromSource, memorySource } from '../../src/core/io/load';
import { parseManifest, WeightsError } from '../../src/core/io/manifest';
import { capMessage, MESSAGE_MAX, quoteFromFile, showLocation, textFromFile } from '../../src/core/io/quote';

const huge = 'n'.repeat(10_000_000);

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(WeightsError);
    return (err as Error).message;
  }
  throw new Error('expected a WeightsError');
}

describe('quoteFromFile, textFromFile, showLocation, capMessage', () => {
  it('leave short text as it is, quoted or not', () => {
    expect(quoteFromFile('dense_1')).toBe('"dense_1"');
    expect(textFromFile('dense_1')).toBe('dense_1');
    expect(quoteFromFile('say "hi"')).toBe('"say \\"hi\\""');
    expect(showLocation('decoder/model.json')).toBe('decoder/model.json');
    expect(capMessage('A plain sentence.')).toBe('A plain sentence.');
  });

  it('cut a 10-million-character name to the length asked for, ending in an ellipsis', () => {
    const quoted = quoteFromFile(huge, 40);
    expect(quoted).toBe(`"${'n'.repeat(39)}…"`);
    expect(textFromFile(huge).length).toBeLessThanOrEqual(60);
    expect(capMessage(huge).length).toBe(MESSAGE_MAX);
  });

  it('never split a character made of two UTF-16 units', () => {
    const emoji = '😀'.repeat(100);
    const cut = textFromFile(emoji, 10);
    expect(Array.from(cut)).toEqual([...Array(9).fill('😀'), '…']);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('show control characters and direction overrides as escapes', () => {
    expect(quoteFromFile('a\nb\u202ec\u0000')).toBe('"a\\u000ab\\u202ec\\u0000"');
    expect(showLocation('x\u2066y')).toBe('x\\u2066y');
  });

  it('write other values as short JSON', () => {
    expect(quoteFromFile(3)).toBe('3');
    expect(quoteFromFile([1, 'a'])).toBe('[1,"a"]');
    expect(quoteFromFile({ a: huge }, 20)).toBe('{"a":"nnnnnnnnnnnnn…');
    expect(quoteFromFile(undefined)).toBe('undefined');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(quoteFromFile(cyclic)).toBe('[object Object]');
  });

  it('keep the start and the end of a long location', () => {
    const location = `https://example.org/${'a'.repeat(5000)}/decoder/model.json`;
    const shown = showLocation(location, 60);
    expect(shown.length).toBe(60);
    expect(shown.startsWith('https://example.org/')).toBe(true);
    expect(shown.endsWith('/decoder/model.json')).toBe(true);
    expect(shown).toContain('…');
  });
});

describe('huge fields in a manifest or a model.json give short messages', () => {
  const GOOD = {
    format: 'vae-playground', version: 1, latentDim: 2, image: [28, 28, 1], likelihood: 'bernoulli', decoderOutput: 'logits',
    encoder: 'encoder/model.json', decoder: 'decoder/model.json', dataset: 'mnist', classes: 10, conditional: false,
    training: { epochs: 1, testElbo: -150 },
  };

  it('manifest fields and the manifest location', () => {
    const messages = [
      errorOf(() => parseManifest({ ...GOOD, dataset: huge }, 'vae.json')),
      errorOf(() => parseManifest({ ...GOOD, encoder: huge, decoder: huge, likelihood: huge }, 'vae.json')),
      errorOf(() => parseManifest({ ...GOOD, format: huge }, 'vae.json')),
      errorOf(() => parseManifest({ ...GOOD, version: 2 }, `https://example.org/${huge}/vae.json`)),
      errorOf(() => parseManifest({ ...GOOD, training: { epochs: 1, testElbo: -1, command: huge } }, 'vae.json')),
    ];
    expect(messages[0]).toMatch(/^vae\.json has invalid fields: dataset must be a short name such as "mnist" \(it is "n+…"\)\.$/);
    expect(messages[3]).toMatch(/^https:\/\/example\.org\/n+…n+\/vae\.json: version 2 is newer/);
    for (const message of messages) expect(message.length).toBeLessThan(400);
  });

  it('a weight name of 10 MB in model.json', async () => {
    const z = tf.input({ shape: [2], name: 'z' });
    const decoder = tf.model({ inputs: z, outputs: tf.layers.dense({ units: 784, name: 'out' }).apply(z) as tf.SymbolicTensor });
    let json = '';
    let weights = new Uint8Array();
    await decoder.save(tf.io.withSaveHandler(async (artifacts) => {
      const specs = (artifacts.weightSpecs ?? []).map((s, i) => (i === 0 ? { ...s, name: huge } : s));
      json = JSON.stringify({ modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] });
      weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }));
    decoder.dispose();
    const tensors = tf.memory().numTensors;
    const source = memorySource(new Map([['model.json', new TextEncoder().encode(json)], ['weights.bin', weights]]));
    const err = await loadModelFromSource(source, 'model.json').then((loaded) => {
      disposeLoaded(loaded);
      return new Error('expected the load to fail');
    }, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(WeightsError);
    expect(err.message).toMatch(/^The decoder's weights in model\.json include n+…, which no layer of the model has\.$/);
    expect(err.message.length).toBeLessThan(300);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('a weights path of 10 MB that is not among the chosen files', async () => {
    // A well-formed topology, so the load gets as far as reading the weights (a malformed one is refused before any download).
    const topology = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 1, batch_input_shape: [null, 2] } }] } };
    const json = { modelTopology: topology, weightsManifest: [{ paths: [huge], weights: [] }] };
    const source = memorySource(new Map([['model.json', new TextEncoder().encode(JSON.stringify(json))]]));
    const err = await loadModelFromSource(source, 'model.json').then(() => new Error('expected the load to fail'), (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(WeightsError);
    expect(err.message).toMatch(/^The file n+…n+ is missing from the chosen files\.$/);
    expect(err.message.length).toBeLessThan(200);
  });
});
