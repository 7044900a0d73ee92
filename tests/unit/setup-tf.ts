import { initNodeBackend } from '../../scripts/lib/tf-node';

// Component tests run in happy-dom, where React never touches tfjs; everything else gets real tfjs on wasm.
if (typeof window === 'undefined') {
  await initNodeBackend((process.env.TF_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');
}
