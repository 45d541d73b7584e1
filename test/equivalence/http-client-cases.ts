import https from 'node:https';
import axios from 'axios';
import got from 'got';
import nodeFetch from 'node-fetch';
import superagent from 'superagent';
import type { CaseContext, EquivalenceCase } from './http-case.js';
import { describeError } from './http-trace.js';

/** Runs a client call inside `trace.call`; records when and how it settled. */
async function settle(ctx: CaseContext, call: () => Promise<unknown>): Promise<unknown> {
  const { trace } = ctx;
  try {
    const value = await trace.call(call);
    trace.add('resolved');
    return value;
  } catch (error) {
    trace.add('rejected');
    return describeError(error);
  }
}

const axiosCall = (ctx: CaseContext, call: () => Promise<{ status: number; data: unknown }>) =>
  settle(ctx, async () => {
    const res = await call();
    return { status: res.status, data: res.data };
  });

const noRetry = { retry: { limit: 0 } } as const;

const gotCall = (ctx: CaseContext, call: () => Promise<{ statusCode: number; body: unknown }>) =>
  settle(ctx, async () => {
    const res = await call();
    return { status: res.statusCode, body: res.body };
  });

const fetchCall = (ctx: CaseContext, call: () => Promise<nodeFetch.Response>) =>
  settle(ctx, async () => {
    const res = await call();
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  });

const agentCall = (ctx: CaseContext, call: () => Promise<superagent.Response>) =>
  settle(ctx, async () => {
    const res = await call();
    return { status: res.status, text: res.text };
  });

const refused = (ctx: CaseContext) => `http://127.0.0.1:${ctx.deadPort}/`;

/** axios, got, node-fetch 2 and superagent: each drives node:http its own way. */
export const clientCases: EquivalenceCase[] = [
  { name: 'axios GET', run: (c) => axiosCall(c, () => axios.get(c.http.url('/json'))) },
  { name: 'axios POST', run: (c) => axiosCall(c, () => axios.post(c.http.url('/echo'), { a: 1 })) },
  { name: 'axios 500', run: (c) => axiosCall(c, () => axios.get(c.http.url('/fail'))) },
  { name: 'axios refused', run: (c) => axiosCall(c, () => axios.get(refused(c))) },
  {
    name: 'axios timeout',
    run: (c) => axiosCall(c, () => axios.get(c.http.url('/hang'), { timeout: 50 })),
  },
  {
    name: 'axios abort',
    run: (c) =>
      axiosCall(c, () => axios.get(c.http.url('/hang'), { signal: AbortSignal.timeout(50) })),
  },
  {
    name: 'axios https',
    run: (c) =>
      axiosCall(c, () =>
        axios.get(c.https.url('/ok'), { httpsAgent: new https.Agent({ ca: c.ca }) }),
      ),
  },
  { name: 'got GET', run: (c) => gotCall(c, () => got(c.http.url('/json'), noRetry)) },
  {
    name: 'got POST',
    run: (c) => gotCall(c, () => got.post(c.http.url('/echo'), { ...noRetry, body: 'payload' })),
  },
  { name: 'got 500', run: (c) => gotCall(c, () => got(c.http.url('/fail'), noRetry)) },
  { name: 'got refused', run: (c) => gotCall(c, () => got(refused(c), noRetry)) },
  {
    name: 'got timeout',
    run: (c) =>
      gotCall(c, () => got(c.http.url('/hang'), { ...noRetry, timeout: { request: 50 } })),
  },
  {
    name: 'got https',
    run: (c) =>
      gotCall(c, () =>
        got(c.https.url('/ok'), { ...noRetry, https: { certificateAuthority: c.ca } }),
      ),
  },
  { name: 'node-fetch GET', run: (c) => fetchCall(c, () => nodeFetch(c.http.url('/json'))) },
  {
    name: 'node-fetch POST',
    run: (c) => fetchCall(c, () => nodeFetch(c.http.url('/echo'), { method: 'POST', body: 'x=1' })),
  },
  { name: 'node-fetch 500', run: (c) => fetchCall(c, () => nodeFetch(c.http.url('/fail'))) },
  { name: 'node-fetch refused', run: (c) => fetchCall(c, () => nodeFetch(refused(c))) },
  {
    name: 'node-fetch abort',
    run: (c) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      // node-fetch 2 types its signal option after an older AbortSignal interface.
      const signal = controller.signal as unknown as nodeFetch.RequestInit['signal'];
      return fetchCall(c, () => nodeFetch(c.http.url('/hang'), { signal }));
    },
  },
  {
    name: 'node-fetch https',
    run: (c) =>
      fetchCall(c, () => nodeFetch(c.https.url('/ok'), { agent: new https.Agent({ ca: c.ca }) })),
  },
  { name: 'superagent GET', run: (c) => agentCall(c, () => superagent.get(c.http.url('/json'))) },
  {
    name: 'superagent POST',
    run: (c) => agentCall(c, () => superagent.post(c.http.url('/echo')).send({ a: 1 })),
  },
  { name: 'superagent 500', run: (c) => agentCall(c, () => superagent.get(c.http.url('/fail'))) },
  { name: 'superagent refused', run: (c) => agentCall(c, () => superagent.get(refused(c))) },
  {
    name: 'superagent timeout',
    run: (c) => agentCall(c, () => superagent.get(c.http.url('/hang')).timeout(50)),
  },
  {
    name: 'superagent https',
    run: (c) => agentCall(c, () => superagent.get(c.https.url('/ok')).ca(c.ca)),
  },
];
