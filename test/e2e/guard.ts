// Cancellable steps: a step drives the page and the store through these proxies, which refuse every call
// once the step's signal is aborted and track the calls in flight. A timed-out step is aborted and its
// calls in flight are waited out, so nothing it left running can answer a later step's prompt.
const GUARDED = new Set(['Page', 'Locator', 'FrameLocator', 'Keyboard', 'Mouse', 'Frame', 'ElementHandle', 'DispatchStore']);
/** Property reads that hand out objects a step acts through (everything else is read raw, for Playwright's own checks). */
const GUARDED_PROPS = new Set(['keyboard', 'mouse']);

export interface Guard {
  signal: AbortSignal;
  /** Calls begun and not settled yet. */
  inflight: Set<Promise<unknown>>;
}

function guardable(v: unknown): v is object {
  return typeof v === 'object' && v !== null && GUARDED.has((v as object).constructor?.name ?? '');
}

export function guard<T extends object>(target: T, g: Guard): T {
  return new Proxy(target, {
    get(t, key) {
      const v = Reflect.get(t, key, t) as unknown;
      if (typeof v !== 'function') return GUARDED_PROPS.has(String(key)) && guardable(v) ? guard(v, g) : v;
      return (...args: unknown[]) => {
        g.signal.throwIfAborted();
        const out = (v as (...a: unknown[]) => unknown).apply(t, args);
        if (!(out instanceof Promise)) return guardable(out) ? guard(out, g) : out;
        const p = out.then((r) => (guardable(r) ? guard(r, g) : r));
        const tracked = p.catch(() => undefined);
        g.inflight.add(tracked);
        void tracked.finally(() => g.inflight.delete(tracked));
        return p;
      };
    },
  });
}
