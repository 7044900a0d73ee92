/** File names of a model saved as flat files (no tfjs here, so the main thread can use them). */
import type { Part } from './artifacts';

/** A base name safe in any file system: letters, digits, dot, dash and underscore, at most 60 characters. */
export function safeBaseName(name: string): string {
  const cleaned = name.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '').slice(0, 60);
  return cleaned || 'vae';
}

/** The flat file names of a model saved under `base`. */
export function flatNames(base: string): { manifest: string; model: (part: Part) => string; weights: (part: Part) => string } {
  return {
    manifest: `${base}.vae.json`,
    model: (part) => `${base}.${part}.json`,
    weights: (part) => `${base}.${part}.weights.bin`,
  };
}
