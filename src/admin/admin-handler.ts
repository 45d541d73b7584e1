import type { IncomingMessage, ServerResponse } from 'node:http';
import { envVarName } from '../config/env-vars.js';
import type { BreakerRegistry } from '../registry/breaker-registry.js';
import { isAdminAction, parseAdminRoute, ROUTE_METHODS, ADMIN_ACTIONS } from './admin-routes.js';
import { findBreaker, takeSnapshot, withFleetTimeout } from './admin-snapshot.js';
import { applyAdminAction } from './apply-action.js';
import type { BearerAuth } from './bearer-auth.js';
import type { FleetBreakerView, FleetControl } from '../fleet/fleet-control.js';
import { BASE_SECURITY_HEADERS, sendError, sendJson } from './http-responses.js';
import { isLoopbackHostHeader } from './loopback.js';
import { readJsonBody } from './read-json-body.js';
import type { SnapshotStream } from './snapshot-stream.js';
import { statusPage } from './status-page.js';

export interface AdminHandlerContext {
  readonly registry: BreakerRegistry;
  readonly fleet: FleetControl | undefined;
  /** Undefined when no token is configured: every change is then refused with 403. */
  readonly auth: BearerAuth | undefined;
  /** True when bound to loopback: requests must then name a loopback Host (DNS rebinding guard). */
  readonly loopbackOnly: boolean;
  readonly stream: SnapshotStream;
}

const WWW_AUTHENTICATE = 'Bearer realm="otel-circuit-breaker"';
function sendPage(res: ServerResponse): void {
  const page = statusPage();
  res.writeHead(200, {
    ...BASE_SECURITY_HEADERS,
    'content-security-policy': page.csp,
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(page.html.length),
  });
  res.end(res.req.method === 'HEAD' ? undefined : page.html);
}

async function fleetView(
  fleet: FleetControl | undefined,
  name: string,
): Promise<FleetBreakerView | undefined> {
  if (fleet === undefined) return undefined;
  try {
    const all = await withFleetTimeout(Promise.resolve().then(() => fleet.list()));
    return all.find((v) => v.name === name);
  } catch {
    return undefined;
  }
}

/** Answers one admin request. May reject only on a bug; the server turns that into a bare 500. */
export async function handleAdminRequest(
  ctx: AdminHandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (ctx.loopbackOnly && !isLoopbackHostHeader(req.headers.host)) {
    return sendError(res, 403, 'forbidden', 'the Host header must name a loopback address');
  }
  const route = parseAdminRoute(req.url);
  if (route.kind === 'bad_path') return sendError(res, 400, 'bad_request', route.message);
  if (route.kind === 'not_found') return sendError(res, 404, 'not_found', 'no such endpoint');
  const methods = ROUTE_METHODS[route.kind];
  if (!methods.includes(req.method ?? '')) {
    return sendError(res, 405, 'method_not_allowed', `use ${methods.join(' or ')}`, {
      allow: methods.join(', '),
    });
  }

  switch (route.kind) {
    case 'page':
      return sendPage(res);
    case 'health':
      return sendJson(res, 200, { status: 'ok' });
    case 'events':
      if (!ctx.stream.attach(req, res)) {
        sendError(res, 503, 'too_many_streams', 'too many open event streams; poll instead', {
          'retry-after': '5',
        });
      }
      return;
    case 'list':
      return sendJson(res, 200, await takeSnapshot(ctx.registry, ctx.fleet));
    case 'breaker': {
      const fleet = await fleetView(ctx.fleet, route.name);
      const local = findBreaker(ctx.registry, route.name);
      if (local !== undefined) {
        return sendJson(
          res,
          200,
          fleet === undefined ? local.status() : { ...local.status(), fleet },
        );
      }
      if (fleet !== undefined) return sendJson(res, 200, { ...fleet, fleetOnly: true });
      return sendError(res, 404, 'not_found', 'no breaker of that name');
    }
    case 'action':
      return handleAction(ctx, req, res, route.name, route.action);
  }
}

async function handleAction(
  ctx: AdminHandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  action: string,
): Promise<void> {
  // Authorisation comes before anything else about the request, so a caller without the token
  // learns nothing (not even whether the name or action exists) and can change nothing.
  if (ctx.auth === undefined) {
    return sendError(
      res,
      403,
      'mutations_disabled',
      `changes are disabled: no admin token is configured (admin.token or ${envVarName(['admin', 'token'])})`,
    );
  }
  const auth = ctx.auth.check(req.headers.authorization);
  if (auth !== 'ok') {
    const challenge =
      auth === 'missing' ? WWW_AUTHENTICATE : `${WWW_AUTHENTICATE}, error="invalid_token"`;
    return sendError(
      res,
      401,
      'unauthorized',
      auth === 'missing' ? 'send Authorization: Bearer <token>' : 'invalid token',
      { 'www-authenticate': challenge },
    );
  }
  if (!isAdminAction(action)) {
    return sendError(
      res,
      400,
      'bad_request',
      `unknown action; use one of ${ADMIN_ACTIONS.join(', ')}`,
    );
  }
  const body = await readJsonBody(req);
  if (body.kind === 'too_large') {
    return sendError(res, 413, 'payload_too_large', 'request body too large', {
      connection: 'close',
    });
  }
  if (body.kind === 'invalid') return sendError(res, 400, 'bad_request', body.message);
  const outcome = await applyAdminAction(ctx.registry, ctx.fleet, name, action);
  if (outcome.kind === 'not_found')
    return sendError(res, 404, 'not_found', 'no breaker of that name');
  if (outcome.kind === 'fleet_unavailable') {
    return sendError(res, 503, 'fleet_unavailable', 'the shared store did not accept the change', {
      'retry-after': '1',
    });
  }
  return sendJson(res, 200, outcome.result);
}
