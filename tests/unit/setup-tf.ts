import { initNodeBackend } from '../../scripts/lib/tf-node';

await initNodeBackend((process.env.TF_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');
