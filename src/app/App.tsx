/** The playground: settings in the URL, the training worker, and the five panels on one screen. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { axisPlane } from '../core/latent/plane';
import type { WorkerPort } from '../worker/client';
import { ControlsPanel, NOT_APPLIED } from './controls/ControlsPanel';
import { ConfirmDialog } from './controls/ConfirmDialog';
import { ExploreDeck } from './explore/ExploreDeck';
import { exploreStore } from './explore/explore-state';
import { ExploreTabs, type DeckTab } from './explore/ExploreTabs';
import { LossScale } from './explore/LossScale';
import './explore/explore.css';
import { useTraining } from './hooks/useTraining';
import { ClassControls } from './panels/ClassControls';
import { DecodedPanel } from './panels/DecodedPanel';
import { LatentPanel } from './panels/LatentPanel';
import { LossPanel } from './panels/LossPanel';
import { ManifoldPanel } from './panels/ManifoldPanel';
import { changedKeys, configFromSettings, effectOf, parseSettings, serializeSettings, type Settings, type SettingEffect } from './state/settings';
import { Store, type LatentPoint } from './state/store';
import { ErrorBanner, LiveToggle, StatusBar } from './StatusBar';
import { usePlaneView } from './view';
import { addressModel, bundledModelUrl, startModels } from './weights/bundled';
import { WeightsPanel } from './weights/WeightsPanel';

const NAMES: Partial<Record<keyof Settings, string>> = {
  arch: 'the model family',
  conditional: 'conditioning on the class',
  hidden: 'the hidden layers',
  latent: 'the latent dimension',
  likelihood: 'the likelihood',
  backend: 'the backend',
  data: 'the dataset',
};

/** An action that would discard trained weights, waiting for the person's answer. */
interface PendingDiscard {
  /** The start of the question, completed with the live step count ("Changing the latent dimension needs a new network"). */
  what: string;
  confirmLabel: string;
  run: () => void;
}

/** The question's text for `steps` trained steps (read while the dialog is open, so it stays live). */
function lossMessage(what: string, steps: number): string {
  return `${what}, so the ${steps} training step${steps === 1 ? '' : 's'} done so far would be lost.`;
}

/** Props of `App` (tests may pass a query string and a fake worker). */
export interface AppProps {
  search?: string;
  createPort?: () => WorkerPort;
}

/** The whole page. */
export function App({ search = window.location.search, createPort }: AppProps) {
  // Read once: the app rewrites the address on every settings change, and parsing it again would
  // recreate everything derived from it (the latent point among them).
  const [initial] = useState(() => parseSettings(search));
  const [settings, setSettings] = useState<Settings>(initial.settings);
  const [pending, setPending] = useState<PendingDiscard | null>(null);
  const seed = useRef(1);
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const point = useMemo(() => new Store<LatentPoint>({ z: new Array<number>(initial.settings.latent).fill(0), source: 'init' }), [initial]);
  /** The exploring panels' shared state (the drawing's posterior, the interpolation path), and the lower half's tab. */
  const explore = useMemo(() => exploreStore(), []);
  const [deckTab, setDeckTab] = useState<DeckTab>('core');
  /** A conditional model's decoding class (the worker's, once set). */
  const [decodeClass, setDecodeClass] = useState(0);

  const training = useTraining({
    backend: settings.backend,
    kernels: settings.kernels,
    dataUrl: settings.data,
    createPort,
    initialConfig: () => configFromSettings(settingsRef.current, seed.current),
    initialView: () => {
      const s = settingsRef.current;
      return { n: s.grid, ...axisPlane(s.latent, 0, 1), base: new Array<number>(s.latent).fill(0) };
    },
    initialModels: () => startModels(settingsRef.current),
    backgroundModel: () => addressModel(settingsRef.current),
  });
  const { showError } = training;
  const trainedSteps = training.status?.step ?? 0;
  const trainedStepsRef = useRef(trainedSteps);
  trainedStepsRef.current = trainedSteps;

  /** Runs `action` at once when no trained step would be lost, else asks first. */
  const askBeforeDiscarding = useCallback((what: string, confirmLabel: string, action: () => void) => {
    if (trainedStepsRef.current > 0) setPending({ what, confirmLabel, run: action });
    else action();
  }, []);

  // A new model brings its own architecture (and, from a URL, its address) into the settings.
  const model = training.model;
  useEffect(() => {
    if (!model) return;
    setSettings((s) => {
      const pair = model.url && model.encoderUrl ? { encoder: model.encoderUrl, decoder: model.url } : null; // ?encoder=&decoder=
      const url = !pair && model.url && model.url !== bundledModelUrl() ? model.url : '';
      const next: Settings = { ...s, latent: model.latentDim, model: url, encoder: pair?.encoder ?? '', decoder: pair?.decoder ?? '' };
      if (model.hidden) next.hidden = [...model.hidden];
      if (model.family) next.arch = model.family; // a model of this app's format says its family and whether it is conditional
      if (model.family) next.conditional = model.classes !== undefined;
      if (model.likelihood) next.likelihood = model.likelihood;
      if (next.dims.some((d) => d >= next.latent)) next.dims = [0, 1];
      return changedKeys(s, next).length > 0 ? next : s;
    });
    if (point.get().z.length !== model.latentDim) point.set({ z: new Array<number>(model.latentDim).fill(0), source: 'reset' });
    setDecodeClass(0); // a new model decodes under class 0 first
  }, [model, point]);

  useEffect(() => {
    if (initial.problems.length > 0) showError(initial.problems.join(' '));
  }, [initial, showError]);

  useEffect(() => {
    const query = serializeSettings(settings);
    const url = `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`;
    window.history.replaceState(window.history.state, '', url);
  }, [settings]);

  const view = usePlaneView(settings, training.latents);

  // The manifold follows the view plane, the grid size and (above 2-D) the point's off-plane part.
  const { setView } = training;
  useEffect(() => {
    const send = () => setView({ n: settings.grid, ...view.plane, base: point.get().z.length === settings.latent ? point.get().z : new Array<number>(settings.latent).fill(0) });
    send();
    if (settings.latent <= 2) return undefined;
    return point.subscribe(send);
  }, [view, settings.grid, settings.latent, point, setView]);

  const apply = useCallback(
    (next: Settings, effect: SettingEffect) => {
      setSettings(next);
      training.withdrawErrors((m) => m.startsWith(NOT_APPLIED)); // a setting applied: earlier refusals are answered
      if (effect === 'weights') {
        seed.current += 1;
        if (next.latent !== point.get().z.length) point.set({ z: new Array<number>(next.latent).fill(0), source: 'reset' });
        training.reset(configFromSettings(next, seed.current));
      } else if (effect === 'training') {
        training.configure(configFromSettings(next, seed.current));
      } else if (effect === 'restart') {
        if (next.latent !== point.get().z.length) point.set({ z: new Array<number>(next.latent).fill(0), source: 'reset' });
      }
    },
    [training, point],
  );

  const requestChange = useCallback(
    (patch: Partial<Settings>) => {
      const current = settingsRef.current;
      const next = { ...current, ...patch };
      const keys = changedKeys(current, next);
      if (keys.length === 0) return;
      const effect = effectOf(keys);
      let checked: Settings;
      try {
        configFromSettings(next);
        checked = next;
      } catch (err) {
        showError(err instanceof Error ? err.message : String(err));
        return;
      }
      if (effect === 'weights' || effect === 'restart') {
        const what = keys.map((k) => NAMES[k]).filter(Boolean).join(' and ') || 'this setting';
        askBeforeDiscarding(`Changing ${what} needs a new network`, 'Discard weights and apply', () => apply(checked, effect));
        return;
      }
      apply(checked, effect);
    },
    [apply, askBeforeDiscarding, showError],
  );

  const { reset } = training;
  const onReset = useCallback(() => {
    askBeforeDiscarding('Reset starts again from new random weights', 'Discard weights and reset', () => {
      seed.current += 1;
      reset(configFromSettings(settingsRef.current, seed.current));
    });
  }, [askBeforeDiscarding, reset]);

  const closePending = useCallback(() => setPending(null), []);
  const isTraining = (training.status?.training ?? false) && !training.pausing; // the button offers Train at once on Pause
  const ready = training.phase === 'ready';

  // Live panels off: the worker stops updating the displays while training, and the loss chart holds still.
  const { setLiveDisplays } = training;
  useEffect(() => {
    if (ready) setLiveDisplays(settings.live);
  }, [ready, settings.live, setLiveDisplays]);
  const shownHistory = useRef(training.historyVersion);
  if (settings.live || !isTraining) shownHistory.current = training.historyVersion;
  const side = training.testSet?.side ?? 28;

  return (
    <div className="app">
      <header className="app-header">
        <div className="title">
          <h1>VAE Playground</h1>
          <p>
            A variational autoencoder learns to squeeze each handwritten digit into a short code <i>z</i> and to redraw the digit from it, while a KL
            penalty keeps the codes close to a standard normal, so that every point of the latent space decodes to a plausible digit.
          </p>
        </div>
        <div className="header-side">
          <StatusBar status={training.status} pausing={training.pausing} backend={training.backend} progress={training.progress} phase={training.phase} error={training.error} onSkipDataset={training.skipDataset} />
          <LiveToggle live={settings.live} onChange={(live) => requestChange({ live })} />
        </div>
      </header>
      <ErrorBanner message={training.error} onDismiss={() => showError(null)} />
      <main className="layout has-deck">
        <aside className="panel controls" aria-label="Controls">
          <ControlsPanel
            settings={settings}
            onChange={requestChange}
            onInvalid={showError}
            training={isTraining}
            ready={ready}
            onTrainToggle={isTraining ? training.pause : training.train}
            onStep={training.step}
            onReset={onReset}
            trainBlocked={model && !model.trainable ? model.notTrainable : null}
            weights={<WeightsPanel training={training} config={() => configFromSettings(settingsRef.current, seed.current)} />}
          />
        </aside>
        <section className="panel loss" aria-label="Loss">
          <LossPanel history={training.history} version={shownHistory.current} evaluations={training.evaluations} logY={settings.logy} onLogYChange={(logy) => requestChange({ logy })} />
          <LossScale history={training.history} version={training.historyVersion} likelihood={settings.likelihood} pixels={side * side} />
        </section>
        <section className="panel latent" aria-label="Latent space">
          <LatentPanel latents={training.latents} testSet={training.testSet} view={view} point={point} extras={explore} noSigma={model?.noLogVar ?? null} />
          {model?.noLogVar ? (
            <p className="panel-note" data-testid="sigma-note">
              {model.noLogVar}
            </p>
          ) : null}
          {model?.classes !== undefined ? (
            <p className="panel-note" data-testid="conditional-note">
              A conditional VAE: the decoder is given the class, so z keeps only the style and the classes mix in this plot.
            </p>
          ) : null}
          {model && !model.hasEncoder ? (
            <p className="panel-note" data-testid="latent-note">
              This model is a decoder alone, so the test digits cannot be placed in the latent space (that needs an encoder). Drag in the plot or use the
              sliders to choose z; the decoded digit and the manifold still work.
            </p>
          ) : null}
        </section>
        <ExploreTabs tab={deckTab} onTab={setDeckTab} training={training} />
        <section className="panel decoded" aria-label="Decoded digit" id="deck-decoded" role="tabpanel" hidden={deckTab !== 'core'}>
          <DecodedPanel point={point} decoder={training.decoder} side={side} classNames={training.testSet?.classNames} />
          {model?.classes !== undefined ? (
            <ClassControls
              classes={model.classes}
              decodeClass={decodeClass}
              onClass={async (label) => {
                setDecodeClass(label);
                await training.setDecodeClass(label);
              }}
              decodeClasses={training.decodeClasses}
              point={point}
              side={side}
              names={training.testSet?.classNames}
              refreshKey={training.manifold}
            />
          ) : null}
        </section>
        <section className="panel manifold" aria-label="Manifold" id="deck-manifold" role="tabpanel" hidden={deckTab !== 'core'}>
          <ManifoldPanel manifold={training.manifold} view={view} point={point} grid={settings.grid} onGridChange={(grid) => requestChange({ grid })} side={side} />
        </section>
        <ExploreDeck tab={deckTab} training={training} point={point} explore={explore} view={view} side={side} beta={settings.beta} />
      </main>
      {pending ? (
        <ConfirmDialog
          message={lossMessage(pending.what, trainedSteps)}
          confirmLabel={pending.confirmLabel}
          onCancel={closePending}
          onConfirm={() => {
            setPending(null);
            pending.run();
          }}
        />
      ) : null}
    </div>
  );
}
