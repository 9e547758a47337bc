// "Who holds the file in my editor": Agent Mail patterns are gitignore-style (gitwildmatch) globs.
// Hand-written rather than picomatch/minimatch: neither is a direct dependency, and we need gitignore's
// rules (slash-less patterns match at any depth; a matched directory holds what is under it).
//
// Patterns come from the server (or anything answering on its port), so matching must not backtrack:
// the pattern is compiled to a token list and run as a set of states over the path (Thompson-style),
// O(tokens × path length) whatever the pattern. Longer patterns than MAX_PATTERN_LENGTH never match.

/** Longer patterns are refused (no match): no real reservation pattern comes near it. */
export const MAX_PATTERN_LENGTH = 1024;

type Token =
  | { t: 'lit'; c: string }
  | { t: 'one' } // `?`: one character other than '/'
  | { t: 'class'; negate: boolean; chars: string; ranges: [string, string][] } // one character other than '/'
  | { t: 'star' } // `*`: any run without '/'
  | { t: 'any' } // `**` inside a segment: any run, '/' included
  | { t: 'invalid' } // a malformed class: the pattern matches nothing
  | { t: 'dirs' }; // `**/` at a segment start (and the implicit prefix of slash-less patterns): zero or more whole segments

const cache = new Map<string, Token[] | null>();

function clean(p: string): string {
  return p
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '');
}

function classAt(p: string, i: number): [Token, number] | undefined {
  const end = p.indexOf(']', i + 2);
  if (end < 0) return undefined;
  let body = p.slice(i + 1, end);
  const negate = body.startsWith('!') || body.startsWith('^');
  if (negate) body = body.slice(1);
  let chars = '';
  const ranges: [string, string][] = [];
  for (let k = 0; k < body.length; k++) {
    if (body[k + 1] === '-' && k + 2 < body.length) {
      // A reversed range (`[z-a]`) makes the whole pattern invalid: it never matches.
      if (body[k] > body[k + 2]) return [{ t: 'invalid' }, end + 1];
      ranges.push([body[k], body[k + 2]]);
      k += 2;
    } else {
      chars += body[k];
    }
  }
  return [{ t: 'class', negate, chars, ranges }, end + 1];
}

// Appends a wildcard, collapsing runs (`***`, `****`, `**/**/`) into one token.
function pushWild(out: Token[], tok: Token): void {
  const last = out[out.length - 1];
  if (tok.t === 'star' && last && (last.t === 'star' || last.t === 'any')) return;
  if (tok.t === 'any' && last && (last.t === 'star' || last.t === 'any')) {
    out[out.length - 1] = tok;
    return;
  }
  if (tok.t === 'dirs' && last?.t === 'dirs') return;
  out.push(tok);
}

function compile(glob: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < glob.length;) {
    const c = glob[i];
    if (glob.startsWith('**/', i) && (i === 0 || glob[i - 1] === '/')) {
      pushWild(out, { t: 'dirs' });
      i += 3;
    } else if (glob.startsWith('**', i)) {
      pushWild(out, { t: 'any' });
      i += 2;
    } else if (c === '*') {
      pushWild(out, { t: 'star' });
      i++;
    } else if (c === '?') {
      out.push({ t: 'one' });
      i++;
    } else if (c === '[' && classAt(glob, i)) {
      const [tok, next] = classAt(glob, i) as [Token, number];
      out.push(tok);
      i = next;
    } else {
      out.push({ t: 'lit', c });
      i++;
    }
  }
  return out;
}

function tokensFor(pattern: string): Token[] | null {
  if (cache.has(pattern)) return cache.get(pattern) ?? null;
  let tokens: Token[] | null = null;
  if (pattern.length <= MAX_PATTERN_LENGTH) {
    const p = clean(pattern.trim()).replace(/\/+$/, '');
    // Slash-less patterns match a path component at any depth.
    const compiled = p ? compile(p) : [];
    if (p && !compiled.some((tok) => tok.t === 'invalid')) tokens = [...(p.includes('/') ? [] : [{ t: 'dirs' } as Token]), ...compiled];
  }
  if (cache.size > 500) cache.clear();
  cache.set(pattern, tokens);
  return tokens;
}

function classHas(tok: Extract<Token, { t: 'class' }>, ch: string): boolean {
  const inSet = tok.chars.includes(ch) || tok.ranges.some(([lo, hi]) => lo <= ch && ch <= hi);
  return tok.negate ? !inSet : inSet;
}

/** Whether a one-character token (literal, `?`, class) takes `ch`. */
function takesOne(tok: Token, ch: string): boolean {
  if (tok.t === 'lit') return ch === tok.c;
  if (ch === '/') return false;
  if (tok.t === 'one') return true;
  return tok.t === 'class' && classHas(tok, ch);
}

/** Adds state `i` and everything reachable from it without consuming a character (wildcards may match nothing). */
function enter(tokens: Token[], states: Uint8Array, i: number): void {
  for (; i < tokens.length; i++) {
    states[i] = 1;
    const t = tokens[i].t;
    if (t !== 'star' && t !== 'any' && t !== 'dirs') return;
  }
  states[tokens.length] = 1;
}

function run(tokens: Token[], path: string): boolean {
  const n = tokens.length;
  let cur = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  // Inside a `dirs` segment (some characters consumed, its '/' not yet): it cannot end there.
  let curMid = new Uint8Array(n);
  let nextMid = new Uint8Array(n);
  enter(tokens, cur, 0);
  for (let k = 0; k < path.length; k++) {
    const ch = path[k];
    // The whole pattern matched a leading run of segments: what is under it is held too.
    if (cur[n] && ch === '/') return true;
    next.fill(0);
    nextMid.fill(0);
    let alive = false;
    for (let i = 0; i < n; i++) {
      const tok = tokens[i];
      if (curMid[i] || (cur[i] && tok.t === 'dirs')) {
        if (ch === '/') enter(tokens, next, i);
        else nextMid[i] = 1;
        alive = true;
      }
      if (!cur[i] || tok.t === 'dirs') continue;
      if (tok.t === 'any' || (tok.t === 'star' && ch !== '/')) {
        enter(tokens, next, i);
        alive = true;
      } else if (takesOne(tok, ch)) {
        enter(tokens, next, i + 1);
        alive = true;
      }
    }
    if (!alive) return false;
    [cur, next] = [next, cur];
    [curMid, nextMid] = [nextMid, curMid];
  }
  return cur[n] === 1;
}

/** True when `pattern` (exact path, directory, or glob like `src/**`, `*.ts`) covers `relativePath`. */
export function matchesPath(pattern: string, relativePath: string): boolean {
  const path = clean(relativePath);
  if (!path) return false;
  const tokens = tokensFor(pattern);
  return tokens !== null && run(tokens, path);
}
