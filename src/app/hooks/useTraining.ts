/**
 * The React side of the training worker: starts it, sends requests, and turns its events into state.
 * Fast-changing data bypasses React: the decoder lives in a Store, the loss history in a ref with a
 * throttled version number. The only module of the app that talks to the worker.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { VaeConfig } from '../../core/model/config';
import { MlpDecoder } from '../../core/latent/mlp-decoder';
import { TrainingClient, type WorkerPort } from '../../worker/client';
import type { BackendChoice, ManifoldView, TrainingStatus, WorkerEvent } from '../../worker/protocol';
import { LossHistory, type Evaluation } from '../loss-series';
import { Store } from '../state/store';

/** The test split as the main thread keeps it (for hover thumbnails). */
export interface TestSet {
  labels: Uint8Array;
  /** Bytes 0-255, [count, side*side]. */
  images: Uint8Array;
  side: number;
  count: number;
}

/** Encoder outputs for the test split. */
export interface LatentCodes {
  step: number;
  count: number;
  latentDim: number;
  /** [count, latentDim] */
  means: Float32Array;
  /** [count, latentDim] */
  logVars: Float32Array;
}

/** The decoded manifold grid. */
export interface ManifoldImages {
  n: number;
  pixels: number;
  /** Bytes 0-255, [n*n, pixels]. */
  images: Uint8Array;
  step: number;
}

/** Everything the panels show, and what the controls can ask for. */
export interface Training {
  phase: 'loading' | 'ready' | 'failed';
  progress: { fraction: number; message: string } | null;
  backend: string | null;
  status: TrainingStatus | null;
  testSet: TestSet | null;
  latents: LatentCodes | null;
  manifold: ManifoldImages | null;
  evaluations: Evaluation[];
  history: LossHistory;
  /** Increments (at most a few times a second) when `history` grew. */
  historyVersion: number;
  error: string | null;
  /** The main thread's decoder, refreshed from the worker's weights. */
  decoder: Store<MlpDecoder | null>;
  train(): void;
  pause(): void;
  step(): void;
  reset(config: VaeConfig): void;
  configure(config: VaeConfig): void;
  setView(view: ManifoldView): void;
  showError(message: string | null): void;
}

/** Options of `useTraining`. */
export interface TrainingOptions {
  backend: BackendChoice;
  dataUrl: string;
  /** The config of the first model (read once per worker start). */
  initialConfig: () => VaeConfig;
  /** The first manifold view. */
  initialView: () => ManifoldView;
  /** Makes the worker (a fake in tests). */
  createPort?: () => WorkerPort;
}

const HISTORY_REFRESH_MS = 400;

function defaultPort(): WorkerPort {
  return new Worker(new URL('../../worker/training.worker.ts', import.meta.url), { type: 'module', name: 'vae-training' });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs the training worker for the given backend and dataset (a change of either restarts it). */
export function useTraining(options: TrainingOptions): Training {
  const { backend, dataUrl } = options;
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const clientRef = useRef<TrainingClient | null>(null);
  const decoder = useMemo(() => new Store<MlpDecoder | null>(null), []);
  const historyRef = useRef(new LossHistory());
  const [phase, setPhase] = useState<Training['phase']>('loading');
  const [progress, setProgress] = useState<Training['progress']>(null);
  const [backendLabel, setBackendLabel] = useState<string | null>(null);
  const [status, setStatus] = useState<TrainingStatus | null>(null);
  const [testSet, setTestSet] = useState<TestSet | null>(null);
  const [latents, setLatents] = useState<LatentCodes | null>(null);
  const [manifold, setManifold] = useState<ManifoldImages | null>(null);
  const [evaluations, setEvaluations] = useState<Evaluation[]>([]);
  const [historyVersion, setHistoryVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const historyTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const view = useRef<{ pending: ManifoldView | null; inFlight: boolean; ready: boolean }>({ pending: null, inFlight: false, ready: false });

  const pumpView = useCallback(() => {
    const v = view.current;
    const client = clientRef.current;
    if (!client || !v.ready || v.inFlight || !v.pending) return;
    const next = v.pending;
    v.pending = null;
    v.inFlight = true;
    client
      .setView(next)
      .catch((err: unknown) => setError(messageOf(err)))
      .finally(() => {
        v.inFlight = false;
        pumpView();
      });
  }, []);

  useEffect(() => {
    const port = (optionsRef.current.createPort ?? defaultPort)();
    const client = new TrainingClient(port);
    clientRef.current = client;
    view.current = { pending: null, inFlight: false, ready: false };
    historyRef.current = new LossHistory();
    setPhase('loading');
    setStatus(null);
    setLatents(null);
    setManifold(null);
    setEvaluations([]);
    decoder.set(null);
    const bumpHistory = () => {
      if (historyTimer.current !== null) return;
      historyTimer.current = setTimeout(() => {
        historyTimer.current = null;
        setHistoryVersion((v) => v + 1);
      }, HISTORY_REFRESH_MS);
    };
    const onEvent = (e: WorkerEvent) => {
      switch (e.type) {
        case 'progress':
          setProgress({ fraction: e.fraction, message: e.message });
          break;
        case 'ready':
          setBackendLabel(e.backendLabel);
          setTestSet({ labels: e.testLabels, images: e.testImages, side: e.imageShape[0], count: e.testCount });
          setProgress(null);
          setPhase('ready');
          view.current.ready = true;
          pumpView();
          break;
        case 'status':
          setStatus(e.status);
          break;
        case 'metrics':
          historyRef.current.append(e.metrics);
          bumpHistory();
          break;
        case 'evaluation':
          setEvaluations((list) => [...list, { epoch: e.epoch, step: e.step, ...e.summary }]);
          break;
        case 'weights':
          try {
            decoder.set(new MlpDecoder(e.decoder));
          } catch (err) {
            setError(messageOf(err));
          }
          break;
        case 'latents':
          setLatents({ step: e.step, count: e.count, latentDim: e.latentDim, means: e.means, logVars: e.logVars });
          break;
        case 'manifold':
          setManifold({ n: e.n, pixels: e.pixels, images: e.images, step: e.step });
          break;
        case 'error':
          setError(e.message);
          break;
        case 'done':
          break;
      }
    };
    const unsubscribe = client.subscribe(onEvent);
    const onCrash = (e: Event) => {
      const detail = e instanceof ErrorEvent && e.message ? `: ${e.message}` : '';
      setError(`The training worker stopped unexpectedly${detail}. Reload the page to start again.`);
      setPhase('failed');
    };
    (port as unknown as Partial<Worker>).addEventListener?.('error', onCrash);
    const { initialConfig, initialView } = optionsRef.current;
    client
      .request({ type: 'init', dataUrl: new URL(dataUrl, window.location.href).href, backend, config: initialConfig(), generation: 1, view: initialView() })
      .catch((err: unknown) => {
        setError(messageOf(err));
        setPhase('failed');
        setProgress(null);
      });
    return () => {
      unsubscribe();
      client.close();
      if (clientRef.current === client) clientRef.current = null;
      if (historyTimer.current !== null) clearTimeout(historyTimer.current);
      historyTimer.current = null;
    };
  }, [backend, dataUrl, decoder, pumpView]);

  const send = useCallback((body: Parameters<TrainingClient['request']>[0]) => {
    const client = clientRef.current;
    if (!client) return;
    client.request(body).catch((err: unknown) => setError(messageOf(err)));
  }, []);

  const reset = useCallback(
    (config: VaeConfig) => {
      const client = clientRef.current;
      if (!client) return;
      historyRef.current = new LossHistory();
      setHistoryVersion((v) => v + 1);
      setEvaluations([]);
      setLatents(null);
      setStatus((s) => (s ? { ...s, training: false, step: 0, epoch: 0, epochProgress: 0, examplesPerSecond: 0 } : s));
      send({ type: 'reset', config, generation: client.nextGeneration() });
    },
    [send],
  );

  return {
    phase,
    progress,
    backend: backendLabel,
    status,
    testSet,
    latents,
    manifold,
    evaluations,
    history: historyRef.current,
    historyVersion,
    error,
    decoder,
    train: useCallback(() => {
      setStatus((s) => (s ? { ...s, training: true } : s));
      send({ type: 'train' });
    }, [send]),
    pause: useCallback(() => {
      setStatus((s) => (s ? { ...s, training: false } : s));
      send({ type: 'pause' });
    }, [send]),
    step: useCallback(() => send({ type: 'step' }), [send]),
    reset,
    configure: useCallback((config: VaeConfig) => send({ type: 'configure', config }), [send]),
    setView: useCallback(
      (v: ManifoldView) => {
        view.current.pending = v;
        pumpView();
      },
      [pumpView],
    ),
    showError: setError,
  };
}
