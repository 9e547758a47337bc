// Tree items carry a URI of our own scheme so that decorations (priority badges) attach to them and
// never to real `file:` URIs: the Explorer and editor tabs must not get badges.
import * as vscode from 'vscode';
import type { Dispatch } from '../../core/api';
import { isPriority, Priority } from '../../core/format/format';
import { escapeName } from '../../core/fs/rawname';

export const ITEM_SCHEME = 'dispatch-inbox';

export function itemUri(d: Dispatch): vscode.Uri {
  // A name that is not UTF-8 holds lone surrogates (core/fs/rawname.ts), which a URI cannot encode.
  return vscode.Uri.from({ scheme: ITEM_SCHEME, path: `/${d.team}/${d.box}/${escapeName(d.fileName)}`, query: `priority=${d.priority}` });
}

export function priorityOf(uri: vscode.Uri): Priority | undefined {
  if (uri.scheme !== ITEM_SCHEME) return undefined;
  const p = new URLSearchParams(uri.query).get('priority');
  return isPriority(p) ? p : undefined;
}
