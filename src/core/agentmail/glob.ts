// "Who holds the file in my editor": Agent Mail patterns are gitignore-style (gitwildmatch) globs.
// Hand-written (~40 lines) rather than picomatch/minimatch: neither is a direct dependency, and we need
// gitignore's rules (slash-less patterns match at any depth; a matched directory holds what is under it).

const cache = new Map<string, RegExp | null>();

function clean(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

function classAt(p: string, i: number): [string, number] | undefined {
  const end = p.indexOf(']', i + 2);
  if (end < 0) return undefined;
  let body = p.slice(i + 1, end);
  const negate = body.startsWith('!') || body.startsWith('^');
  if (negate) body = body.slice(1);
  body = body.replace(/[\\\]^]/g, '\\$&');
  return [`[${negate ? '^/' : ''}${body}]`, end + 1];
}

function compile(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; ) {
    const c = glob[i];
    if (glob.startsWith('**/', i) && (i === 0 || glob[i - 1] === '/')) {
      out += '(?:.*/)?';
      i += 3;
    } else if (glob.startsWith('**', i)) {
      out += '.*';
      i += 2;
    } else if (c === '*') {
      out += '[^/]*';
      i++;
    } else if (c === '?') {
      out += '[^/]';
      i++;
    } else if (c === '[' && classAt(glob, i)) {
      const [cls, next] = classAt(glob, i) as [string, number];
      out += cls;
      i = next;
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  return out;
}

function regexFor(pattern: string): RegExp | null {
  if (cache.has(pattern)) return cache.get(pattern) ?? null;
  let p = clean(pattern.trim());
  if (p.endsWith('/')) p = p.replace(/\/+$/, '');
  let re: RegExp | null = null;
  if (p) {
    // Slash-less patterns match a path component at any depth; anything under a match is held too.
    const anchor = p.includes('/') ? '^' : '^(?:.*/)?';
    try {
      re = new RegExp(`${anchor}${compile(p)}(?:/.*)?$`);
    } catch {
      re = null;
    }
  }
  if (cache.size > 500) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** True when `pattern` (exact path, directory, or glob like `src/**`, `*.ts`) covers `relativePath`. */
export function matchesPath(pattern: string, relativePath: string): boolean {
  const path = clean(relativePath);
  if (!path) return false;
  const re = regexFor(pattern);
  return re !== null && re.test(path);
}
