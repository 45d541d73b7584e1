import type { IncomingMessage } from 'node:http';

/** Largest request body the endpoint reads; action bodies are tiny. */
export const MAX_BODY_BYTES = 4096;

export type BodyResult =
  | { readonly kind: 'ok'; readonly value: Record<string, unknown> }
  | { readonly kind: 'too_large' }
  | { readonly kind: 'invalid'; readonly message: string };

/**
 * Reads an optional JSON object body. An empty body is `{}`; anything else must parse to an
 * object. Reading stops at MAX_BODY_BYTES so a client cannot make the process buffer more.
 */
export function readJsonBody(req: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      resolve({ kind: 'too_large' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        finish({ kind: 'too_large' });
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => finish({ kind: 'invalid', message: 'request body could not be read' }));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return finish({ kind: 'ok', value: {} });
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return finish({ kind: 'invalid', message: 'request body is not valid JSON' });
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return finish({ kind: 'invalid', message: 'request body must be a JSON object' });
      }
      finish({ kind: 'ok', value: parsed as Record<string, unknown> });
    });
  });
}
