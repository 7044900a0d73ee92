/**
 * Checking an output folder before a long run, so that a folder that can't take the results is
 * refused in the first second rather than after the training: it is created, a probe file is
 * written into it and removed, and system folders (/proc, /sys, /dev) are refused outright.
 */
import { mkdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { UsageError } from './cli';

/** Folders of the kernel's pseudo file systems: writes there are not files, and some block. */
const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];

/** Makes sure `dir` is a folder this process can write to (creating it); returns its absolute path. */
export async function prepareOutputDir(dir: string, flag = '--out'): Promise<string> {
  const target = resolve(dir);
  const system = systemRoot(target) ?? systemRoot(await realTarget(target));
  if (system) throw new UsageError(`${flag} ${dir} is inside ${system}, a system folder; choose a folder of your own.`);

  const info = await stat(target).catch(() => null);
  if (info && !info.isDirectory()) throw new Error(`${flag} ${dir} is a file, not a folder.`);
  try {
    await mkdir(target, { recursive: true });
  } catch (err) {
    throw new Error(`Cannot create the output folder ${dir}: ${fsReason(err)}.`);
  }
  const probe = join(target, `.write-probe-${process.pid}`);
  try {
    await writeFile(probe, 'probe');
  } catch (err) {
    throw new Error(`Cannot write to the output folder ${dir}: ${fsReason(err)}.`);
  }
  await rm(probe, { force: true });
  return target;
}

/** The system root that `path` lies in, if any. */
function systemRoot(path: string): string | undefined {
  return SYSTEM_ROOTS.find((root) => path === root || path.startsWith(root + sep));
}

/** `path` with symbolic links resolved as far as it exists (a link into /proc counts as /proc). */
async function realTarget(path: string): Promise<string> {
  let existing = path;
  for (;;) {
    try {
      return join(await realpath(existing), relative(existing, path));
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      existing = parent;
    }
  }
}

/** A file-system error's cause in a few plain words. */
function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'part of the path is a file, not a folder';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    default:
      return (err as Error).message.replace(/\.$/, '');
  }
}
