import { describeError, type Recorder } from './harness.js';

/** Runs an async caller-side flow, logging its result or rejection, then ends the scenario. */
export async function settle(rec: Recorder, flow: () => Promise<string | void>): Promise<void> {
  try {
    const result = await flow();
    if (result !== undefined) rec.log(`resolved ${result}`);
  } catch (error) {
    rec.log(`rejected ${describeError(error)}`);
  }
  rec.done();
}

interface WebSocketLike {
  addEventListener(
    type: string,
    listener: (event: { data?: unknown; code?: number }) => void,
  ): void;
}

/** Opens a WebSocket (the built-in one or an undici copy's) and logs its events until close. */
export function webSocketEvents(
  rec: Recorder,
  open: (url: string) => WebSocketLike,
  httpUrl: string,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const ws = open(httpUrl.replace('http', 'ws'));
    ws.addEventListener('open', () => rec.log('open'));
    ws.addEventListener('message', (event) => rec.log(`message ${String(event.data)}`));
    ws.addEventListener('error', () => rec.log('error'));
    ws.addEventListener('close', (event) => {
      rec.log(`close ${String(event.code)}`);
      rec.done();
      resolve();
    });
  });
}
