// Public surface of the admin endpoint; src/index.ts re-exports from here.
export { startAdminServer } from './admin-server.js';
export type { AdminServer, AdminServerOptions } from './admin-server.js';
export { AdminServerError } from './admin-server-error.js';
export type { AdminServerErrorCode } from './admin-server-error.js';
export type { AdminBreakerView, AdminSnapshot } from './admin-snapshot.js';
export type { AdminActionResult } from './apply-action.js';
export { ADMIN_ACTIONS } from './admin-routes.js';
export type { AdminAction } from './admin-routes.js';
export type { FleetBreakerView, FleetControl } from '../fleet/fleet-control.js';
