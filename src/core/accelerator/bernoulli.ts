/**
 * The Bernoulli reconstruction loss and its gradient in one pass on the wasm backend (bernoulli.wat),
 * as a tfjs kernel. Written with stock ops, the loss and its gradient are ~12 element-wise kernels
 * over the [784, B] logits, each a pass over memory with its own overhead.
 */
import * as tf from '../tf';
import { WASM_PLAIN, WASM_SHARED } from './bernoulli-wasm';
import { HELPER_BERNOULLI, runShared } from './helper-thread';
import { activeWasmBackend, heapOffset, moduleOrThrow, perBackend, registerWasmKernel } from './wasm-heap';

interface BernoulliExports {
  bernoulli(logits: number, x: number, nll: number, grad: number, pixels: number, batch: number, bStart: number, bEnd: number): void;
  scaleColumns(g: number, scale: number, out: number, pixels: number, batch: number): void;
}

const KERNEL = 'VaeBernoulliNll';
const SCALE_COLUMNS = 'VaeScaleColumns';

const moduleFor = perBackend({ plain: WASM_PLAIN, shared: WASM_SHARED }, (exports) => exports as unknown as BernoulliExports);

function register(): void {
  registerWasmKernel(KERNEL, ({ logits, x }, wasm) => {
    const [pixels, batch] = logits.shape;
    const nll = wasm.makeOutput([batch], 'float32');
    const grad = wasm.makeOutput([pixels, batch], 'float32');
    const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
    // The examples shared with the helper thread where there is one.
    runShared(wasm, HELPER_BERNOULLI, batch, 4, true, (start, end) => [at(logits), at(x), at(nll), at(grad), pixels, batch, start, end], moduleOrThrow(moduleFor, wasm, 'Bernoulli kernel').bernoulli);
    return [nll, grad];
  });
  registerWasmKernel(SCALE_COLUMNS, ({ g, scale }, wasm) => {
    const [pixels, batch] = g.shape;
    const out = wasm.makeOutput([pixels, batch], 'float32');
    const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
    moduleOrThrow(moduleFor, wasm, 'Bernoulli kernel').scaleColumns(at(g), at(scale), at(out), pixels, batch);
    return out;
  });
}

/** True when the active backend can run the fused kernel for logits of this shape [D, B] (B a multiple of 4). */
export function canFuseBernoulli(shape: number[]): boolean {
  const backend = activeWasmBackend();
  if (!backend || shape.length !== 2 || shape[1] % 4 !== 0 || !moduleFor(backend)) return false;
  register();
  return true;
}

/**
 * -log p(x | logits) per example and its gradient sigmoid(logits) - x, feature-major: logits, x
 * [D, B] -> nll [B], grad [D, B]. Check `canFuseBernoulli` first.
 */
export function fusedBernoulliNll(logits: tf.Tensor2D, x: tf.Tensor2D): { nll: tf.Tensor1D; grad: tf.Tensor2D } {
  if (logits.shape.join() !== x.shape.join()) throw new Error(`fusedBernoulliNll: logits ${logits.shape} and x ${x.shape} differ`);
  const [nll, grad] = tf.engine().runKernel<tf.Tensor[]>(KERNEL, { logits, x });
  return { nll: nll as tf.Tensor1D, grad: grad as tf.Tensor2D };
}

/** g [D, B] with each column b times scale[b] [B] -> [D, B]: the loss gradient times each example's upstream gradient. Check `canFuseBernoulli` first. */
export function scaleColumns(g: tf.Tensor2D, scale: tf.Tensor1D): tf.Tensor2D {
  if (scale.shape[0] !== g.shape[1]) throw new Error(`scaleColumns: g ${g.shape} and scale ${scale.shape} differ`);
  return tf.engine().runKernel<tf.Tensor2D>(SCALE_COLUMNS, { g, scale });
}
