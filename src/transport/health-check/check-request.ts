import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
// On first use: https (with tls and crypto) loads with the first check of an https URL.
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ResolvedHealthCheck } from '../../config/resolved-config.js';
import { kDecided } from '../http/request-observer.js';

/** What one check saw: the response status, or the error that came instead. */
export type CheckAnswer =
  | { readonly status: number; readonly error?: undefined }
  | { readonly status?: undefined; readonly error: Error };

/** Fails a check that got no response headers within its timeoutMs. */
export class HealthCheckTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`health check got no response within ${timeoutMs} ms`);
    this.name = 'HealthCheckTimeoutError';
  }
}

type AddRequest = (req: ClientRequest, options: object) => void;

/**
 * Agents whose requests the http transport lets through undecided: each marks its request decided
 * before the (patched) `Agent.prototype.addRequest` looks at it, so a check never meets the breaker
 * it probes for, nor any other. No keep-alive: checks are seconds apart.
 */
function markingAgent<A extends HttpAgent>(agent: A): A {
  const addRequest = (HttpAgent.prototype as unknown as { addRequest: AddRequest }).addRequest;
  (agent as unknown as { addRequest: AddRequest }).addRequest = function (req, options) {
    (req as { [kDecided]?: unknown })[kDecided] = true;
    addRequest.call(this, req, options);
  };
  return agent;
}

let httpAgent: HttpAgent | undefined;
let httpsAgent: HttpsAgent | undefined;

/**
 * Sends one health check through Node's http/https (the same transport user calls take) and
 * resolves with its status once response headers arrive, or with its error; never rejects. Only
 * the configured headers are sent. The body is read and dropped.
 */
export function sendCheck(check: ResolvedHealthCheck, signal: AbortSignal): Promise<CheckAnswer> {
  const https = check.protocol === 'https:';
  const agent = https
    ? (httpsAgent ??= markingAgent(new HttpsAgent({ keepAlive: false })))
    : (httpAgent ??= markingAgent(new HttpAgent({ keepAlive: false })));
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: CheckAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const req = (https ? httpsRequest : httpRequest)({
      agent,
      protocol: check.protocol,
      hostname: check.hostname,
      port: check.port,
      path: check.path,
      method: check.method,
      headers: { ...check.headers },
      signal,
    });
    // A check in flight never keeps a finished process alive.
    req.on('socket', (socket) => socket.unref());
    const timer = setTimeout(() => {
      const error = new HealthCheckTimeoutError(check.timeoutMs);
      finish({ error });
      req.destroy(error);
    }, check.timeoutMs);
    timer.unref();
    req.on('response', (res) => {
      res.on('error', () => {});
      res.resume();
      finish({ status: res.statusCode ?? 0 });
    });
    req.on('error', (error) => finish({ error }));
    req.end();
  });
}
