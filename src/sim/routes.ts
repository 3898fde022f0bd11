/**
 * Maps a request to its reply. `/auth/login`, `/auth/logout` and `/auth/unauthorized` are
 * open; everything else under /api needs a valid bearer token and answers 401 without one.
 * Unknown resources are HTTP 200 with `error`: the WebAPI has no 404.
 */
import { loginRoute, logoutRoute, rightsRoute, unauthorizedReply, unauthorizedRoute } from './auth-routes';
import type { SimContext, SimRequest } from './context';
import { callResultRoute, callRoute, deviceRoute, interfaceRoute } from './ctrl-routes';
import { faultErrorText } from './faults';
import { registerRoute } from './register-routes';
import { failure, type Reply } from './reply';

const API_PREFIX = '/api';

function wrongMethod(method: string, resource: string): Reply {
  return failure(`${method} is not supported on ${resource}.`);
}

export function route(request: SimRequest, ctx: SimContext): Reply {
  const path = request.path.length > 1 && request.path.endsWith('/') ? request.path.slice(0, -1) : request.path;
  if (path !== API_PREFIX && !path.startsWith(`${API_PREFIX}/`))
    return failure('Unknown resource: the WebAPI lives under /api.');
  const resource = path.slice(API_PREFIX.length);
  const { method } = request;

  switch (resource) {
    case '/auth/login':
      return method === 'POST' ? loginRoute(request, ctx) : { status: 400, body: { error: 'Bad Request' } };
    case '/auth/logout':
      return method === 'GET' ? logoutRoute(request, ctx) : { status: 400, body: { error: 'Bad Request' } };
    case '/auth/unauthorized':
      return method === 'GET' ? unauthorizedRoute(request, ctx) : wrongMethod(method, resource);
  }
  if (request.grant === undefined) return unauthorizedReply(ctx);
  const leaked = faultErrorText(ctx.faults, request.token ?? '', ctx.users.get(request.grant.usr)?.password ?? '');
  if (leaked !== null) return failure(leaked);

  if (resource === '/ctrl/call') return method === 'POST' ? callRoute(request, ctx) : wrongMethod(method, resource);
  if (method !== 'GET') return wrongMethod(method, resource);
  if (resource === '/auth/rights') return rightsRoute(request, ctx);
  if (resource === '/ctrl/device') return deviceRoute(request, ctx);
  if (resource === '/register') return registerRoute(request, ctx);
  if (resource === '/ctrl/interface' || resource.startsWith('/ctrl/interface/')) {
    return interfaceRoute(resource.split('/').slice(3), ctx);
  }
  if (resource.startsWith('/ctrl/call/')) return callResultRoute(resource.slice('/ctrl/call/'.length), ctx);
  return failure(`Unknown resource /api${resource}.`);
}
