// Public surface of the Agent Mail client, shared by the extension and the `dispatch` CLI.
export { AgentMailClient } from './client';
export type { ReleaseResult, RenewedReservation, RenewResult, ReservationList, ReservationSelector } from './client';
export {
  DEFAULT_AGENT_MAIL_URL,
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  agentMailUrlSource,
  assertTokenTransport,
  INSECURE_TOKEN_MESSAGE,
  isLoopbackHost,
  parseBaseUrl,
  projectSlug,
  resolveAgentMailConfig,
  tokenAllowedFor,
  tokenFromConfigEnv,
} from './config';
export type { AgentMailConfig, AgentMailOptions, ResolveContext, TokenSource, UrlSource } from './config';
export { AgentMailError, describeError, isAgentMailError } from './errors';
export type { AgentMailErrorDetails, AgentMailErrorKind } from './errors';
export { describeStaleReason, normaliseForceRelease, staleReasonsText } from './force-release';
export type { ForceReleasedReservation, ForceReleaseRequest, ForceReleaseResult } from './force-release';
export { matchesPath } from './glob';
export { normaliseReservation, normaliseRows, normaliseTimestamp } from './reservation';
export type { Reservation } from './reservation';
export { expiresIn, formatExpiresIn } from './time';
export type { ExpiresIn } from './time';
