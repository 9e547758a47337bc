// The seed's first real dispatch, verbatim (docs: dispatch-protocol.md), with a title line for its body.
export const seed = `---
from: engineering
to: web_ops
priority: normal
status: pending
created: 2026-01-31
related_bead: _skills-73r
---
# Update the site for the new resume skill

Context, and "acceptance criteria".
`;
