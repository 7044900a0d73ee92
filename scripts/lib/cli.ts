/**
 * Running a Node command-line entry point so that every failure reaches the user as one plain
 * line and an exit code: 2 for bad usage (with a hint), 1 for anything else.
 *
 * Why the process-wide handlers: tfjs-backend-wasm's Emscripten module installs
 * `process.on('uncaughtException')` and `process.on('unhandledRejection')` handlers that rethrow.
 * An error thrown from inside a handler makes Node print the source line it came from (the
 * module's one minified line, about 39 kB) and exit with code 7. Catching errors around `main`
 * covers the usual path; handlers registered here, before the backend starts, run before the
 * module's and exit first for anything that escapes (a rejection nobody awaited).
 */

/** Exit code for a command line that can't be run as given (unknown option, malformed value). */
export const EXIT_USAGE = 2;
/** Exit code for a failure while running (missing data, unwritable output, a training error). */
export const EXIT_FAILURE = 1;

/** A mistake in the command line: reported with exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Ends with `main`'s outcome: 0 when it resolves, otherwise one plain line on stderr and exit 1 or 2;
 * `hint` (e.g. where the options are listed) follows the line of a UsageError only, since a failure
 * of the data or the output folder is not mended by another option.
 */
export async function runCli(main: () => Promise<void>, hint: string): Promise<void> {
  const fail = (err: unknown) => {
    process.stderr.write(`${plainMessage(err)}\n${err instanceof UsageError ? `${hint}\n` : ''}`);
    process.exit(err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  try {
    await main();
  } catch (err) {
    fail(err);
  }
}

/** The error's message as one line (a sentence ending in a full stop); the stack only with VAE_DEBUG=1. */
export function plainMessage(err: unknown): string {
  if (process.env.VAE_DEBUG === '1' && err instanceof Error && err.stack) return err.stack;
  const text = err instanceof Error ? err.message : String(err);
  const line = text.replace(/\s+/g, ' ').trim() || 'The command failed for an unknown reason.';
  const short = line.length > 400 ? `${line.slice(0, 397)}...` : line;
  return /[.!?]$/.test(short) ? short : `${short}.`;
}
