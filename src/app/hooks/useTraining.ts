/**
 * The React side of the training worker: starts it, sends requests, and turns its events into state.
 * Fast-changing data bypasses React: the decoder lives in a Store, the loss history in a ref with a
 * throttled version number. The only module of the app that talks to the worker.
 */
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { VaeConfig } from '../../core/model/config';
import type { KernelsChoice } from '../../core/ops';
import { TrainingClient, WorkerStoppedError, type WorkerPort } from '../../worker/client';
import { isBackendFailedMessage, type BackendChoice, type ManifoldView, type ModelInfo, type ModelSource, type TrainingStatus, type WorkerEvent } from '../../worker/protocol';
import { perf } from '../perf';
import { createQuietGate, holdForDecoding, requestQuiet } from '../../worker/quiet-gate';
import { redraws } from '../plot-queue';
import { takeTrainingWorker } from '../worker-port';
import { DecoderCopies, remoteDecoder, type PointDecoder } from '../decoding';
import { LossHistory, type Evaluation } from '../loss-series';
import { Store } from '../state/store';
import type { LatentCodes, LoadResult, ManifoldImages, TestSet, Training } from './training-types';
import { useErrorList } from './error-list';

export type { Encoded, LatentCodes, ManifoldImages, ModelFile, TestSet, Training } from './training-types';

/** Options of `useTraining`. */
export interface TrainingOptions {
  backend: BackendChoice;
  /** The training ops (`?kernels=`); a change starts a new worker. */
  kernels?: KernelsChoice;
  dataUrl: string;
  /** The config of the first model (read once per worker start). */
  initialConfig: () => VaeConfig;
  /** The first manifold view. */
  initialView: () => ManifoldView;
  /** Models to try at start, in order (fresh weights of `initialConfig` when none loads). */
  initialModels?: () => ModelSource[];
  /**
   * A model from elsewhere to open at start (the address's `?model=`): it loads in the background like
   * Load does, with progress and Cancel, while the first model shows, and replaces it once complete;
   * a failure is shown and the first model stays.
   */
  backgroundModel?: () => ModelSource | null;
  /** Makes the worker (a fake in tests). */
  createPort?: () => WorkerPort;
}

const HISTORY_REFRESH_MS = 400;
/**
 * While training, the charts' redraws together take about this share of the main thread (plot-queue.ts):
 * on a machine with few cores the page's drawing takes CPU from training (measured by bench/app-run.ts).
 */
const REDRAW_SHARE_WHILE_TRAINING = 0.008;


function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs the training worker for the given backend and dataset (a change of either restarts it). */
export function useTraining(options: TrainingOptions): Training {
  const { backend, dataUrl, kernels } = options;
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const clientRef = useRef<TrainingClient | null>(null);
  /** The decoder worker's side (conv and conditional models decode there), one per training worker. */
  const copiesRef = useRef<DecoderCopies | null>(null);
  const decoder = useMemo(() => new Store<PointDecoder | null>(null), []);
  const historyRef = useRef(new LossHistory());
  const [phase, setPhase] = useState<Training['phase']>('loading');
  const [progress, setProgress] = useState<Training['progress']>(null);
  const [backendLabel, setBackendLabel] = useState<string | null>(null);
  const [status, setStatus] = useState<TrainingStatus | null>(null);
  const [pausing, setPausing] = useState(false);
  const [model, setModel] = useState<ModelInfo | null>(null);
  const [loadProgress, setLoadProgress] = useState<number | null>(null);
  const [testSet, setTestSet] = useState<TestSet | null>(null);
  const [latents, setLatents] = useState<LatentCodes | null>(null);
  const [manifold, setManifold] = useState<ManifoldImages | null>(null);
  const [evaluations, setEvaluations] = useState<Evaluation[]>([]);
  const [historyVersion, setHistoryVersion] = useState(0);
  const [error, setError, withdrawErrors] = useErrorList();
  const [replaced, setReplaced] = useState<Training['replaced']>(null);
  /** Shows a failed request's error; requests of a worker this hook stopped itself failed nothing. */
  const reportFailure = useCallback((err: unknown) => {
    if (!(err instanceof WorkerStoppedError)) setError(messageOf(err));
  }, []);
  const historyTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // The manifold view: the newest one waits while one is in flight; `sent` is the one the worker has (JSON).
  const view = useRef<{ pending: ManifoldView | null; inFlight: boolean; ready: boolean; sent: string }>({ pending: null, inFlight: false, ready: false, sent: '' });

  const pumpView = useCallback(() => {
    const v = view.current;
    const client = clientRef.current;
    if (!client || !v.ready || v.inFlight || !v.pending) return;
    const next = v.pending;
    v.pending = null;
    const key = JSON.stringify(next);
    if (key === v.sent) return; // the worker already renders this view (a request would only drop its pushes)
    v.inFlight = true;
    client
      .setView(next)
      .then(() => {
        v.sent = key;
      })
      .catch(reportFailure)
      .finally(() => {
        v.inFlight = false;
        pumpView();
      });
  }, [reportFailure]);

  const decodeInWorker = useCallback(async (z: number[]) => {
    const reply = await clientRef.current?.request({ type: 'decode', z });
    return reply?.type === 'decoded' ? reply.pixels : null;
  }, []);

  // A layout effect, so the worker starts before the panels' first (slow) Plotly draws.
  useLayoutEffect(() => {
    const port = (optionsRef.current.createPort ?? takeTrainingWorker)();
    const client = new TrainingClient(port);
    clientRef.current = client;
    // Chart redraws ask the training worker to stand still while they draw, and a drag decoded by the
    // decoder worker holds it still (few cores: see quiet-gate.ts).
    const quietGate = createQuietGate();
    const hold = quietGate ? holdForDecoding(quietGate) : null;
    const copies = new DecoderCopies({ fallback: decodeInWorker, onError: reportFailure, onCopyDecode: hold ? () => hold.touch() : undefined });
    copiesRef.current = copies;
    const { initialConfig, initialView, initialModels, backgroundModel } = optionsRef.current;
    const firstView = initialView();
    view.current = { pending: null, inFlight: false, ready: false, sent: JSON.stringify(firstView) };
    historyRef.current = new LossHistory();
    setPhase('loading');
    setStatus(null);
    setPausing(false);
    setModel(null);
    setTestSet(null);
    setLatents(null);
    setManifold(null);
    setEvaluations([]);
    setLoadProgress(null);
    decoder.set(null);
    const bumpHistory = () => {
      if (historyTimer.current !== null) return;
      historyTimer.current = setTimeout(() => {
        historyTimer.current = null;
        setHistoryVersion((v) => v + 1);
      }, HISTORY_REFRESH_MS);
    };
    const setDecoderFrom = (snapshot: Extract<WorkerEvent, { type: 'weights' }>['decoder']) => {
      try {
        decoder.set(copies.decoderFor(snapshot));
      } catch (err) {
        setError(messageOf(err));
      }
    };
    const onEvent = (e: WorkerEvent) => {
      switch (e.type) {
        case 'progress':
          setProgress({ fraction: e.fraction, message: e.message, ...(e.skippable ? { skippable: true } : {}) });
          break;
        case 'model':
          setModel(e.info);
          setPausing(false);
          historyRef.current = new LossHistory();
          setHistoryVersion((v) => v + 1);
          setEvaluations([]);
          setLatents(null);
          copies.newModel();
          if (e.decoder) setDecoderFrom(e.decoder); // the new model's weights: never a frame of the old one's
          else if (e.info.decodeInWorker) decoder.set(remoteDecoder(e.info.latentDim, decodeInWorker, reportFailure));
          view.current.ready = true;
          pumpView();
          break;
        case 'test-set':
          setTestSet({ labels: e.labels, images: e.images, side: e.imageShape[0], count: e.count });
          break;
        case 'ready':
          setBackendLabel(e.backendLabel);
          setTestSet((t) => ({ ...(t && t.count === e.testCount ? t : { labels: e.testLabels, images: e.testImages, side: e.imageShape[0], count: e.testCount }), classNames: e.classNames, datasetName: e.datasetName }));
          setProgress(null);
          setPhase('ready');
          withdrawErrors(isBackendFailedMessage); // a backend works now: the sentence about one that did not is answered
          view.current.ready = true;
          pumpView();
          break;
        case 'load-progress':
          setLoadProgress(e.fraction);
          break;
        case 'status':
          setStatus(e.status);
          if (!e.status.training) setPausing(false); // the worker has stopped: its last weights came before this
          if (e.status.timeShares) perf.workerTimeShares = e.status.timeShares;
          redraws.setShare(e.status.training ? REDRAW_SHARE_WHILE_TRAINING : null);
          break;
        case 'metrics':
          historyRef.current.append(e.metrics);
          bumpHistory();
          break;
        case 'rollback': // the weights are back at step e.step: later losses and evaluations are gone with them
          historyRef.current.dropFrom(e.step);
          setHistoryVersion((v) => v + 1);
          setEvaluations((list) => list.filter((ev) => ev.step <= e.step));
          break;
        case 'evaluation':
          setEvaluations((list) => [...list, { epoch: e.epoch, step: e.step, ...e.summary }]);
          break;
        case 'weights':
          setDecoderFrom(e.decoder);
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
        case 'saved':
        case 'decoded':
        case 'encoded':
        case 'decoded-batch':
          break; // replies, handled where they were asked for
      }
    };
    const unsubscribe = client.subscribe(onEvent);
    const onCrash = (e: Event) => {
      const detail = e instanceof ErrorEvent && e.message ? `: ${e.message}` : '';
      setError(`The training worker stopped unexpectedly${detail}. Reload the page to start again.`);
      setPhase('failed');
    };
    (port as unknown as Partial<Worker>).addEventListener?.('error', onCrash);
    const models = initialModels?.() ?? [];
    if (quietGate) redraws.setQuiet(() => requestQuiet(quietGate));
    const config = initialConfig();
    client
      .request({ type: 'init', dataUrl: new URL(dataUrl, window.location.href).href, backend, kernels, config, generation: 1, view: firstView, models, quietGate: quietGate ?? undefined })
      .catch((err: unknown) => {
        if (err instanceof WorkerStoppedError) return; // the cleanup below stopped it
        setError(messageOf(err));
        setPhase('failed');
        setProgress(null);
      });
    // The address's model comes after the first one, like a Load (the page never waits on it).
    const later = backgroundModel?.() ?? null;
    if (later) {
      setLoadProgress(0);
      client
        .request({ type: 'load', source: later, config, generation: client.nextGeneration(), keepAs: 'trained-here' })
        .then((reply) => {
          if (reply?.type === 'model' && reply.kept && clientRef.current === client) setReplaced({ info: reply.info, kept: reply.kept });
        })
        .catch(reportFailure)
        .finally(() => {
          if (clientRef.current === client) setLoadProgress(null);
        });
    }
    return () => {
      if (quietGate) redraws.setQuiet(null);
      redraws.setShare(null);
      unsubscribe();
      client.close();
      if (clientRef.current === client) clientRef.current = null;
      copies.close();
      if (copiesRef.current === copies) copiesRef.current = null;
      if (historyTimer.current !== null) clearTimeout(historyTimer.current);
      historyTimer.current = null;
    };
  }, [backend, kernels, dataUrl, decoder, pumpView, decodeInWorker, reportFailure, withdrawErrors]);

  const send = useCallback((body: Parameters<TrainingClient['request']>[0]) => {
    const client = clientRef.current;
    if (!client) return;
    client.request(body).catch(reportFailure);
  }, [reportFailure]);

  const reset = useCallback(
    (config: VaeConfig) => {
      const client = clientRef.current;
      if (!client) return;
      historyRef.current = new LossHistory();
      setHistoryVersion((v) => v + 1);
      setEvaluations([]);
      setLatents(null);
      setStatus((s) => (s ? { ...s, training: false, step: 0, epoch: 0, epochProgress: 0, examplesPerSecond: 0 } : s));
      setPausing(false);
      send({ type: 'reset', config, generation: client.nextGeneration() });
    },
    [send],
  );

  const load = useCallback(async (source: ModelSource, config: VaeConfig, keepAs?: string): Promise<LoadResult | null> => {
    const client = clientRef.current;
    if (!client) return null;
    setLoadProgress(0);
    try {
      const reply = await client.request({ type: 'load', source, config, generation: client.nextGeneration(), ...(keepAs === undefined ? {} : { keepAs }) });
      return reply?.type === 'model' ? { info: reply.info, ...(reply.kept ? { kept: reply.kept } : {}) } : null;
    } catch (err) {
      reportFailure(err);
      return null;
    } finally {
      setLoadProgress(null);
    }
  }, [reportFailure]);

  const save = useCallback(async (name: string) => {
    try {
      const reply = await clientRef.current?.request({ type: 'save', name });
      return reply?.type === 'saved' ? reply.files : null;
    } catch (err) {
      reportFailure(err);
      return null;
    }
  }, [reportFailure]);

  return {
    phase,
    progress,
    backend: backendLabel,
    status,
    pausing,
    model,
    loadProgress,
    load,
    save,
    testSet,
    latents,
    manifold,
    evaluations,
    history: historyRef.current,
    historyVersion,
    error,
    decoder,
    train: useCallback(() => {
      setPausing(false);
      setStatus((s) => (s ? { ...s, training: true } : s));
      send({ type: 'train' });
    }, [send]),
    pause: useCallback(() => {
      setPausing(true); // the status stays the worker's until it says it stopped (see `pausing`)
      send({ type: 'pause' });
    }, [send]),
    step: useCallback(() => send({ type: 'step' }), [send]),
    cancelLoad: useCallback(() => send({ type: 'cancel-load' }), [send]),
    skipDataset: useCallback(() => send({ type: 'skip-dataset' }), [send]),
    reset,
    configure: useCallback((config: VaeConfig) => send({ type: 'configure', config }), [send]),
    setLiveDisplays: useCallback((live: boolean) => send({ type: 'displays', live }), [send]),
    setView: useCallback(
      (v: ManifoldView) => {
        view.current.pending = v;
        pumpView();
      },
      [pumpView],
    ),
    showError: setError,
    withdrawErrors,
    replaced,
    clearReplaced: useCallback(() => setReplaced(null), []),
    encode: useCallback(async (images: Float32Array, count: number, seed: number, samples: number) => {
      try {
        const reply = await clientRef.current?.request({ type: 'encode', images, count, seed, samples });
        return reply?.type === 'encoded' ? reply : null;
      } catch (err) {
        reportFailure(err);
        return null;
      }
    }, [reportFailure]),
    decodeBatch: useCallback(async (z: Float32Array, count: number) => {
      try {
        const reply = await clientRef.current?.request({ type: 'decode-batch', z, count });
        return reply?.type === 'decoded-batch' ? reply.pixels : null;
      } catch (err) {
        reportFailure(err);
        return null;
      }
    }, [reportFailure]),
    setDecodeClass: useCallback(async (label: number) => {
      try {
        copiesRef.current?.setDecodeClass(label); // the main thread's and the decoder worker's copies, at once
        await clientRef.current?.request({ type: 'decode-class', label });
        decoder.set(decoder.get()); // the decoded digit redraws under the new class
      } catch (err) {
        reportFailure(err);
      }
    }, [decoder, reportFailure]),
    decodeClasses: useCallback(async (z: number[]) => {
      try {
        const reply = await clientRef.current?.request({ type: 'decode-classes', z });
        return reply?.type === 'decoded-batch' ? reply.pixels : null;
      } catch (err) {
        reportFailure(err);
        return null;
      }
    }, [reportFailure]),
  };
}
