// Names a Linux sender can write into a shared root that Windows refuses or folds (reserved devices,
// trailing dots and spaces, `<>:"|?*\`, names differing only in case). Made with Linux file calls:
// on Windows (the Wine run) scripts/test-windows.ts makes them before node.exe starts, since Windows'
// own calls cannot create them.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const FOREIGN_NAMES = [
  'CON',
  'NUL.md',
  'COM1.md',
  'aux.md',
  'trailing-dot.md.',
  'trailing-space.md ',
  'a:b.md',
  'a<b>.md',
  'why?.md',
  'st*r.md',
  'p|p.md',
  'quote".md',
  'back\\slash.md',
  'Case.md',
  'case.md',
];
/** Already acknowledged, and differing from `Case.md` only in case. */
export const FOREIGN_CUR = 'CASE.md';

/** `<root>/qa/{tmp,new,cur}` with every foreign name in new/ (its own name as body) and FOREIGN_CUR in cur/. */
export function writeForeignRoot(root: string): void {
  for (const b of ['tmp', 'new', 'cur']) mkdirSync(path.join(root, 'qa', b), { recursive: true });
  for (const n of FOREIGN_NAMES) writeFileSync(path.join(root, 'qa', 'new', n), `---\nfrom: eng\n---\n# ${n}\n`);
  writeFileSync(path.join(root, 'qa', 'cur', FOREIGN_CUR), 'acknowledged before\n');
}
