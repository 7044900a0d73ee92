/** The left column: training buttons and every setting, each labelled and explained in VAE terms. */
import type { ReactNode } from 'react';
import type { FamilyName, Likelihood } from '../../core/model/config';
import { appRange, FAMILY_NAMES, LIKELIHOODS, SETTING_ROWS, type SettingName } from '../../core/model/settings-table';
import type { BackendChoice } from '../../worker/protocol';
import { SETTINGS_TABLE, type Projection, type Settings } from '../state/settings';
import { CheckField, CommitField, SelectField } from './fields';

/** How a refused setting's sentence begins (App withdraws these once a setting applies). */
export const NOT_APPLIED = 'Not applied:';

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

/** The model families in words, in the settings table's order. */
const FAMILY_LABELS: Record<FamilyName, string> = { mlp: 'MLP', conv: 'Conv' };

/** Why the hidden sizes do not apply to the convolutional family. */
export const CONV_HIDDEN_NOTE = 'The convolutional VAE has fixed layers (Conv2D 32 and 64, Dense 16); hidden sizes are for the MLP.';

/** Label, tooltip and, for a number, its step and the range the app uses: all from the settings table. */
export function fieldProps(name: SettingName): { label: string; tip: string; step?: string; min?: number; max?: number } {
  const row = SETTING_ROWS[name];
  const { label, tip } = row;
  if (row.type.kind !== 'int' && row.type.kind !== 'number') return { label, tip };
  const { min, max } = appRange(row);
  return { label, tip, step: 'step' in row ? row.step : undefined, min, max };
}

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
    if (typeof parsed === 'object' && parsed !== null && 'problem' in parsed) onInvalid(`${NOT_APPLIED} ${parsed.problem}.`);
    else onChange({ [key]: parsed } as Partial<Settings>);
  };
  const batchRange = appRange(SETTING_ROWS.batch);
  const batchOptions = [...new Set([...BATCH_SIZES.filter((b) => b >= batchRange.min && b <= batchRange.max), s.batch])].sort((a, b) => a - b);
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
          {...fieldProps('beta')}
          type="number"
          inputMode="decimal"
          value={String(s.beta)}
          onCommit={commit('beta')}
          hint={s.beta === 0 ? 'β = 0: a plain autoencoder' : undefined}
        />
        <CommitField
          {...fieldProps('warmup')}
          type="number"
          value={String(s.warmup)}
          onCommit={commit('warmup')}
        />
        <SelectField<Likelihood>
          {...fieldProps('likelihood')}
          value={s.likelihood}
          options={LIKELIHOODS.map((value) => ({ value, label: value[0].toUpperCase() + value.slice(1) }))}
          onChange={(likelihood) => onChange({ likelihood })}
        />
        <CommitField
          {...fieldProps('variance')}
          type="number"
          inputMode="decimal"
          value={String(s.variance)}
          disabled={s.likelihood !== 'gaussian'}
          onCommit={commit('variance')}
        />
      </fieldset>

      <fieldset>
        <legend>Optimiser</legend>
        <CommitField
          {...fieldProps('lr')}
          type="number"
          inputMode="decimal"
          value={String(s.lr)}
          onCommit={commit('lr')}
        />
        <SelectField
          {...fieldProps('batch')}
          value={String(s.batch)}
          options={batchOptions.map((b) => ({ value: String(b), label: String(b) }))}
          onChange={(v) => onChange({ batch: Number(v) })}
        />
      </fieldset>

      <fieldset>
        <legend>Network</legend>
        <SelectField<FamilyName>
          {...fieldProps('arch')}
          value={s.arch}
          options={FAMILY_NAMES.map((value) => ({ value, label: FAMILY_LABELS[value] }))}
          onChange={(arch) => onChange({ arch })}
        />
        <CheckField {...fieldProps('conditional')} checked={s.conditional} onChange={(conditional) => onChange({ conditional })} />
        <CommitField
          {...fieldProps('latent')}
          type="number"
          value={String(s.latent)}
          onCommit={commit('latent')}
        />
        <CommitField
          {...fieldProps('hidden')}
          value={s.hidden.join(',')}
          inputMode="text"
          disabled={s.arch === 'conv'}
          hint={s.arch === 'conv' ? CONV_HIDDEN_NOTE : undefined}
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
          <li>Tick Conditional on the class and train: pick a class under the decoded digit, then drag z; the style changes, the class stays.</li>
        </ul>
      </div>
    </div>
  );
}
