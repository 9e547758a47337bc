// `dispatch cadences [--file F] [--from TEAM] [--json] [--send [--dry-run]]`: the recurring dispatches
// of a TEAM.md, which are due, and sending them. Exit 0 ok, 1 refused/failed, 2 usage.
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { isDate, localDate } from '../core/cadences/table';
import { findTeamFile } from '../core/cadences/file';
import { CadenceCheck, CadenceSendResult, CadenceStatus, checkCadences, sendDueCadences } from '../core/cadences/send';
import { DispatchError, DispatchStore } from '../core/store';
import { argvError, Io, UsageError } from './io';
import { safeJSON } from './print';
import { stripControl } from '../core/format/text';

export const CADENCES_USAGE = 'cadences [--file F] [--from TEAM] [--json] [--send [--dry-run]] [--today YYYY-MM-DD]';

export async function cadencesCommand(store: DispatchStore, argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        file: { type: 'string' },
        from: { type: 'string' },
        json: { type: 'boolean' },
        send: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        today: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(argvError(e));
  }
  if (values['dry-run'] && !values.send) throw new UsageError('--dry-run goes with --send');
  if (values.send && !values.from) throw new UsageError('cadences --send needs --from TEAM (the team that sends them)');
  if (values.file !== undefined && !values.file.trim()) throw new UsageError('--file needs a file');
  if (values.today !== undefined && !isDate(values.today)) throw new UsageError('--today must be a date YYYY-MM-DD');
  const today = values.today ?? localDate();
  const home = io.env.HOME || os.homedir();
  const file = await findTeamFile(process.cwd(), home, values.file);
  if (!file) throw new DispatchError('not-found', 'no TEAM.md: looked for .team/TEAM.md and TEAM.md here, then ~/.team/TEAM.md (or give --file F)');
  const line = (s: string) => io.out.write(stripControl(s) + '\n');
  const warn = (s: string) => io.err.write(`dispatch: ${stripControl(s)}\n`);

  if (!values.send) {
    const c = await checkCadences(store, file, values.from, today);
    if (values.json) io.out.write(safeJSON(c) + '\n');
    else printCheck(c, line, warn);
    return 0;
  }
  const r = await sendDueCadences(store, file, { from: values.from!, today, dryRun: values['dry-run'] });
  if (values.json) io.out.write(safeJSON(r) + '\n');
  else printSend(r, line, warn);
  if (!values.json && r.last_sent.error) warn(`Last Sent not updated: ${r.last_sent.error}`);
  return r.cadences.some((c) => c.result === 'failed') || r.last_sent.error ? 1 : 0;
}

function head(c: CadenceCheck, line: (s: string) => void, warn: (s: string) => void): void {
  line(`${c.file} · today ${c.today}${c.from ? ` · from ${c.from}` : ''}`);
  if (!c.found) line('no "Cadences" heading in this file');
  else if (!c.cadences.length && !c.bad_rows.length) line('no cadences in the table');
  for (const b of c.bad_rows) warn(`${c.file}:${b.line}: ${b.reason}; skipped`);
}

function describe(c: CadenceStatus): string {
  return `${c.dispatch} → ${c.to} · ${c.frequency} · last ${c.last_sent ?? 'never'} · next ${c.next}`;
}

function printCheck(c: CadenceCheck, line: (s: string) => void, warn: (s: string) => void): void {
  head(c, line, warn);
  for (const r of c.cadences) {
    const tag = !r.due ? '-      ' : r.skip_reason ? 'skip   ' : 'due    ';
    line(`${tag}${describe(r)}${r.skip_reason ? ` (${r.skip_reason})` : ''}`);
  }
  const due = c.cadences.filter((r) => r.due && !r.skip_reason).length;
  line(`${due} due${due ? ` (send with: dispatch cadences --send --from ${c.from ?? 'TEAM'})` : ''}`);
}

function printSend(r: CadenceSendResult, line: (s: string) => void, warn: (s: string) => void): void {
  head(r, line, warn);
  const tags = { sent: 'sent   ', 'would-send': 'would send ', skipped: 'skip   ', 'not-due': '-      ', failed: 'FAILED ' };
  for (const c of r.cadences) {
    const extra = c.result === 'sent' ? ` → ${c.sent?.path}` : c.skip_reason ? ` (${c.skip_reason})` : c.error ? ` (${c.error})` : '';
    line(`${tags[c.result]}${describe(c)}${extra}`);
  }
  const n = (k: string) => r.cadences.filter((c) => c.result === k).length;
  const parts = [n('would-send') ? `${n('would-send')} would be sent (dry run)` : `${n('sent')} sent`, `${n('skipped')} skipped`];
  if (n('failed')) parts.push(`${n('failed')} failed`);
  if (r.last_sent.updated) parts.push(`Last Sent set to ${r.today} in ${r.last_sent.updated} row(s)`);
  line(parts.join(', '));
}
