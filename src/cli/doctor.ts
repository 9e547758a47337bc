// `dispatch [--root DIR] doctor [--json]`: one line per agent host set up here (this project and the home
// folder): will its dispatch hooks fire, and if not, the one step that fixes it. Exit 0 when every one
// will, 1 when one will not (or none is set up), 2 usage.
import * as os from 'node:os';
import * as path from 'node:path';
import { doctor, verdictLine } from '../core/agents/doctor';
import { defaultRoot } from '../core/store';
import { Io, parse, print, printJSON, UsageError } from './io';

export const DOCTOR_USAGE = `usage: dispatch [--root DIR] doctor [--json]
  For each agent host with dispatch hooks in this project or the home folder: whether they will fire
  (the CLI where the hook says, the root and the team's inbox, Codex's trust, Gemini's matcher, the MCP
  server), and if not, the one step that fixes it.`;

export async function doctorCommand(argv: string[], io: Io, root?: string): Promise<number> {
  const { values, positionals } = parse(argv);
  if (positionals.length) throw new UsageError('doctor takes no arguments');
  const verdicts = doctor({
    project: process.cwd(),
    home: io.env.HOME?.trim() || os.homedir(),
    env: io.env,
    defaultRoot: path.resolve(root ?? defaultRoot(io.env)),
  });
  if (values.json) printJSON(io, verdicts);
  else if (!verdicts.length)
    print(io, 'no agent host has dispatch hooks here or in the home folder: `dispatch setup claude|codex|gemini|cursor|copilot --team TEAM`');
  else for (const v of verdicts) print(io, verdictLine(v));
  return verdicts.length && verdicts.every((v) => v.fires) ? 0 : 1;
}
