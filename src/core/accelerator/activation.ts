/**
 * A dense layer's bias and ReLU on the wasm backend (activation.wat), forward-only kernels used
 * inside the layer's custom gradient (dense.ts): bias + ReLU in one pass instead of reshape,
 * broadcast add and relu; ReLU's backward with the bias gradient in one pass instead of step,
 * multiply and sum.
 */
import * as tf from '../tf';
import { WASM_PLAIN, WASM_SHARED } from './activation-wasm';
import { activeWasmBackend, heapOffset, moduleOrThrow, perBackend, registerWasmKernel, type WasmBackend } from './wasm-heap';

interface ActivationExports {
  biasActivation(pre: number, bias: number, out: number, units: number, batch: number, relu: number): void;
  reluGrad(dy: number, y: number, g: number, db: number, units: number, batch: number): void;
}

const BIAS_ACTIVATION = 'VaeBiasActivation';
const RELU_GRAD = 'VaeReluGrad';

const moduleFor = perBackend({ plain: WASM_PLAIN, shared: WASM_SHARED }, (exports) => exports as unknown as ActivationExports);

const kernels = (backend: WasmBackend) => moduleOrThrow(moduleFor, backend, 'activation kernels');

function register(): void {
  registerWasmKernel(BIAS_ACTIVATION, ({ pre, bias }, wasm, attrs) => {
    const [units, batch] = pre.shape;
    const out = wasm.makeOutput([units, batch], 'float32');
    const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
    kernels(wasm).biasActivation(at(pre), at(bias), at(out), units, batch, attrs.relu ? 1 : 0);
    return out;
  });
  registerWasmKernel(RELU_GRAD, ({ dy, y }, wasm) => {
    const [units, batch] = y.shape;
    const g = wasm.makeOutput([units, batch], 'float32');
    const db = wasm.makeOutput([units], 'float32');
    const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
    kernels(wasm).reluGrad(at(dy), at(y), at(g), at(db), units, batch);
    return [g, db];
  });
}

/** True when the active backend runs these kernels for feature-major tensors of this batch size (a multiple of 4). */
export function canFuseBiasActivation(batch: number): boolean {
  const backend = activeWasmBackend();
  if (!backend || batch % 4 !== 0 || !moduleFor(backend)) return false;
  register();
  return true;
}

/** act(pre + bias) for act linear or ReLU: pre [U, B], bias [U] -> [U, B]. Not differentiable: for custom gradients. */
export function fusedBiasActivation(pre: tf.Tensor2D, bias: tf.Tensor, relu: boolean): tf.Tensor2D {
  return tf.engine().runKernel<tf.Tensor2D>(BIAS_ACTIVATION, { pre, bias }, { relu });
}

/** ReLU's backward from dy and the output y [U, B]: g = dy where y > 0 [U, B], and db = Σ_B g [U]. */
export function fusedReluGrad(dy: tf.Tensor2D, y: tf.Tensor2D): { g: tf.Tensor2D; db: tf.Tensor1D } {
  const [g, db] = tf.engine().runKernel<tf.Tensor[]>(RELU_GRAD, { dy, y });
  return { g: g as tf.Tensor2D, db: db as tf.Tensor1D };
}
