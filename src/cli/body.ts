// A --body-file that is a pipe (FIFO, `<(cmd)`): opened non-blocking, so a pipe nobody writes to is
// refused instead of hanging the CLI forever in open(2).
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import { DispatchError } from '../core/api';

/** How long a pipe may stay silent (a writer connected but quiet) before we give up. */
const SILENT_MS = Number(process.env.DISPATCH_PIPE_WAIT_MS) || 10_000;

/** The body from a pipe; undefined when `file` is not a pipe (read it the ordinary way). */
export async function readBodyFrom(file: string, max: number): Promise<string | undefined> {
  const st = await fs.stat(file);
  if (!st.isFIFO()) return undefined;
  const fh = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    let quietSince = Date.now();
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      let n: number;
      try {
        n = (await fh.read(buf, 0, buf.length, null)).bytesRead;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        if (Date.now() - quietSince > SILENT_MS) throw new DispatchError('io', `--body-file ${file}: the pipe stayed silent for ${SILENT_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      // Nothing yet reads as end of file too while no writer has opened the pipe: wait for a first byte.
      if (n === 0 && total) break; // end of file: every writer closed
      if (n === 0) {
        if (Date.now() - quietSince > SILENT_MS) break;
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      quietSince = Date.now();
      total += n;
      if (total > max) throw new DispatchError('invalid', 'body larger than 10 MiB');
      chunks.push(buf.subarray(0, n));
    }
    if (!total) throw new DispatchError('invalid', `--body-file ${file} is a pipe nobody wrote to in ${SILENT_MS / 1000} s; nothing sent`);
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    await fh.close();
  }
}
