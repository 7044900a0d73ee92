/**
 * The classes of a dataset: how many, and their names for people (the class picker, the legend, the
 * hover card). Known datasets are recognised by their name, which load-dataset.ts takes from the file
 * names' prefix (`emnist-letters-...`, `kmnist-...`) or else the folder (`.../fashion-mnist/`):
 *
 * - MNIST, QMNIST, EMNIST digits and mnist: the digits "0" to "9";
 * - Fashion-MNIST: "T-shirt/top" ... "Ankle boot";
 * - KMNIST: the ten hiragana with their romanisation, "お (o)" ... "を (wo)";
 * - EMNIST letters: "a" to "z" (the files label them 1 to 26; `shiftLetterLabels` makes them 0 to 25 on load);
 * - EMNIST balanced and bymerge (47): the digits, "A" to "Z", then the lower-case letters they keep
 *   apart from the capitals (a b d e f g h n q r t); EMNIST byclass (62): the digits, "A" to "Z", "a" to "z".
 *
 * The count is the known dataset's when every label fits in it, else the largest label + 1. Any other
 * dataset (or labels beyond the known table) gets "class 0" to "class K-1"; a name that contains
 * "mnist" and matches nothing else is taken for MNIST-like digits (a copy of MNIST under another name).
 */
import type { DatasetSplits } from './dataset';

/** The datasets whose classes have names here. */
export type KnownDataset = 'digits' | 'fashion' | 'kmnist' | 'emnist-letters' | 'emnist-balanced' | 'emnist-byclass';

const DIGITS = Array.from({ length: 10 }, (_, i) => String(i));
const UPPER = Array.from({ length: 26 }, (_, i) => String.fromCharCode(65 + i));
const LOWER = Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i));

/** Each known dataset's class names, label by label. */
export const CLASS_NAMES: Readonly<Record<KnownDataset, readonly string[]>> = {
  digits: DIGITS,
  fashion: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  kmnist: ['お (o)', 'き (ki)', 'す (su)', 'つ (tsu)', 'な (na)', 'は (ha)', 'ま (ma)', 'や (ya)', 'れ (re)', 'を (wo)'],
  'emnist-letters': LOWER,
  // EMNIST's balanced and bymerge splits merge the lower-case letters that look like their capitals (c i j k l m o p s u v w x y z).
  'emnist-balanced': [...DIGITS, ...UPPER, ...'abdefghnqrt'],
  'emnist-byclass': [...DIGITS, ...UPPER, ...LOWER],
};

/** The known dataset a dataset name stands for ("emnist-letters", "fashion-mnist", "KMNIST", "qmnist"), or null. */
export function knownDataset(name: string): KnownDataset | null {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (n.includes('fashion')) return 'fashion';
  if (n.includes('kmnist') || n.includes('kuzushiji')) return 'kmnist';
  if (n.includes('emnist')) {
    if (n.includes('letters')) return 'emnist-letters';
    if (n.includes('balanced') || n.includes('bymerge')) return 'emnist-balanced';
    if (n.includes('byclass')) return 'emnist-byclass';
    return n.includes('digits') || n.endsWith('emnistmnist') ? 'digits' : null;
  }
  return n.includes('mnist') ? 'digits' : null;
}

/** The largest label + 1 over all `labels` arrays (0 when there are none). */
export function labelCount(...labels: ArrayLike<number>[]): number {
  let top = -1;
  for (const list of labels) for (let i = 0; i < list.length; i++) if (list[i] > top) top = list[i];
  return top + 1;
}

/**
 * The class names of a dataset named `name` whose labels go up to `count - 1`: the known dataset's
 * names when they cover every label (their number is then the known dataset's), else "class 0" to
 * "class <count - 1>". The list's length is the number of classes (the one-hot width of a conditional VAE).
 */
export function classNamesFor(name: string, count: number): string[] {
  const known = knownDataset(name);
  const table = known ? CLASS_NAMES[known] : null;
  if (table && count <= table.length) return [...table];
  return Array.from({ length: count }, (_, i) => `class ${i}`);
}

/** The class names of a loaded dataset (both splits' labels counted). */
export function classNamesOf(splits: DatasetSplits): string[] {
  return classNamesFor(splits.name, labelCount(splits.train.labels, splits.test.labels));
}

/** True when the classes are the ten digits "0" to "9" (the app then says "digit"; else "class"). */
export function areDigits(names: readonly string[]): boolean {
  return names.length === DIGITS.length && names.every((n, i) => n === DIGITS[i]);
}

/**
 * EMNIST letters' files label a to z as 1 to 26 (0 is unused); this makes them 0 to 25, in place,
 * when `name` is EMNIST letters and no label is 0. Returns whether it shifted them.
 */
export function shiftLetterLabels(name: string, labels: Uint8Array): boolean {
  if (knownDataset(name) !== 'emnist-letters' || labels.length === 0) return false;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 0) return false;
  for (let i = 0; i < labels.length; i++) labels[i] -= 1;
  return true;
}
