/**
 * Text from a model file (a layer name, a class name, a manifest field, a path) on its way into a
 * message: cut to a length a message can hold and made safe to show, so a file cannot flood the
 * error banner (a 10 MB layer name once made a 10-million-character banner).
 */

/** How many characters of one text from a file a message quotes by default. */
export const QUOTE_MAX = 60;
/** How many characters of a file's location a message shows by default. */
export const LOCATION_MAX = 120;
/** The longest message shown to a person; longer ones are cut. */
export const MESSAGE_MAX = 600;

// Control characters and the bidirectional overrides that could reorder the rest of a message.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** The first `max` characters (code points, so no pair is split) of `text`, with "…" when something was cut. */
function cutEnd(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text.slice(0, max * 2 + 2));
  return points.length <= max ? points.join('') : `${points.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** The start and the end of `text`, `max` characters in all, with "…" between when something was cut. */
function cutMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Array.from(text.slice(0, max)).slice(0, Math.ceil((max - 1) / 2)).join('');
  const tail = Array.from(text.slice(-max)).slice(-Math.floor((max - 1) / 2)).join('');
  return `${head}…${tail}`;
}

const escapeUnsafe = (text: string) => text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A value read from a file, cut to at most `max` characters and made safe to show, without quotes; non-text values as JSON. */
export function textFromFile(value: unknown, max = QUOTE_MAX): string {
  if (typeof value === 'string') return escapeUnsafe(cutEnd(value, max));
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return escapeUnsafe(cutEnd(json ?? String(value), max));
}

/** A value read from a file, quoted ("name") and cut to at most `max` characters; non-text values as JSON, unquoted. */
export function quoteFromFile(value: unknown, max = QUOTE_MAX): string {
  return typeof value === 'string' ? `"${textFromFile(value, max).replace(/"/g, '\\"')}"` : textFromFile(value, max);
}

/** A file's location (a URL or a path, which may come from a manifest) cut in the middle to at most `max` characters. */
export function showLocation(location: string, max = LOCATION_MAX): string {
  return escapeUnsafe(cutMiddle(location, max));
}

/** A message cut to at most `max` characters, for anything on its way to the person (the worker's errors). */
export function capMessage(message: string, max = MESSAGE_MAX): string {
  return cutEnd(message, max);
}
