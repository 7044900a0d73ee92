/**
 * Reconstructions: a strip of test digits (one of each class; "Another set" picks the next ones) with
 * their decodings at the posterior mean and from one sample of q(z|x), and each digit's −ELBO. Encoded
 * in the worker, again whenever new weights arrive (at most about twice a second) while the tab is
 * open. A click on a digit moves the latent point to its posterior mean.
 */
import { useEffect, useMemo, useState } from 'react';
import type { Encoded, TestSet, Training } from '../hooks/useTraining';
import type { LatentPoint, Store } from '../state/store';
import { DigitImage } from './DigitImage';
import { patchExplore, type ExploreState } from './explore-state';
import { refresher } from './refresher';

/** Props of `ReconstructionsPanel`. */
export interface ReconstructionsPanelProps {
  training: Pick<Training, 'encode' | 'testSet' | 'model' | 'decoder'>;
  point: Store<LatentPoint>;
  explore: Store<ExploreState>;
  side: number;
  /** True while the tab is open: only then does it ask the worker for anything. */
  active: boolean;
}

/** Digits in a strip. */
export const STRIP_SIZE = 10;
/** Samples of z behind each digit's reconstruction term. */
const ELBO_SAMPLES = 8;
/** Least time between two refreshes while training, ms. */
const REFRESH_MS = 500;

/**
 * The test indices of strip number `set`: the set-th example of each of the first ten classes (in label
 * order), so every strip shows varied digits; classes with fewer examples wrap around.
 */
export function stripIndices(labels: ArrayLike<number>, count: number, set: number, size = STRIP_SIZE): number[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  if (classes.length === 0) return [];
  const out: number[] = [];
  for (let k = 0; out.length < Math.min(size, count); k++) {
    const list = byClass.get(classes[k % classes.length])!;
    const round = Math.floor(k / classes.length);
    out.push(list[(set * Math.ceil(size / classes.length) + round) % list.length]);
  }
  return out;
}

/** The strip's images as intensities in [0, 1], [n, side*side]. */
function stripImages(testSet: TestSet, indices: readonly number[]): Float32Array {
  const px = testSet.side * testSet.side;
  const out = new Float32Array(indices.length * px);
  indices.forEach((index, n) => {
    for (let i = 0; i < px; i++) out[n * px + i] = testSet.images[index * px + i] / 255;
  });
  return out;
}

/** The reconstructions panel, strip `data-testid="reconstructions"`. */
export function ReconstructionsPanel({ training, point, explore, side, active }: ReconstructionsPanelProps) {
  const { testSet, encode, decoder } = training;
  const hasEncoder = training.model?.hasEncoder ?? true;
  const [set, setSet] = useState(0);
  const indices = useMemo(() => (testSet ? stripIndices(testSet.labels, testSet.count, set) : []), [testSet, set]);
  const [result, setResult] = useState<{ indices: number[]; reply: Encoded } | null>(null);

  useEffect(() => {
    if (!testSet || indices.length === 0 || !active || !hasEncoder) return undefined;
    const images = stripImages(testSet, indices);
    const loop = refresher(async () => {
      const reply = await encode(images, indices.length, 1000 + set, ELBO_SAMPLES);
      if (reply) setResult({ indices, reply });
    }, REFRESH_MS);
    loop.trigger();
    const off = decoder.subscribe(() => loop.trigger()); // new weights: encode the strip again
    return () => {
      off();
      loop.stop();
    };
  }, [testSet, indices, encode, set, active, hasEncoder, decoder]);

  const px = side * side;
  const shown = result && result.indices === indices ? result : null;
  const zDim = shown?.reply.latentDim ?? 0;
  const moveTo = (n: number, eventTime: number) => {
    if (!shown) return;
    const z = Array.from(shown.reply.means.subarray(n * zDim, (n + 1) * zDim));
    point.set({ z, source: 'explore', eventTime });
    patchExplore(explore, { digit: { index: indices[n], z } });
  };

  return (
    <>
      <div className="panel-header">
        <h2>Reconstructions</h2>
        <span className="panel-sub">
          test digits, encoded and decoded again{shown ? ` (weights of step ${shown.reply.step})` : ''}; click one to move z to its posterior mean
        </span>
        <button type="button" className="small-button" onClick={() => setSet((s) => s + 1)} disabled={!testSet} title="Show other test digits">
          Another set
        </button>
      </div>
      {!hasEncoder ? (
        <p className="panel-note">This model is a decoder alone, so test digits cannot be encoded (that needs an encoder).</p>
      ) : !testSet ? (
        <p className="panel-note">Loading the test digits…</p>
      ) : (
        <div className="recon-scroll">
          <div className="recon-grid" data-testid="reconstructions" data-step={shown?.reply.step ?? ''} data-count={indices.length} style={{ gridTemplateColumns: `auto repeat(${indices.length}, minmax(32px, 1fr))` }}>
            <span className="recon-row-name">test digit</span>
            {indices.map((index, n) => (
              <button key={`x${index}`} type="button" className="recon-cell" onClick={(e) => moveTo(n, e.timeStamp)} disabled={!shown} title={`Test digit #${index}, a ${testSet.labels[index]}: move z to its posterior mean`}>
                <DigitImage pixels={testSet.images} bytes offset={index * px} side={side} label={`Test digit ${testSet.labels[index]}, number ${index}`} />
              </button>
            ))}
            <span className="recon-row-name">at the mean μ</span>
            {indices.map((index, n) => (
              <DigitImage key={`m${index}`} pixels={shown ? shown.reply.atMean : null} offset={n * px} side={side} label={`Reconstruction of test digit ${index} at its posterior mean`} />
            ))}
            <span className="recon-row-name">a sample z ~ q(z|x)</span>
            {indices.map((index, n) => (
              <DigitImage key={`s${index}`} pixels={shown ? shown.reply.atSample : null} offset={n * px} side={side} label={`Reconstruction of test digit ${index} from one sample of its posterior`} />
            ))}
            <span className="recon-row-name">−ELBO, nats</span>
            {indices.map((index, n) => {
              const value = shown ? shown.reply.reconstruction[n] + shown.reply.kl[n] : NaN;
              return (
                <span key={`e${index}`} className="recon-elbo">
                  {Number.isFinite(value) ? value.toFixed(0) : '—'}
                </span>
              );
            })}
          </div>
        </div>
      )}
    </>
  );
}
