/** What every route works with: the meter's state and the request as read off the wire. */
import type { CallCenter } from './call-center';
import type { NonceStore } from './nonces';
import type { Prm3Module } from './prm3-module';
import type { RegisterBank } from './registers';
import type { RequestLog } from './request-log';
import type { TokenGrant, TokenStore } from './tokens';
import type { SimFaults } from './types';
import type { UserDirectory } from './users';

export interface SimContext {
  realm: string;
  clock: () => number;
  users: UserDirectory;
  nonces: NonceStore;
  tokens: TokenStore;
  /** Every module ever added, plugged or not, in the order they were added. */
  modules: readonly Prm3Module[];
  /** Run once, right after the next `/ctrl/device` listing is answered (tests of a module moving meanwhile). */
  afterNextListing: (() => void)[];
  calls: CallCenter;
  registers: RegisterBank;
  faults: SimFaults;
  log: RequestLog;
}

export type RequestBody =
  { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'invalid' } | { kind: 'too-large' };

export interface SimRequest {
  method: string;
  /** Without the query, e.g. /api/ctrl/call. */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  body: RequestBody;
  /** Arrived over https. */
  secure: boolean;
  /** The bearer token sent, valid or not. */
  token: string | undefined;
  /** The grant behind a valid bearer token. */
  grant: TokenGrant | undefined;
}
