// Where to find Agent Mail and who we are there. Explicit options (settings, CLI flags) win over the
// environment variables users already set for Beads and other clients.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentMailError } from './errors';

export const DEFAULT_AGENT_MAIL_URL = 'http://127.0.0.1:8765';
export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

export interface AgentMailOptions {
  url?: string;
  project?: string;
  agent?: string;
  /** From VS Code SecretStorage or a CLI caller; never from plain settings. */
  token?: string;
  registrationToken?: string;
  timeoutMs?: number;
  maxBytes?: number;
}

export interface ResolveContext {
  env?: NodeJS.ProcessEnv;
  /** Absolute path of the workspace folder: the default project key. */
  workspaceFolder?: string;
  /** Home directory holding ~/.config/mcp-agent-mail/config.env (injectable for tests). */
  home?: string;
  readTextFile?: (file: string) => string | undefined;
}

export type TokenSource = 'explicit' | 'env' | 'config-file' | 'none';
/** Where the server URL came from: an option (setting, CLI flag), the environment, or the built-in default. */
export type UrlSource = 'explicit' | 'env' | 'default';

export interface AgentMailConfig {
  baseUrl: URL;
  urlSource: UrlSource;
  /** Human key (usually the repo's absolute path) or slug, as the server accepts either. */
  project?: string;
  agent?: string;
  token?: string;
  tokenSource: TokenSource;
  registrationToken?: string;
  timeoutMs: number;
  maxBytes: number;
}

/** Agent Mail's slug: lowercase, runs outside [a-z0-9] become '-', trimmed of '-', else 'project'. */
export function projectSlug(value: string): string {
  return (
    value
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'project'
  );
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export const INSECURE_TOKEN_MESSAGE = 'token not sent over http to a non-loopback host; use https';

/** A bearer token may travel over plain http only to this machine; anywhere else it needs https. */
export function tokenAllowedFor(baseUrl: URL): boolean {
  return baseUrl.protocol === 'https:' || isLoopbackHost(baseUrl.hostname);
}

/** Throws the 'insecure-token' config error when `token` would cross the network in clear text. */
export function assertTokenTransport(baseUrl: URL, token: string | undefined): void {
  if (token && !tokenAllowedFor(baseUrl)) {
    throw new AgentMailError('config', `${INSECURE_TOKEN_MESSAGE} (${baseUrl.origin})`, { reason: 'insecure-token' });
  }
}

/** Where the URL comes from with these options and environment (no parsing, no checks). */
export function agentMailUrlSource(opts: Pick<AgentMailOptions, 'url'>, env: NodeJS.ProcessEnv): UrlSource {
  if (firstSet(opts.url)) return 'explicit';
  return firstSet(env.BEADS_AGENT_MAIL_URL, env.AGENT_MAIL_URL) ? 'env' : 'default';
}

/** Parses a base URL; refuses anything that could leak the token (credentials, other schemes). */
export function parseBaseUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new AgentMailError('config', `invalid Agent Mail URL: ${raw}`, { reason: 'config' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new AgentMailError('config', `Agent Mail URL must be http(s): ${raw}`, { reason: 'config' });
  }
  if (u.username || u.password) {
    throw new AgentMailError('config', 'Agent Mail URL must not contain credentials; use the token setting', { reason: 'config' });
  }
  u.search = '';
  u.hash = '';
  u.pathname = u.pathname.replace(/\/+$/, '');
  return u;
}

/** Reads HTTP_BEARER_TOKEN= from the server's own config.env (the local install writes it there). */
export function tokenFromConfigEnv(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?HTTP_BEARER_TOKEN\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    const v = m[1].replace(/^(['"])(.*)\1$/, '$2').trim();
    if (v) return v;
  }
  return undefined;
}

function firstSet(...values: (string | undefined)[]): string | undefined {
  for (const v of values) if (v !== undefined && v.trim() !== '') return v.trim();
  return undefined;
}

function positive(n: number | undefined, fallback: number): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
}

function readQuietly(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function resolveAgentMailConfig(opts: AgentMailOptions = {}, ctx: ResolveContext = {}): AgentMailConfig {
  const env = ctx.env ?? {};
  const baseUrl = parseBaseUrl(firstSet(opts.url, env.BEADS_AGENT_MAIL_URL, env.AGENT_MAIL_URL) ?? DEFAULT_AGENT_MAIL_URL);
  const folder = ctx.workspaceFolder ? path.resolve(ctx.workspaceFolder) : undefined;
  const cfg: AgentMailConfig = {
    baseUrl,
    urlSource: agentMailUrlSource(opts, env),
    project: firstSet(opts.project, env.BEADS_PROJECT_ID) ?? folder,
    agent: firstSet(opts.agent, env.BEADS_AGENT_NAME),
    tokenSource: 'none',
    registrationToken: firstSet(opts.registrationToken),
    timeoutMs: positive(opts.timeoutMs, DEFAULT_TIMEOUT_MS),
    maxBytes: positive(opts.maxBytes, DEFAULT_MAX_BYTES),
  };
  const explicit = firstSet(opts.token);
  const fromEnv = firstSet(env.AGENT_MAIL_TOKEN);
  if (explicit) Object.assign(cfg, { token: explicit, tokenSource: 'explicit' });
  else if (fromEnv) Object.assign(cfg, { token: fromEnv, tokenSource: 'env' });
  else if (isLoopbackHost(baseUrl.hostname)) {
    const home = ctx.home ?? os.homedir();
    const text = (ctx.readTextFile ?? readQuietly)(path.join(home, '.config', 'mcp-agent-mail', 'config.env'));
    const t = text === undefined ? undefined : tokenFromConfigEnv(text);
    if (t) Object.assign(cfg, { token: t, tokenSource: 'config-file' });
  }
  assertTokenTransport(baseUrl, cfg.token);
  return cfg;
}
