// Merging our hooks into a Claude Code settings.json that belongs to someone else: every other key and
// hook is kept (and their order), a hook already there is not added twice, and a file we cannot
// understand is left exactly as it is.

export interface HookSpec {
  event: string;
  matcher?: string;
  command: string;
  timeout: number;
}

export type MergeResult = { changed: boolean; text: string; added: string[] } | { error: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function hasCommand(entries: unknown[], command: string): boolean {
  return entries.some((e) => isObj(e) && Array.isArray(e.hooks) && e.hooks.some((h) => isObj(h) && h.command === command));
}

/** The indentation the file already uses (two spaces for a new file). */
function indentOf(text: string): string | number {
  const m = /^\{\s*?\n([ \t]+)\S/.exec(text);
  return m ? m[1] : 2;
}

export function mergeHooks(text: string | undefined, specs: HookSpec[], where: string): MergeResult {
  let data: unknown = {};
  if (text !== undefined && text.trim() !== '') {
    try {
      data = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (e) {
      return { error: `${where} is not valid JSON (${(e as Error).message.slice(0, 120)}); left untouched: fix it, then run setup again` };
    }
  }
  if (!isObj(data)) return { error: `${where} does not hold a JSON object; left untouched` };
  if (data.hooks !== undefined && !isObj(data.hooks)) return { error: `"hooks" in ${where} is not an object; left untouched` };
  const hooks: Obj = (data.hooks as Obj | undefined) ?? {};
  const added: string[] = [];
  for (const s of specs) {
    const list = hooks[s.event];
    if (list !== undefined && !Array.isArray(list)) return { error: `"hooks.${s.event}" in ${where} is not a list; left untouched` };
    const entries = (list as unknown[] | undefined) ?? [];
    if (hasCommand(entries, s.command)) continue;
    const entry: Obj = s.matcher !== undefined ? { matcher: s.matcher } : {};
    entry.hooks = [{ type: 'command', command: s.command, timeout: s.timeout }];
    hooks[s.event] = [...entries, entry];
    added.push(s.event);
  }
  if (!added.length) return { changed: false, text: text ?? '', added };
  data.hooks = hooks;
  return { changed: true, text: JSON.stringify(data, null, indentOf(text ?? '')) + '\n', added };
}
