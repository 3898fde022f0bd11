/** `/auth/*`: login, logout, token check and rights, plus the 401 every protected path shares. */
import type { SimContext, SimRequest } from './context';
import { handleLogin } from './login';
import { failure, ok, type Reply } from './reply';

export const AUTH_REQUIRED_ERROR = 'Authentication required.';

/** The same 401 body on every protected path: realm and a fresh nonce to log in with. */
export function unauthorizedReply(ctx: SimContext): Reply {
  return { status: 401, body: { rlm: ctx.realm, nnc: ctx.nonces.issue(), error: AUTH_REQUIRED_ERROR } };
}

export function loginRoute(request: SimRequest, ctx: SimContext): Reply {
  const body = request.body.kind === 'json' ? request.body.value : undefined;
  const outcome = handleLogin(body, request.secure, ctx);
  ctx.log.countLogin(outcome.succeeded);
  return outcome.reply;
}

/** Revokes the bearer token; a request without one is malformed (400, as the spec allows). */
export function logoutRoute(request: SimRequest, ctx: SimContext): Reply {
  if (request.token === undefined) return { status: 400, body: { error: 'Bad Request' } };
  ctx.tokens.revoke(request.token);
  return ok({ status: 'OK' });
}

export function unauthorizedRoute(request: SimRequest, ctx: SimContext): Reply {
  return request.grant === undefined ? unauthorizedReply(ctx) : ok({ status: 'You are logged in.' });
}

export function rightsRoute(request: SimRequest, ctx: SimContext): Reply {
  if (request.grant === undefined) return unauthorizedReply(ctx);
  return ok({ usr: request.grant.usr, rights: ctx.users.rightsOf(request.grant.usr) });
}

export function requireRight(request: SimRequest, ctx: SimContext, right: string): Reply | undefined {
  if (request.grant !== undefined && ctx.users.has(request.grant.usr, right)) return undefined;
  return failure(`Permission denied: ${right} right required.`);
}
