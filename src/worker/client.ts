/**
 * The main thread's typed handle on the training worker. Requests get ids and promises; replies the
 * client no longer waits for are dropped, and so are streaming events of a model it has replaced
 * (older `generation`). Imports no tfjs: the worker owns the model.
 */
import type { ManifoldView, WorkerEvent, WorkerRequest, WorkerRequestType } from './protocol';

/** The part of a Worker the client uses (a fake in tests). */
export interface WorkerPort {
  postMessage(message: WorkerRequest): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<WorkerEvent>) => void): void;
  removeEventListener(type: 'message', listener: (e: MessageEvent<WorkerEvent>) => void): void;
  terminate?(): void;
}

/** A request without its id (the client assigns it). */
export type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The reply events a request can resolve with. */
export type ReplyEvent = Extract<WorkerEvent, { type: 'done' | 'ready' | 'manifold' | 'model' | 'saved' | 'decoded' | 'encoded' | 'decoded-batch' }>;

/** Requests where only the newest matters: an older one's reply is dropped once a newer one is sent. */
const SUPERSEDING: ReadonlySet<WorkerRequestType> = new Set(['view', 'decode']);

/** Events that belong to one model generation. */
function generationOf(e: WorkerEvent): number | null {
  switch (e.type) {
    case 'metrics':
    case 'rollback':
    case 'evaluation':
    case 'weights':
    case 'latents':
    case 'manifold':
    case 'decoded':
    case 'encoded':
    case 'decoded-batch':
      return e.generation;
    case 'model':
      return e.info.generation;
    case 'status':
      return e.status.generation;
    default:
      return null;
  }
}

/** The rejection of requests to a client the page closed (a restart, an unmount): nothing failed. */
export class WorkerStoppedError extends Error {
  constructor() {
    super('The training worker has been stopped.');
    this.name = 'WorkerStoppedError';
  }
}

interface Pending {
  type: WorkerRequestType;
  resolve: (reply: ReplyEvent | null) => void;
  reject: (err: Error) => void;
}

/** Typed requests and filtered events over a WorkerPort. */
export class TrainingClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly latest = new Map<WorkerRequestType, number>();
  private readonly listeners = new Set<(e: WorkerEvent) => void>();
  private currentGeneration = 0;
  /** The highest generation any request has asked for (a pending `load` switches only when its model arrives). */
  private issuedGeneration = 0;
  private closed = false;

  constructor(private readonly port: WorkerPort) {
    port.addEventListener('message', this.onMessage);
  }

  /** The model generation whose events are delivered. */
  get generation(): number {
    return this.currentGeneration;
  }

  /** Subscribes to accepted events; returns the unsubscribe function. */
  subscribe(listener: (e: WorkerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sends a request. Resolves with its reply, or with null when a newer request of a superseding
   * kind made it stale; rejects with the worker's plain-words error.
   */
  request(body: RequestBody): Promise<ReplyEvent | null> {
    if (this.closed) return Promise.reject(new WorkerStoppedError());
    const id = this.nextId++;
    if (body.type === 'init' || body.type === 'reset') this.currentGeneration = body.generation;
    if (body.type === 'init' || body.type === 'reset' || body.type === 'load') this.issuedGeneration = Math.max(this.issuedGeneration, body.generation);
    if (SUPERSEDING.has(body.type)) {
      const older = this.latest.get(body.type);
      const stale = older === undefined ? undefined : this.pending.get(older);
      if (older !== undefined && stale) {
        this.pending.delete(older);
        stale.resolve(null);
      }
    }
    this.latest.set(body.type, id);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type: body.type, resolve, reject });
      this.port.postMessage({ ...body, id } as WorkerRequest);
    });
  }

  /** The next generation number, for a `reset` or a `load`. */
  nextGeneration(): number {
    return Math.max(this.currentGeneration, this.issuedGeneration) + 1;
  }

  /** Shorthand for a `view` request. */
  setView(view: ManifoldView): Promise<ReplyEvent | null> {
    return this.request({ type: 'view', view });
  }

  /** Stops the worker and rejects what is pending. */
  close(): void {
    this.closed = true;
    this.port.removeEventListener('message', this.onMessage);
    this.port.terminate?.();
    for (const p of this.pending.values()) p.reject(new WorkerStoppedError());
    this.pending.clear();
    this.listeners.clear();
  }

  /** Number of requests awaiting a reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  private readonly onMessage = (e: MessageEvent<WorkerEvent>) => {
    const event = e.data;
    if (!this.accept(event)) return;
    for (const listener of [...this.listeners]) listener(event);
  };

  /** Settles the request a reply answers; false when the event is stale and must be dropped. */
  private accept(event: WorkerEvent): boolean {
    // A loaded model becomes current when it arrives (it comes before any event of its generation).
    if (event.type === 'model' && event.info.generation > this.currentGeneration) this.currentGeneration = event.info.generation;
    const generation = generationOf(event);
    const stale = generation !== null && generation !== this.currentGeneration;
    if (event.type === 'load-progress') return this.pending.has(event.id); // news about a request, not its reply
    const id = 'id' in event ? event.id : null;
    if (id !== null) {
      const waiting = this.pending.get(id);
      if (!waiting) return false; // nobody waits for it any more
      this.pending.delete(id);
      if (event.type === 'error') {
        waiting.reject(new Error(event.message));
        return true;
      }
      waiting.resolve(stale ? null : (event as ReplyEvent));
      return !stale;
    }
    if (stale) return false;
    if (event.type === 'manifold') {
      // A push computed before the newest view request was handled would show the old view.
      const newest = this.latest.get('view');
      if (newest !== undefined && this.pending.has(newest)) return false;
    }
    return true;
  }
}
