/**
 * The file names MNIST-layout datasets come with: MNIST's own (`train-images-idx3-ubyte`, `t10k-...`),
 * and the variants' (EMNIST `emnist-<split>-train-images-idx3-ubyte`, QMNIST `qmnist-test-labels-idx2-int`,
 * prefixes like `kmnist-` or `fashion-`, `test` for `t10k`, `.idx3-ubyte` as some mirrors unpack them).
 */

/** Which of the four files. */
export type IdxFileKey = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

/** The four keys, in download order. */
export const IDX_FILE_KEYS: readonly IdxFileKey[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

/** How one dataset names its four files. */
export interface NameScheme {
  /** Put before every name, e.g. "emnist-balanced-" ("" for MNIST). */
  prefix: string;
  /** What the test split is called: MNIST's "t10k" or "test". */
  test: 't10k' | 'test';
  /** Between "images" and "idx3": "-" (MNIST) or "." (some unpacked copies). */
  separator: '-' | '.';
  /** The label file's suffix: MNIST's "idx1-ubyte", or QMNIST's "idx2-int" (int32 rows, class first). */
  labels: 'idx1-ubyte' | 'idx2-int';
  /** EMNIST stores each image transposed (column by column). */
  transposed: boolean;
}

/** MNIST's own names (Fashion-MNIST and KMNIST's IDX files use them too). */
export const MNIST_NAMES: NameScheme = { prefix: '', test: 't10k', separator: '-', labels: 'idx1-ubyte', transposed: false };

/** The splits of EMNIST, whose files are named `emnist-<split>-...`. */
export const EMNIST_SPLITS = ['balanced', 'byclass', 'bymerge', 'digits', 'letters', 'mnist'] as const;

const PLAIN_PREFIXES = ['fashion-', 'fashion-mnist-', 'kmnist-', 'mnist-'];

/** Every scheme looked for in a folder, the likeliest first (MNIST's own names first of all). */
export const NAME_SCHEMES: readonly NameScheme[] = [
  MNIST_NAMES,
  { ...MNIST_NAMES, separator: '.' },
  { ...MNIST_NAMES, test: 'test' },
  ...PLAIN_PREFIXES.flatMap((prefix) => [
    { ...MNIST_NAMES, prefix },
    { ...MNIST_NAMES, prefix, test: 'test' as const },
  ]),
  ...EMNIST_SPLITS.map((split) => ({ ...MNIST_NAMES, prefix: `emnist-${split}-`, test: 'test' as const, transposed: true })),
  { ...MNIST_NAMES, prefix: 'qmnist-', test: 'test', labels: 'idx2-int' },
  { ...MNIST_NAMES, prefix: 'qmnist-', test: 'test' },
];

/** The name (without `.gz`) of one of the four files under a scheme. */
export function idxFileName(scheme: NameScheme, key: IdxFileKey): string {
  const split = key === 'trainImages' || key === 'trainLabels' ? 'train' : scheme.test;
  const images = key === 'trainImages' || key === 'testImages';
  return `${scheme.prefix}${split}-${images ? 'images' : 'labels'}${scheme.separator}${images ? 'idx3-ubyte' : scheme.labels}`;
}

/** The four names of a scheme. */
export function idxFileNames(scheme: NameScheme): Record<IdxFileKey, string> {
  return Object.fromEntries(IDX_FILE_KEYS.map((k) => [k, idxFileName(scheme, k)])) as Record<IdxFileKey, string>;
}

const FILE_NAME = /^(.*?)(train|test|t10k)-(images|labels)([-.])(idx\d-(?:ubyte|int))(\.gz)?$/;

/** The scheme of one of the four files' names (`emnist-letters-train-images-idx3-ubyte.gz`...), or null. */
export function schemeOfFileName(name: string): NameScheme | null {
  const m = FILE_NAME.exec(name);
  if (!m) return null;
  const [, prefix, split, kind, separator, suffix] = m;
  if (kind === 'images' && suffix !== 'idx3-ubyte') return null;
  if (kind === 'labels' && suffix !== 'idx1-ubyte' && suffix !== 'idx2-int') return null;
  const test = split === 'train' ? (prefix.startsWith('emnist-') || prefix.startsWith('qmnist-') ? 'test' : 't10k') : (split as 't10k' | 'test');
  const labels = kind === 'labels' ? (suffix as NameScheme['labels']) : prefix.startsWith('qmnist-') ? 'idx2-int' : 'idx1-ubyte';
  return { prefix, test, separator: separator as '-' | '.', labels, transposed: prefix.startsWith('emnist-') };
}

/**
 * The names looked for, in words, for a message about a folder that has none of them: MNIST's test
 * labels file by name, the variants' (NAME_SCHEMES) by dataset, so the sentence stays short.
 */
export function describeLookedFor(): string {
  return `${idxFileName(MNIST_NAMES, 'testLabels')} (.gz or plain), nor the test labels of EMNIST, Fashion-MNIST, KMNIST or QMNIST under their own names`;
}
