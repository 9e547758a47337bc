// Public surface of the Agent Mail client, shared by the extension and the `dispatch` CLI.
export { AgentMailClient } from './client';
export type { ReleaseResult, RenewedReservation, RenewResult, ReservationList, ReservationSelector } from './client';
export {
  DEFAULT_AGENT_MAIL_URL,
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  isLoopbackHost,
  parseBaseUrl,
  projectSlug,
  resolveAgentMailConfig,
  tokenFromConfigEnv,
} from './config';
export type { AgentMailConfig, AgentMailOptions, ResolveContext, TokenSource } from './config';
export { AgentMailError, describeError, errorKindOf, isAgentMailError } from './errors';
export type { AgentMailErrorDetails, AgentMailErrorKind } from './errors';
export { matchesPath } from './glob';
export { normaliseReservation, normaliseRows, normaliseTimestamp } from './reservation';
export type { Reservation } from './reservation';
export { formatExpiresIn } from './time';
