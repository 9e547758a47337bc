// Editing a host's JSON settings as text (jsonc-parser's modify + applyEdits, as vsce and the GitHub
// extension do): only the places we change are rewritten. Every other byte stays: comments, key order,
// indentation, and numbers JSON.parse would change (a user id past 2^53, `1e400`). A file that does not
// parse, or whose shape at our paths is not what the host expects, is refused and left untouched.
import { applyEdits, findNodeAtLocation, getNodeValue, modify, Node, parseTree, ParseError, printParseErrorCode, FormattingOptions } from 'jsonc-parser';

export class JsonRefused extends Error {}

type JSONPath = Array<string | number>;

/** The indentation and line ends the file already uses (two spaces and \n for a new one). */
function formatting(text: string): FormattingOptions {
  const m = /^[{[][^\S\n]*\r?\n([ \t]+)\S/.exec(text);
  const indent = m?.[1] ?? '  ';
  return { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

export class JsonText {
  private tree: Node | undefined;
  readonly changes: string[] = [];

  constructor(
    public text: string,
    private readonly where: string,
  ) {
    if (text.trim() === '') this.text = '{}\n';
    const errors: ParseError[] = [];
    this.tree = parseTree(this.text.replace(/^\uFEFF/, ''), errors, { allowTrailingComma: true, disallowComments: false });
    if (errors.length) {
      const e = errors[0];
      throw new JsonRefused(`${where} is not valid JSON (${printParseErrorCode(e.error)} at offset ${e.offset}); left untouched: fix it, then run setup again`);
    }
    if (this.tree?.type !== 'object') throw new JsonRefused(`${where} does not hold a JSON object; left untouched`);
  }

  get(p: JSONPath): unknown {
    const n = this.tree && findNodeAtLocation(this.tree, p);
    return n ? getNodeValue(n) : undefined;
  }

  /** Refuses when a value on the way to `p` is there but of another kind than the host expects. */
  expect(p: JSONPath, kind: 'object' | 'array'): void {
    const v = this.get(p);
    if (v === undefined) return;
    const is = kind === 'array' ? Array.isArray(v) : !!v && typeof v === 'object' && !Array.isArray(v);
    if (!is) throw new JsonRefused(`"${p.join('.')}" in ${this.where} is not ${kind === 'array' ? 'a list' : 'an object'}; left untouched`);
  }

  set(p: JSONPath, value: unknown, what: string): void {
    this.apply(modify(this.text, p, value, { formattingOptions: formatting(this.text) }));
    this.changes.push(what);
  }

  append(p: JSONPath, value: unknown, what: string): void {
    this.apply(modify(this.text, [...p, -1], value, { formattingOptions: formatting(this.text), isArrayInsertion: true }));
    this.changes.push(what);
  }

  private apply(edits: ReturnType<typeof modify>): void {
    this.text = applyEdits(this.text, edits);
    this.tree = parseTree(this.text, [], { allowTrailingComma: true });
  }

  /** The text to write: ends with a line end, as the file did (or as a new file should). */
  result(): string {
    return /\r?\n$/.test(this.text) ? this.text : this.text + formatting(this.text).eol;
  }
}
