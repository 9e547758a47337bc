// Standalone Agent Mail double: `node --import tsx test/agentmail-double/main.ts --port 8765`.
import { parseArgs } from 'node:util';
import { DOUBLE_MODES, DoubleMode, startAgentMailDouble } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8765' },
      token: { type: 'string' },
      project: { type: 'string', default: process.cwd() },
      mode: { type: 'string', default: 'normal' },
    },
  });
  if (!(DOUBLE_MODES as readonly string[]).includes(values.mode)) throw new Error(`unknown mode ${values.mode}; one of ${DOUBLE_MODES.join(', ')}`);
  const dbl = await startAgentMailDouble({
    port: Number(values.port),
    token: values.token,
    project: values.project,
    mode: values.mode as DoubleMode,
    reservations: [
      { agent: 'GreenCastle', path_pattern: 'src/core/**', reason: 'refactoring the index', ttlSeconds: 45 * 60 },
      { agent: 'BlueLake', path_pattern: 'README.md', exclusive: false, reason: 'docs pass', ttlSeconds: 10 * 60 },
    ],
  });
  process.stdout.write(`Agent Mail double on ${dbl.url} (project ${dbl.project}, mode ${values.mode})\n`);
  const stop = (): void => void dbl.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`agentmail-double: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
