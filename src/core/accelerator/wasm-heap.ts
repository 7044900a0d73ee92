/**
 * Access to tfjs-backend-wasm's heap for this project's own WebAssembly kernels (the *.wat files
 * here): a kernel module imports the backend's memory and works on tensors where they lie, by
 * byte offset. Everything here is typed by hand: tfjs does not export these parts of BackendWasm.
 */
import * as tf from '../tf';

/** The parts of tfjs-backend-wasm's BackendWasm used by the kernels. */
export interface WasmBackend {
  typedArrayFromHeap(info: { shape: number[]; dtype: tf.DataType; dataId: object }): Float32Array;
  refCount(dataId: object): number;
  /** Allocates a tensor on the heap (uninitialised). */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  getMemoryOffset(dataId: object): number;
  /** The backend's record of each tensor's data: its id on the C++ side and where it lies. */
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number; shape: number[] } | undefined };
  wasm: {
    HEAPU8: Uint8Array;
    wasmMemory?: WebAssembly.Memory;
    asm?: { memory?: WebAssembly.Memory };
    /** The C++ side's tensor registry (backend.cc): `disposeData` drops an id and runs its disposal callbacks, without freeing memory. */
    tfjs: { registerTensor(id: number, size: number, memoryOffset: number): void; disposeData(id: number): void };
  };
}

/** The backend's WebAssembly memory (its heap), or null where tfjs does not expose it. */
export function heapMemory(backend: WasmBackend): WebAssembly.Memory | null {
  return [backend.wasm.wasmMemory, backend.wasm.asm?.memory].find((m) => m instanceof WebAssembly.Memory && m.buffer === backend.wasm.HEAPU8.buffer) ?? null;
}

/** True when the memory is shared between threads (tfjs' threaded wasm build). */
export function isSharedMemory(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** Compiles a kernel module from its base64 bytes (the *-wasm.ts files); throws where the engine lacks a feature it uses. */
export function compileModule(base64: string): WebAssembly.Module {
  return new WebAssembly.Module(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
}

/** The module's exports, instantiated on a backend's memory; null when that is impossible (no SIMD, no memory handle). */
export function instantiateOnHeap(backend: WasmBackend, modules: { plain: string; shared: string }): WebAssembly.Exports | null {
  try {
    const memory = heapMemory(backend);
    if (!memory) return null;
    return new WebAssembly.Instance(compileModule(isSharedMemory(memory) ? modules.shared : modules.plain), { env: { memory } }).exports;
  } catch {
    return null; // e.g. no SIMD: callers fall back to tfjs kernels
  }
}

/**
 * One kernel module per wasm backend instance, created on first use: `exportsOf(backend)` gives its
 * exports or null (then the caller takes the stock tfjs path).
 */
export function perBackend<T>(modules: { plain: string; shared: string }, bind: (exports: WebAssembly.Exports) => T): (backend: WasmBackend) => T | null {
  const cache = new WeakMap<object, T | null>();
  return (backend) => {
    if (!cache.has(backend)) {
      const exports = instantiateOnHeap(backend, modules);
      cache.set(backend, exports ? bind(exports) : null);
    }
    return cache.get(backend) ?? null;
  };
}

/** The active backend when it is tfjs-backend-wasm, else null. */
export function activeWasmBackend(): WasmBackend | null {
  return tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackend) : null;
}

/** A kernel body: the inputs by name, the wasm backend, the attributes; returns its output(s). */
export type WasmKernelBody = (inputs: Record<string, tf.TensorInfo>, backend: WasmBackend, attrs: Record<string, unknown>) => tf.TensorInfo | tf.TensorInfo[];

/**
 * Registers a kernel of the wasm backend under `name`, and its gradient when given, once (later
 * calls do nothing).
 */
export function registerWasmKernel(name: string, body: WasmKernelBody, gradient?: Omit<tf.GradConfig, 'kernelName'>): void {
  if (tf.getKernel(name, 'wasm')) return;
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => body(inputs as Record<string, tf.TensorInfo>, backend as unknown as WasmBackend, (attrs ?? {}) as Record<string, unknown>),
  });
  if (gradient) tf.registerGradient({ kernelName: name, ...gradient });
}

/** A kernel module's exports inside a kernel body, where the `can…` check has already found them. */
export function moduleOrThrow<T>(lookup: (backend: WasmBackend) => T | null, backend: WasmBackend, what: string): T {
  const module = lookup(backend);
  if (!module) throw new Error(`The ${what} cannot run on this wasm backend`);
  return module;
}

/** The byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: WasmBackend, t: tf.TensorInfo): number {
  return backend.getMemoryOffset(t.dataId);
}

/**
 * Tells tfjs-wasm that a tensor's data was written in place, so that no kernel computes with a
 * stale copy of it. tfjs-wasm caches XNNPACK operators by their weight's data id (Conv2D's filter,
 * MatMul's right-hand operand), and each holds the weight packed when it was created: tfjs never
 * writes a tensor in place, so it drops them only when the data is disposed. Without this, a conv
 * filter updated in place by fused-adam.ts kept convolving with its first values (the conv VAE
 * trained with its encoder's convolutions frozen in the forward pass, about 14 nats worse).
 * Re-registering the data under the same id runs the backend's disposal callbacks, which delete
 * those operators; the memory stays where it is (JavaScript frees it, not the C++ side).
 */
export function forgetCachedOperators(backend: WasmBackend, dataId: object): void {
  const data = backend.dataIdMap.get(dataId);
  if (!data) return;
  backend.wasm.tfjs.disposeData(data.id);
  backend.wasm.tfjs.registerTensor(data.id, tf.util.sizeFromShape(data.shape), data.memoryOffset);
}

/** Runs `body` with a float32 scratch buffer of `size` elements on the heap, freed afterwards. */
export function withScratch(backend: WasmBackend, size: number, body: (offset: number) => void): void {
  const scratch = backend.makeOutput([size], 'float32');
  try {
    body(heapOffset(backend, scratch));
  } finally {
    backend.disposeData(scratch.dataId, true);
  }
}
