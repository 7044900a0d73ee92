/**
 * What the exploring panels share with each other and with the latent plot: the drawing's posterior
 * (an interpolation endpoint, a marker on the plot), the interpolation path (drawn on the plot), and the
 * test digit the latent point was last moved to (so "use current z" can name it).
 */
import { Store } from '../state/store';

/** The drawing as the model sees it, and what it makes of it. */
export interface DrawingCode {
  /** The MNIST-like image, intensities in [0, 1], [side*side]. */
  image: Float32Array;
  /** Posterior mean and log-variance [latentDim]. */
  mean: number[];
  logVar: number[];
  /** Decoding at the mean, and at one sample of q(z|x), [side*side]. */
  atMean: Float32Array;
  atSample: Float32Array;
  /** −log p(x|z) averaged over samples of z, and KL(q(z|x) || p(z)), nats. */
  reconstruction: number;
  kl: number;
  /** Model step the encoding belongs to. */
  step: number;
}

/** The interpolation as the latent plot draws it. */
export interface PathOverlay {
  /** Densely sampled points along the path (a smooth curve in any projection), [latentDim] each. */
  curve: number[][];
  /** The decoded frames' points, first = A, last = B. */
  frames: number[][];
}

/** A test digit the latent point was moved to, and where. */
export interface ChosenDigit {
  index: number;
  z: number[];
}

/** The shared state. */
export interface ExploreState {
  drawing: DrawingCode | null;
  path: PathOverlay | null;
  digit: ChosenDigit | null;
}

/** A fresh shared state. */
export function exploreStore(): Store<ExploreState> {
  return new Store<ExploreState>({ drawing: null, path: null, digit: null });
}

/** Updates some fields of the shared state. */
export function patchExplore(store: Store<ExploreState>, patch: Partial<ExploreState>): void {
  store.set({ ...store.get(), ...patch });
}
