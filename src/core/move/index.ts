// Moving a dispatch, in one home: the move and its claim (move.ts), the placement (place.ts), the repair
// and what listings show meanwhile (repair.ts), and the verdict on a racer's move (verdict.ts).
export { moveNoClobber } from './move';
export type { MoveResult } from './move';
export { place, placeholderOf, takeAway } from './place';
export { pendingClaims, repairClaims, hiddenPlaceholders } from './repair';
export type { Recognise } from './verdict';
export { headHash, sameFile } from './identity';
export type { FileSeen } from './identity';
export { claimPart, newClaimId } from './names';
export { errnoOf, fsyncDir, writeNew } from './files';
