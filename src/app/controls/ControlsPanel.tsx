/** The left column: training buttons and every setting, each labelled and explained in VAE terms. */
import type { ReactNode } from 'react';
import type { Likelihood } from '../../core/model/config';
import type { BackendChoice } from '../../worker/protocol';
import { SETTINGS_TABLE, type Projection, type Settings } from '../state/settings';
import { CommitField, SelectField } from './fields';

/** Props of `ControlsPanel`. */
export interface ControlsPanelProps {
  settings: Settings;
  /** Requests a change; the app decides whether to ask first. */
  onChange: (patch: Partial<Settings>) => void;
  /** Reports a value that does not parse. */
  onInvalid: (message: string) => void;
  training: boolean;
  ready: boolean;
  onTrainToggle: () => void;
  onStep: () => void;
  onReset: () => void;
  /** Why the current model cannot be trained (Train and Step are then disabled), or null. */
  trainBlocked?: string | null;
  /** The weights group, shown under the training buttons. */
  weights?: ReactNode;
}

const BATCH_SIZES = [16, 32, 64, 128, 256, 512, 1024];

/** Parses a field's text through the URL table, so the controls and the URL accept the same values. */
function parseFor<K extends keyof Settings>(key: K, text: string): Settings[K] | { problem: string } {
  return SETTINGS_TABLE[key].parse(text) as Settings[K] | { problem: string };
}

/** Training buttons and settings. */
export function ControlsPanel(props: ControlsPanelProps) {
  const { settings: s, onChange, onInvalid, training, ready, trainBlocked = null } = props;
  const canTrain = ready && trainBlocked === null;
  const commit = <K extends keyof Settings>(key: K) => (text: string) => {
    const parsed = parseFor(key, text);
    if (typeof parsed === 'object' && parsed !== null && 'problem' in parsed) onInvalid(`Not applied: ${parsed.problem}.`);
    else onChange({ [key]: parsed } as Partial<Settings>);
  };
  const batchOptions = [...new Set([...BATCH_SIZES, s.batch])].sort((a, b) => a - b);
  const dimOptions = Array.from({ length: s.latent }, (_, i) => ({ value: String(i), label: `z${i + 1}` }));
  return (
    <div className="controls-inner">
      <div className="buttons" role="group" aria-label="Training">
        <button
          type="button"
          className="primary"
          data-testid="train-toggle"
          disabled={!canTrain}
          onClick={props.onTrainToggle}
          title="Run Adam steps on random mini-batches of the 60,000 training digits, minimising the negative ELBO"
        >
          {training ? 'Pause' : 'Train'}
        </button>
        <button type="button" data-testid="step-button" disabled={!canTrain} onClick={props.onStep} title="Take exactly one training step on one mini-batch">
          Step
        </button>
        <button type="button" data-testid="reset-button" disabled={!ready} onClick={props.onReset} title="Start over with new random encoder and decoder weights">
          Reset
        </button>
      </div>
      {trainBlocked ? (
        <p className="hint train-blocked" data-testid="train-blocked">
          {trainBlocked} Reset starts a trainable model with fresh weights.
        </p>
      ) : null}
      {props.weights}

      <fieldset>
        <legend>Objective</legend>
        <CommitField
          label="β (KL weight)"
          tip="Weight of KL(q(z|x) ‖ N(0, I)) in the loss. 1 is the true ELBO; larger pulls codes toward the prior; 0 makes a plain autoencoder whose latent space loses its shape."
          type="number"
          step="0.1"
          min={0}
          inputMode="decimal"
          value={String(s.beta)}
          onCommit={commit('beta')}
          hint={s.beta === 0 ? 'β = 0: a plain autoencoder' : undefined}
        />
        <CommitField
          label="KL warm-up steps"
          tip="Ramp the KL weight from 0 up to β over this many steps, so the decoder learns to use z before the prior pulls codes together (0: no warm-up)."
          type="number"
          step="100"
          min={0}
          value={String(s.warmup)}
          onCommit={commit('warmup')}
        />
        <SelectField<Likelihood>
          label="Likelihood p(x|z)"
          tip="How the decoder scores a reconstruction: Bernoulli (binary cross-entropy per pixel) or Gaussian with fixed variance σ² (squared error / 2σ²). Changing it needs new weights."
          value={s.likelihood}
          options={[
            { value: 'bernoulli', label: 'Bernoulli' },
            { value: 'gaussian', label: 'Gaussian' },
          ]}
          onChange={(likelihood) => onChange({ likelihood })}
        />
        <CommitField
          label="Gaussian σ²"
          tip="Variance of the Gaussian decoder. Small σ² weights reconstruction more against the KL term (sharper digits, less regular latent space)."
          type="number"
          step="0.01"
          min={0}
          inputMode="decimal"
          value={String(s.variance)}
          disabled={s.likelihood !== 'gaussian'}
          onCommit={commit('variance')}
        />
      </fieldset>

      <fieldset>
        <legend>Optimiser</legend>
        <CommitField
          label="Learning rate"
          tip="Adam's step size. Too high and the loss jumps or diverges; too low and the clusters form slowly."
          type="number"
          step="0.0001"
          min={0}
          inputMode="decimal"
          value={String(s.lr)}
          onCommit={commit('lr')}
        />
        <SelectField
          label="Batch size"
          tip="Training digits per step: larger batches give smoother gradient estimates of the ELBO but fewer steps per second."
          value={String(s.batch)}
          options={batchOptions.map((b) => ({ value: String(b), label: String(b) }))}
          onChange={(v) => onChange({ batch: Number(v) })}
        />
      </fieldset>

      <fieldset>
        <legend>Network</legend>
        <CommitField
          label="Latent dimension"
          tip="Size of the code z. 2 can be drawn directly; above 2 the scatter shows two chosen dimensions or a PCA projection. Changing it needs new weights."
          type="number"
          step="1"
          min={2}
          max={64}
          value={String(s.latent)}
          onCommit={commit('latent')}
        />
        <CommitField
          label="Hidden layers"
          tip="Sizes of the encoder's hidden layers, first to last, separated by commas; the decoder mirrors them. Changing them needs new weights."
          value={s.hidden.join(',')}
          inputMode="text"
          onCommit={commit('hidden')}
        />
      </fieldset>

      {s.latent > 2 ? (
        <fieldset>
          <legend>Latent view</legend>
          <SelectField<Projection>
            label="Scatter shows"
            tip="Which 2-D view of the latent space the scatter and the manifold use: the two principal directions of the codes (PCA), or two chosen dimensions."
            value={s.proj}
            options={[
              { value: 'pca', label: 'PCA' },
              { value: 'dims', label: '2 dimensions' },
            ]}
            onChange={(proj) => onChange({ proj })}
          />
          {s.proj === 'dims' ? (
            <div className="dims-row">
              <SelectField label="x axis" tip="Latent dimension on the horizontal axis" value={String(s.dims[0])} options={dimOptions} onChange={(v) => onChange({ dims: [Number(v), s.dims[1] === Number(v) ? s.dims[0] : s.dims[1]] })} />
              <SelectField label="y axis" tip="Latent dimension on the vertical axis" value={String(s.dims[1])} options={dimOptions} onChange={(v) => onChange({ dims: [s.dims[0] === Number(v) ? s.dims[1] : s.dims[0], Number(v)] })} />
            </div>
          ) : null}
        </fieldset>
      ) : null}

      <fieldset>
        <legend>Compute</legend>
        <SelectField<BackendChoice>
          label="Backend"
          tip="Where TensorFlow.js runs the training worker. Auto tries WebGPU, then hardware WebGL, then WebAssembly (threaded when possible), then plain JavaScript. Switching restarts training."
          value={s.backend}
          options={[
            { value: 'auto', label: 'auto' },
            { value: 'webgpu', label: 'webgpu' },
            { value: 'webgl', label: 'webgl' },
            { value: 'wasm', label: 'wasm' },
            { value: 'cpu', label: 'cpu' },
          ]}
          onChange={(backend) => onChange({ backend })}
        />
      </fieldset>

      <div className="help">
        Try this:
        <ul>
          <li>Reset, then Train: watch the ten digit classes separate in the latent space (the page opens with a trained model).</li>
          <li>Drag in the latent plot: the decoded digit follows the cross.</li>
          <li>Draw a digit (tabs below the plots): see where it lands and how the model redraws it; then interpolate from it to a test digit.</li>
          <li>Set the latent dimension to 20, train, and open KL per dimension: only some dimensions stay active; with β = 4, fewer.</li>
          <li>Set β to 0: without the KL term the codes drift away from N(0, I) and the prior-quantile manifold stops looking like digits.</li>
          <li>Hover a test digit to see its posterior σ as an ellipse.</li>
        </ul>
      </div>
    </div>
  );
}
