/**
 * The error banner's messages. A new error joins the ones shown in the last few seconds instead of
 * replacing them: two inputs that fail together (a bad `?data=` and a bad `?model=` at start) each
 * keep their sentence. Dismissing the banner, or a success that clears it, empties the list.
 */
import { useCallback, useMemo, useState } from 'react';

/** One shown error: its sentence and when it came (ms, performance.now()). */
export interface ShownError {
  message: string;
  at: number;
}

/** How long an error keeps its place when another one comes (ms). */
export const ERRORS_JOIN_MS = 15_000;
/** Most errors shown at once (the newest). */
export const MAX_ERRORS = 3;

/**
 * The same error again: the same sentence apart from its numbers ("diverged at step 374" and "at
 * step 375"), which replaces the earlier one rather than stacking beside it.
 */
function sameError(a: string, b: string): boolean {
  const shape = (m: string) => m.replace(/\d+(\.\d+)?/g, '#');
  return shape(a) === shape(b);
}

/**
 * The list after `message` (null: clear) at time `now`: the errors of the last ERRORS_JOIN_MS
 * other than this one (or the same apart from its numbers), then this one, at most MAX_ERRORS.
 */
export function nextErrors(list: readonly ShownError[], message: string | null, now: number): ShownError[] {
  if (message === null) return [];
  const recent = list.filter((e) => !sameError(e.message, message) && now - e.at < ERRORS_JOIN_MS);
  return [...recent, { message, at: now }].slice(-MAX_ERRORS);
}

/** The list without the errors `outdated` picks (a success has answered them: a setting applied, a backend started). */
export function withdrawErrors(list: readonly ShownError[], outdated: (message: string) => boolean): readonly ShownError[] {
  return list.some((e) => outdated(e.message)) ? list.filter((e) => !outdated(e.message)) : list;
}

const clock = () => performance.now();

/**
 * The banner's text (the sentences, one a line), the setter (a message is added, null clears) and
 * `withdraw` (drops the errors a success has answered); both functions are the same every render.
 */
export function useErrorList(): [string | null, (message: string | null) => void, (outdated: (message: string) => boolean) => void] {
  const [list, setList] = useState<readonly ShownError[]>([]);
  const show = useCallback((message: string | null) => {
    const now = clock();
    setList((l) => nextErrors(l, message, now));
  }, []);
  const withdraw = useCallback((outdated: (message: string) => boolean) => setList((l) => withdrawErrors(l, outdated)), []);
  const text = useMemo(() => (list.length ? list.map((e) => e.message).join('\n') : null), [list]);
  return [text, show, withdraw];
}
