/** The pretrained model shipped with the app (public/models/mnist-2d, trained by `npm run train`) and which model the app opens with. */
import type { ModelSource } from '../../worker/protocol';
import type { Settings } from '../state/settings';

/** Path of the bundled model's manifest, relative to the page. */
export const BUNDLED_MODEL_PATH = 'models/mnist-2d/vae.json';

/** The bundled model's architecture: the app opens with it when the address asks for this architecture. */
export const BUNDLED_ARCHITECTURE = { hidden: [512, 256], latent: 2, likelihood: 'bernoulli' } as const;

/** The bundled model's absolute URL for a page at `base`. */
export function bundledModelUrl(base: string = document.baseURI): string {
  return new URL(BUNDLED_MODEL_PATH, base).href;
}

/** True when the settings describe the bundled model's architecture. */
export function matchesBundled(s: Pick<Settings, 'arch' | 'conditional' | 'hidden' | 'latent' | 'likelihood'>): boolean {
  const a = BUNDLED_ARCHITECTURE;
  return s.arch === 'mlp' && !s.conditional && s.hidden.join(',') === a.hidden.join(',') && s.latent === a.latent && s.likelihood === a.likelihood;
}

/**
 * The models to open with, in order: the bundled model when the address's architecture is the bundled
 * one (README, Weights: other architectures start from fresh weights). The address's `?model=` is not
 * among them: it loads after, in the background (`addressModel`), so a slow server never holds the page.
 */
export function startModels(s: Settings, base: string = document.baseURI): ModelSource[] {
  return matchesBundled(s) ? [{ kind: 'url', url: bundledModelUrl(base), label: 'the bundled model' }] : [];
}

/**
 * The model the address names (`?model=`, or an `?encoder=&decoder=` pair of model.json URLs), loaded once
 * the first model shows and replacing it when complete; null when none.
 */
export function addressModel(s: Settings, base: string = document.baseURI): ModelSource | null {
  if (s.encoder && s.decoder) return { kind: 'url', url: new URL(s.decoder, base).href, encoder: new URL(s.encoder, base).href };
  return s.model ? { kind: 'url', url: new URL(s.model, base).href } : null;
}
