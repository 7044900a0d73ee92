/**
 * The browser's tfjs, set up once by the workers' entry points (training.worker.ts, the bench page's
 * worker) before anything else: every gradient (training needs them; tfjs-layers imports the same
 * module) and the backends tried in order (backend.ts: webgl, wasm, cpu; webgpu is imported only
 * when chosen). The code itself imports tfjs from src/core/tf.ts.
 *
 * Unlike the `@tensorflow/tfjs` umbrella, this leaves out the chained ops (`x.add(y)` for
 * `tf.add(x, y)`): nothing here calls them (src/ compiles without their types; in tfjs-layers only
 * the unused rSquared metric does), and they keep every op in the bundle (15 kB gzipped).
 */
// tfjs-core first, as the umbrella does: registering a gradient reads a flag that core's own module
// registers (in dev, Vite's prebundled copy of the gradients module would otherwise run first).
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-wasm';
