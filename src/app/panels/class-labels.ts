/**
 * How the panels name a class: by the dataset's class names (core/data/class-names.ts, sent with the
 * worker's `ready`), else by its label number; and whether the data are digits, so that the wording
 * says "digit" for MNIST-like data and "class" (or "image") for anything else.
 */
import { areDigits } from '../../core/data/class-names';

/** The name of class `c`: the dataset's, else the label number. */
export function classLabel(names: readonly string[] | undefined, c: number): string {
  return names?.[c] ?? String(c);
}

/** A short name for a small tile or a packed legend: "class 12" -> "12", "お (o)" -> "お"; others unchanged. */
export function shortClassLabel(names: readonly string[] | undefined, c: number): string {
  const name = classLabel(names, c);
  if (name === `class ${c}`) return String(c);
  return name.replace(/ \(.*\)$/, '');
}

/**
 * True when the classes are the ten digits: the names say so, or (before the names arrive with the
 * whole dataset) there are at most ten classes, as with the built-in MNIST.
 */
export function digitClasses(names: readonly string[] | undefined, count: number): boolean {
  return names ? areDigits(names) : count <= 10;
}
