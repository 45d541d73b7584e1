import { afterEach, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/admin/admin-server.js';
import { AdminServerError } from '../../src/admin/admin-server-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { send } from '../admin/http-client.js';
import { configErrorOf, useTempDir } from './config-fixtures.js';

const files = useTempDir();
const VARS = [
  'CB_SUBST_TOKEN',
  'CB_SUBST_PORT',
  'CB_SUBST_PREFIX',
  'CB_SUBST_EMPTY',
  'CB_SUBST_REF',
];

afterEach(() => {
  for (const name of VARS) delete process.env[name];
});

/** Loads `text` as a config file with the real process env. */
function load(name: string, text: string) {
  const file = files.write(name, text);
  return { file, run: () => loadConfig({ env: { ...process.env, CIRCUIT_BREAKER_CONFIG: file } }) };
}

describe('${env:NAME} in config files', () => {
  it('substitutes ${env:NAME} and ${NAME} in YAML, typing a whole-value reference', () => {
    process.env.CB_SUBST_TOKEN = 'a-real-secret-of-32-characters!!';
    process.env.CB_SUBST_PORT = '9477';
    process.env.CB_SUBST_PREFIX = 'team';
    const { run } = load(
      'subst.yaml',
      [
        'admin:',
        '  port: ${env:CB_SUBST_PORT}',
        '  token: ${env:CB_SUBST_TOKEN}',
        'store:',
        '  type: redis',
        '  url: redis://127.0.0.1:${CB_SUBST_PORT}',
        '  keyPrefix: ${CB_SUBST_PREFIX}-cb',
      ].join('\n'),
    );
    const config = run();
    expect(config.admin).toEqual({
      port: 9477,
      host: '127.0.0.1',
      token: 'a-real-secret-of-32-characters!!',
    });
    expect(config.store).toMatchObject({ url: 'redis://127.0.0.1:9477', keyPrefix: 'team-cb' });
  });

  it('substitutes in JSON, uses :-defaults for unset or empty variables, and reads $$ as $', () => {
    process.env.CB_SUBST_EMPTY = '';
    const { run } = load(
      'subst.json',
      JSON.stringify({
        admin: {
          port: '${env:CB_SUBST_PORT:-9478}',
          token: 'pa$$word-${env:CB_SUBST_EMPTY:-x}-0123456789',
        },
        store: { type: 'redis', keyPrefix: '${CB_SUBST_PREFIX:-fallback}' },
      }),
    );
    const config = run();
    expect(config.admin?.port).toBe(9478);
    expect(config.admin?.token).toBe('pa$word-x-0123456789');
    expect(config.store).toMatchObject({ keyPrefix: 'fallback' });
  });

  it('an unset variable without default names the file, the line and the variable', () => {
    const { file, run } = load(
      'unset.yaml',
      [
        'hosts:',
        '  - api.example.com',
        'admin:',
        '  port: 0',
        '  token: ${env:CB_SUBST_TOKEN}',
      ].join('\n'),
    );
    const error = configErrorOf(run);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ source: `${file}:5`, path: 'admin.token' });
    expect(error.message).toContain('environment variable CB_SUBST_TOKEN is not set');
    expect(error.message).toContain('${env:CB_SUBST_TOKEN:-value}');
  });

  it('a malformed reference is an error, not a literal', () => {
    const { file, run } = load(
      'bad-ref.json',
      '{\n  "admin": {\n    "token": "${env:}0123456789abcdef"\n  }\n}',
    );
    const error = configErrorOf(run);
    expect(error.problems[0]).toMatchObject({ source: `${file}:3`, path: 'admin.token' });
    expect(error.message).toContain('${env:} is not a variable reference');
  });

  it('a variable whose value is itself a reference is not expanded again, and is refused as token or Redis URL', () => {
    process.env.CB_SUBST_REF = '${CB_SUBST_TOKEN}-0123456789abcdef';
    process.env.CB_SUBST_TOKEN = 'never-read-0123456789';
    const { run } = load(
      'nested.yaml',
      [
        'admin:',
        '  port: 0',
        '  token: ${env:CB_SUBST_REF}',
        'store:',
        '  type: redis',
        '  url: redis://${env:CB_SUBST_REF}:6379',
      ].join('\n'),
    );
    const error = configErrorOf(run);
    expect(error.problems.map((p) => p.path).sort()).toEqual(['admin.token', 'store.url']);
    expect(error.message).toContain('not a "${…}" reference');
    expect(error.message).not.toContain('never-read');
  });

  it('an unexpanded reference passed as CIRCUIT_BREAKER_ADMIN_TOKEN or in code is refused', () => {
    const fromEnv = configErrorOf(() =>
      loadConfig({
        env: {
          CIRCUIT_BREAKER_ADMIN_PORT: '0',
          CIRCUIT_BREAKER_ADMIN_TOKEN: '${CB_ADMIN_TOKEN_VALUE}',
        },
      }),
    );
    expect(fromEnv.problems[0]).toMatchObject({ source: 'env CIRCUIT_BREAKER_ADMIN_TOKEN' });
    const registry = new BreakerRegistry();
    return expect(
      startAdminServer({ registry, port: 0, token: '${CB_ADMIN_TOKEN_VALUE}' }),
    ).rejects.toSatisfy((e) => e instanceof AdminServerError && e.code === 'EADMINCONFIG');
  });
});

describe('admin token from ${env:NAME}, end to end', () => {
  let admin: AdminServer | undefined;
  afterEach(async () => {
    await admin?.close();
    admin = undefined;
  });

  it('the variable holds the token; the literal reference gets 401', async () => {
    process.env.CB_SUBST_TOKEN = 'real-secret-0123456789abcdef';
    const { run } = load(
      'admin.yaml',
      ['hosts: [api.example.com]', 'admin:', '  port: 0', '  token: ${env:CB_SUBST_TOKEN}'].join(
        '\n',
      ),
    );
    const config = run();
    const registry = new BreakerRegistry();
    registry.get('api.example.com');
    admin = await startAdminServer({
      registry,
      port: config.admin!.port,
      token: config.admin!.token,
    });
    const post = (token: string) =>
      send(admin!.url, 'POST', '/circuit-breakers/api.example.com/open', {
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await post('${env:CB_SUBST_TOKEN}')).status).toBe(401);
    expect(registry.peek('api.example.com')?.currentState).toBe('closed');
    expect((await post('real-secret-0123456789abcdef')).status).toBe(200);
    expect(registry.peek('api.example.com')?.currentState).toBe('forced_open');
  });
});
