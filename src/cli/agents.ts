// The verbs for agents and their hosts, loaded only when one of them runs. The MCP server is its own
// bundle (dist/mcp.js, built beside dist/cli.js; src/cli/mcp.ts when run from source): the SDK is
// large, and `dispatch list` or a prompt hook should not pay for parsing it.
import * as path from 'node:path';
import type { DispatchStore } from '../core/store';
import type { Io } from './io';
import type * as Mcp from './mcp';

export async function agentCommand(name: 'checkin' | 'setup' | 'mcp' | 'doctor', store: DispatchStore, args: string[], io: Io, root?: string): Promise<number> {
  if (name === 'checkin') return (await import('./checkin')).checkinCommand(store, args, io);
  if (name === 'doctor') return (await import('./doctor')).doctorCommand(args, io, root);
  if (name === 'setup') return (await import('./setup')).setupCommand(args, io, root);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a computed path, so esbuild never bundles the SDK into cli.js
  const mcp = require(path.join(__dirname, 'mcp')) as typeof Mcp;
  return mcp.mcpCommand(store.root, args, io);
}
