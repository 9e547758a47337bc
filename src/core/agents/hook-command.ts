// How a hook names our CLI: absolute paths, no PATH lookup, no `npm link`, and failing open. A host runs
// `/bin/sh -c SCRIPT NODE CLI ARGS…`: the script runs the CLI when both files are there, else prints one
// line saying so and exits 0 (a missing command would exit 127: a "hook error" in Claude Code, silence
// for the model). Claude Code takes it as `command` + `args` (exec form, no quoting at all); Codex, Gemini
// CLI, Cursor and Copilot take one command string, so there the same argv is quoted for sh.

/** Where the installed CLI is: the Node that runs it and the bundle, both absolute. */
export interface CliPaths {
  node: string;
  cli: string;
}

export interface ExecHook {
  command: string;
  args: string[];
}

const SH = '/bin/sh';

/** A word for sh, quoted only when it must be: `'…'` with `'\''` for each quote. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The fail-open script: `$0` is node, `$1` the CLI. `missing` is what to print when either is gone (the
 * host's JSON for a session-start hook; nothing for a prompt hook, which must not add a line to every prompt).
 */
function script(missing: string | undefined): string {
  const otherwise = missing === undefined ? 'exit 0' : `printf '%s\\n' ${shellQuote(missing)}`;
  return `if [ -x "$0" ] && [ -f "$1" ]; then exec "$0" "$@"; fi; ${otherwise}`;
}

export function execHook(paths: CliPaths, args: string[], missing?: string): ExecHook {
  return { command: SH, args: ['-c', script(missing), paths.node, paths.cli, ...args] };
}

export function stringHook(paths: CliPaths, args: string[], missing?: string): string {
  const h = execHook(paths, args, missing);
  return [h.command, ...h.args].map(shellQuote).join(' ');
}

/** The line a session-start hook gives when the CLI is gone: a fact, and the one step that fixes it. */
export function missingCliLine(cli: string): string {
  return `dispatch: the inbox was not checked: the dispatch CLI is no longer at ${cli} (\`dispatch setup\` from where it is installed now writes its new place)`;
}
