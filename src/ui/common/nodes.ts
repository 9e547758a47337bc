// The nodes of the Inbox tree, as every surface that receives one from a menu or keybinding sees them
// (the tree makes them; Send takes a team node; actions take dispatch nodes).
import type { Dispatch } from '../../core/api';
import { Box } from '../../core/format/format';

export interface TeamNode {
  kind: 'team';
  team: string;
}
export interface BoxNode {
  kind: 'box';
  team: string;
  box: Box;
}
export interface DispatchNode {
  kind: 'dispatch';
  dispatch: Dispatch;
}
export interface MoreNode {
  kind: 'more';
  team: string;
  box: Box;
  shown: number;
  total: number;
}
export type InboxNode = TeamNode | BoxNode | DispatchNode | MoreNode;
