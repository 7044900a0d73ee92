/** Which 2-D plane of the latent space the scatter and the manifold show. */
import { useMemo } from 'react';
import { pcaPlane } from '../core/latent/pca';
import { axisPlane, type LatentPlane } from '../core/latent/plane';
import type { LatentCodes } from './hooks/useTraining';
import type { Settings } from './state/settings';

/** A plane with the names of its axes. */
export interface PlaneView {
  plane: LatentPlane;
  /** Axis titles, e.g. ["z1", "z2"] or ["PC 1", "PC 2"]. */
  axisNames: [string, string];
  /** Changes when the plane is a different one (so a zoom is kept only within one plane). */
  key: string;
}

/** The plane for the settings: z1/z2 in 2-D; above, two chosen dimensions or the PCA plane of the codes. */
export function usePlaneView(settings: Settings, latents: LatentCodes | null): PlaneView {
  const { latent, proj, dims } = settings;
  const [i, j] = dims;
  // Only the PCA plane depends on the codes: the other planes stay the same object when new codes
  // arrive, so nothing that follows the view (the manifold request, the scatter layout) reacts.
  const pca = latent > 2 && proj !== 'dims';
  const codes = pca ? latents : null;
  return useMemo(() => {
    if (latent <= 2) return { plane: axisPlane(2, 0, 1), axisNames: ['z1', 'z2'], key: 'z1,z2' };
    if (!pca) return { plane: axisPlane(latent, i, j), axisNames: [`z${i + 1}`, `z${j + 1}`], key: `${latent}:z${i + 1},z${j + 1}` };
    if (!codes || codes.latentDim !== latent) return { plane: axisPlane(latent, 0, 1), axisNames: ['z1', 'z2'], key: `${latent}:pca-pending` };
    // Oriented by the codes alone (not by the previous plane): the same model always looks the same.
    const plane = pcaPlane(codes.means, codes.count, latent);
    return { plane, axisNames: ['PC 1', 'PC 2'], key: `${latent}:pca` };
  }, [latent, pca, i, j, codes]);
}
