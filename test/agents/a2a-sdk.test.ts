import { ClientFactory, type Client } from '@a2a-js/sdk/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAgentClient } from '../../src/agents/register-agent-client.js';
import { ManualClock } from '../../src/core/clock.js';
import { CircuitOpenError } from '../../src/core/errors.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { closedPort, FakeServer, hang, type Handler } from './fake-llm-server.js';
import { waitFor } from '../utils/wait-for.js';

type SendParams = Parameters<Client['sendMessage']>[0];
const params = {
  message: { messageId: 'u1', role: 1, parts: [{ content: { $case: 'text', value: 'hi' } }] },
} as unknown as SendParams;

const agentMessage = (text: string) => ({
  message: { messageId: 'm1', role: 'ROLE_AGENT', parts: [{ text }] },
});

/** A JSON-RPC answer to whatever request came in (the response id must echo the request's). */
function rpc(result: unknown): Handler {
  return (_req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ jsonrpc: '2.0', id: (JSON.parse(body) as { id: number }).id, result }),
    );
  };
}

function rpcError(code: number, message: string): Handler {
  return (_req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: (JSON.parse(body) as { id: number }).id,
        error: { code, message },
      }),
    );
  };
}

function httpStatus(status: number): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end('unavailable');
  };
}

/** An SSE stream of JSON-RPC frames; `then` is an extra frame (result or error) or a dropped connection. */
function rpcStream(
  results: unknown[],
  then?: { error: { code: number; message: string } } | 'drop',
): Handler {
  return (_req, res, body) => {
    const id = (JSON.parse(body) as { id: number }).id;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const result of results)
      res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', id, result })}\n\n`);
    if (then === 'drop') {
      setImmediate(() => res.socket?.destroy());
      return;
    }
    if (then !== undefined)
      res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', id, ...then })}\n\n`);
    res.end();
  };
}

describe('registerAgentClient with the real @a2a-js/sdk client', () => {
  let server: FakeServer;
  let registry: BreakerRegistry;

  beforeEach(async () => {
    server = await new FakeServer(rpc(agentMessage('hello'))).start();
    registry = new BreakerRegistry({ clock: new ManualClock(), random: () => 0 });
  });
  afterEach(async () => {
    await server.close();
  });

  async function agent(url = `${server.url}/a2a`) {
    const client = await new ClientFactory().createFromAgentCard({
      name: 'researcher',
      description: 'test agent',
      version: '1',
      supportedInterfaces: [{ url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
      capabilities: { streaming: true },
      defaultInputModes: [],
      defaultOutputModes: [],
      skills: [],
    } as unknown as Parameters<ClientFactory['createFromAgentCard']>[0]);
    const wrapped = registerAgentClient('researcher', client, { registry });
    return { wrapped, breaker: registry.get('agent:researcher') };
  }

  async function drain(iterable: AsyncIterable<unknown>): Promise<number> {
    let n = 0;
    for await (const _event of iterable) n++;
    return n;
  }

  it('sendMessage: a reply is a success; protocolVersion (a getter) passes through', async () => {
    const { wrapped, breaker } = await agent();
    const reply = await wrapped.sendMessage(params);
    expect(reply).toMatchObject({ messageId: 'm1' });
    expect(wrapped.protocolVersion).toBe('1.0');
    expect(breaker.counters.successes).toBe(1);
  });

  it('an HTTP 503 (status only in the message) is a server failure; 429 is rate_limited', async () => {
    const { wrapped, breaker } = await agent();
    server.next(httpStatus(503), httpStatus(429));
    await expect(wrapped.sendMessage(params)).rejects.toThrow(/Status: 503/);
    expect(breaker.lastFailureKind).toBe('server');
    await expect(wrapped.sendMessage(params)).rejects.toThrow(/Status: 429/);
    expect(breaker.lastFailureKind).toBe('rate_limited');
  });

  it('JSON-RPC errors: task-not-found is the caller’s problem, internal error is a failure', async () => {
    const { wrapped, breaker } = await agent();
    server.next(rpcError(-32001, 'no such task'), rpcError(-32603, 'internal'));
    await expect(wrapped.sendMessage(params)).rejects.toMatchObject({ name: 'TaskNotFoundError' });
    expect(breaker.counters).toMatchObject({ successes: 1, failures: 0 });
    await expect(wrapped.sendMessage(params)).rejects.toMatchObject({
      name: 'JsonRpcTransportError',
    });
    expect(breaker.counters.failures).toBe(1);
    expect(breaker.lastFailureKind).toBe('server');
  });

  it('a refused connection is a connection failure', async () => {
    const { wrapped, breaker } = await agent(`http://127.0.0.1:${await closedPort()}/a2a`);
    await expect(wrapped.sendMessage(params)).rejects.toThrow(/fetch failed/);
    expect(breaker.lastFailureKind).toBe('connection');
  });

  it('a caller abort is ignored', async () => {
    const { wrapped, breaker } = await agent();
    server.next(hang);
    const controller = new AbortController();
    const pending = wrapped.sendMessage(params, { signal: controller.signal });
    await waitFor(() => server.requests === 1, 'the request at the server');
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(breaker.counters).toMatchObject({ ignored: 1, failures: 0 });
  });

  it('sendMessageStream: a complete stream succeeds; an error frame or a dropped connection midway fails', async () => {
    const { wrapped, breaker } = await agent();
    server.next(
      rpcStream([agentMessage('a'), agentMessage('b')]),
      rpcStream([agentMessage('a')], { error: { code: -32603, message: 'agent crashed' } }),
      rpcStream([agentMessage('a')], 'drop'),
    );
    expect(await drain(wrapped.sendMessageStream(params))).toBe(2);
    expect(breaker.counters.successes).toBe(1);

    await expect(drain(wrapped.sendMessageStream(params))).rejects.toThrow(
      /SSE event contained an error/,
    );
    expect(breaker.counters.failures).toBe(1);
    expect(breaker.lastFailureKind).toBe('server');

    await expect(drain(wrapped.sendMessageStream(params))).rejects.toThrow();
    expect(breaker.counters.failures).toBe(2);
    expect(breaker.lastFailureKind).toBe('connection');
  });

  it('while open, sendMessage and sendMessageStream fail at once without a request', async () => {
    const { wrapped, breaker } = await agent();
    server.setFallback(httpStatus(502));
    for (let i = 0; i < 3; i++)
      await expect(wrapped.sendMessage(params)).rejects.toThrow(/Status: 502/);
    expect(breaker.currentState).toBe('open');
    const seen = server.requests;
    await expect(wrapped.sendMessage(params)).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(drain(wrapped.sendMessageStream(params))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(server.requests).toBe(seen);
  });
});
