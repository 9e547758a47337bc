// Text other agents or a server wrote, made safe for one line of a terminal or a UI surface: the one
// control-character pattern, the one stripper and the one truncation of the project (CLI, MCP, UI).

/**
 * C0 but tab and newline, DEL and C1 (ESC, CSI, OSC…), and the bidirectional controls that make a
 * terminal show text in another order than it is (Trojan Source): ALM, LRM/RLM, embeddings and isolates.
 */
export const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Terminal escapes and bidi controls in a file must not drive (or mislead) the reader's terminal. */
export function stripControl(s: string): string {
  return s.replace(CONTROL, '');
}

/** At most `max` characters, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

/** One line, bounded: every run of whitespace (line breaks, CR, tabs) becomes one space, other controls go. */
export function oneLine(text: string, max = 120): string {
  return truncate(stripControl(text.replace(/\s+/g, ' ')).trim(), max);
}
