// Text other agents or a server wrote, made safe for one line of a terminal or a UI surface: the one
// control-character pattern, the one stripper and the one truncation of the project (CLI, MCP, UI).

/**
 * C0 but tab and newline, DEL and C1 (ESC, CSI, OSC…, NEL), the bidirectional controls that make a
 * terminal show text in another order than it is (Trojan Source): ALM, LRM/RLM, embeddings and isolates,
 * and the Unicode line and paragraph separators, which a model or a JavaScript reader takes as line breaks.
 */
export const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** Every character that starts a new line for some reader: LF, VT, FF, CR (and CRLF), NEL, LS, PS. */
const LINE_BREAK = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/;

/** Terminal escapes and bidi controls in a file must not drive (or mislead) the reader's terminal. */
export function stripControl(s: string): string {
  return s.replace(CONTROL, '');
}

/** At most `max` characters, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

/**
 * The rule for every single-line field another team wrote (sender, title, time, bead, status, warning),
 * on every surface: one line, bounded. Every run of whitespace and line breaks (CR, VT, FF, NEL, U+2028,
 * U+2029 too) becomes one space, other controls go.
 */
export function oneLine(text: string, max = 120): string {
  return truncate(stripControl(text.replace(/[\s\u0085]+/g, ' ')).trim(), max);
}

/**
 * Untrusted multi-line text (a body to quote) as its lines, split at every kind of line break, not only
 * `\n`: a quote that prefixes each of these keeps all of the text inside it.
 */
export function splitLines(text: string): string[] {
  return text.split(LINE_BREAK);
}
