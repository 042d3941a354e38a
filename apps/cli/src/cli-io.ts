// What the CLI touches outside itself, passed in so commands are tested without a process or a disk.
import { readFileSync, statSync } from 'node:fs';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Returns the text, or throws (ENOENT, EISDIR, ...). Refuses files over maxBytes without reading them. */
  readFile(path: string, maxBytes: number): string;
  /** What a path names: a directory argument is searched for the pipeline file. Anything else counts as a file. */
  pathKind(path: string): 'file' | 'directory' | 'missing';
}

export class FileTooLargeError extends Error {
  constructor(readonly bytes: number, readonly maxBytes: number) {
    super(`file is ${bytes} bytes; expected at most ${maxBytes}`);
  }
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path, maxBytes) => {
    const { size } = statSync(path);
    if (size > maxBytes) throw new FileTooLargeError(size, maxBytes);
    return readFileSync(path, 'utf8');
  },
  pathKind: (path) => {
    try {
      return statSync(path).isDirectory() ? 'directory' : 'file';
    } catch {
      return 'missing';
    }
  },
};
