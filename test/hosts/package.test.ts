// The CLI as an npm package: `npm pack` of this checkout installs offline with `npm install -g` into a
// prefix, brings no dependency with it (everything is bundled), and `dispatch` works from its bin link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installPackage } from './setup-hosts';

const built = fs.existsSync(path.join(__dirname, '..', '..', 'dist', 'cli.js'));

test(
  'npm pack → npm install -g --offline into a prefix: dispatch --version, help, init, checkin',
  { skip: !built && 'dist/ not built: npm run build', timeout: 120_000 },
  async () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-prefix-'));
    try {
      const pkg = await installPackage(prefix);
      assert.ok(!fs.existsSync(path.join(pkg.dir, 'node_modules')), 'no dependencies installed');
      const bin = path.join(prefix, 'bin', 'dispatch');
      const env = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: prefix };
      const run = (args: string[]) => execFileSync(bin, args, { env, encoding: 'utf8' });
      const version = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version as string;
      assert.equal(run(['--version']), `${version}\n`);
      assert.match(run(['help', 'checkin']), /^usage: dispatch checkin --team TEAM/);
      const root = path.join(prefix, 'root');
      run(['--root', root, 'init', 'web_ops']);
      run(['--root', root, 'send', '--to', 'web_ops', '--from', 'qa', '--priority', 'urgent', '--title', 'Packed and shipped', '--body', 'x']);
      assert.match(run(['--root', root, 'checkin', '--team', 'web_ops']), /\[urgent\] \*\*Packed and shipped\*\*/);
      for (const f of [
        'dist/cli.js',
        'dist/mcp.js',
        'dist/hook.js',
        'skills/dispatch/SKILL.md',
        '.claude-plugin/plugin.json',
        'gemini-extension.json',
        'LICENSE',
      ])
        assert.ok(fs.existsSync(path.join(pkg.dir, f)), f);
    } finally {
      fs.rmSync(prefix, { recursive: true, force: true });
    }
  },
);
