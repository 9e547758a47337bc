// Shared by the cadence tests.
/** The seed's table, verbatim (dispatch-protocol.md, "Cadence triggers"). */
export const SEED_TABLE = `## Cadences
| Dispatch | To | Frequency | Last Sent |
|----------|----|-----------|-----------|
| Site health check | web_ops | weekly | 2026-01-31 |
| Dependency audit | qa | weekly | 2026-01-28 |
| SEO report | engineering | monthly | 2026-01-15 |
`;
