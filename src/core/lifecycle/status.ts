// The lifecycle's statuses, with no dependencies: the views import this without loading the core.
export const STATUSES = ['pending', 'accepted', 'completed'] as const;
export type Status = (typeof STATUSES)[number];

export function isStatus(v: unknown): v is Status {
  return typeof v === 'string' && (STATUSES as readonly string[]).includes(v);
}

/** The status a dispatch's front matter says, if it is one of the lifecycle's. */
export function statusOf(data: Record<string, unknown> | undefined): Status | undefined {
  const s = data?.status;
  return isStatus(s) ? s : undefined;
}
