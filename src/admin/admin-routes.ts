/** Changes the endpoint can make to a breaker, by URL segment. */
export const ADMIN_ACTIONS = ['reset', 'open', 'disable', 'enable'] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

export function isAdminAction(value: string): value is AdminAction {
  return (ADMIN_ACTIONS as readonly string[]).includes(value);
}

/** What a request path asks for, before method and auth are checked. */
export type AdminRoute =
  | { readonly kind: 'page' }
  | { readonly kind: 'health' }
  | { readonly kind: 'events' }
  | { readonly kind: 'list' }
  | { readonly kind: 'breaker'; readonly name: string }
  | { readonly kind: 'action'; readonly name: string; readonly action: string }
  | { readonly kind: 'bad_path'; readonly message: string }
  | { readonly kind: 'not_found' };

/** Methods each route answers; anything else is a 405 with this list in `Allow`. */
export const ROUTE_METHODS: Readonly<Record<AdminRoute['kind'], readonly string[]>> = {
  page: ['GET', 'HEAD'],
  health: ['GET', 'HEAD'],
  events: ['GET'],
  list: ['GET', 'HEAD'],
  breaker: ['GET', 'HEAD'],
  action: ['POST'],
  bad_path: [],
  not_found: [],
};

const PREFIX = 'circuit-breakers';
const MAX_NAME_LENGTH = 1024;

/**
 * Parses the raw request target. Segments are split before they are percent-decoded, so a name
 * may hold any character (dots, colons, `*`, `agent:` prefixes, and `/` written as `%2F`).
 * The query string is ignored.
 */
export function parseAdminRoute(rawUrl: string | undefined): AdminRoute {
  if (rawUrl === undefined || !rawUrl.startsWith('/')) {
    return { kind: 'bad_path', message: 'request target must be an absolute path' };
  }
  const path = rawUrl.split(/[?#]/, 1)[0] ?? '/';
  if (path === '/' || path === '/index.html') return { kind: 'page' };
  if (path === '/healthz') return { kind: 'health' };
  if (path === '/events') return { kind: 'events' };
  const segments = path.slice(1).split('/');
  if (segments[0] !== PREFIX) return { kind: 'not_found' };
  if (segments.length === 1 || (segments.length === 2 && segments[1] === '')) {
    return { kind: 'list' };
  }
  if (segments.length > 3) {
    return {
      kind: 'bad_path',
      message: `expected /${PREFIX}/<name>[/<action>]; write '/' inside a name as %2F`,
    };
  }
  let name: string;
  try {
    name = decodeURIComponent(segments[1] ?? '');
  } catch {
    return { kind: 'bad_path', message: 'breaker name is not valid percent-encoding' };
  }
  if (name === '') return { kind: 'bad_path', message: 'breaker name is empty' };
  if (name.length > MAX_NAME_LENGTH) {
    return { kind: 'bad_path', message: `breaker name is longer than ${MAX_NAME_LENGTH}` };
  }
  if (segments.length === 2) return { kind: 'breaker', name };
  return { kind: 'action', name, action: segments[2] ?? '' };
}
