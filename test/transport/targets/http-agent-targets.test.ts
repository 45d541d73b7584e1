import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { BreakerRegistry } from '../../../src/registry/breaker-registry.js';
import { HttpAgentTargets } from '../../../src/transport/targets/http-agent-targets.js';
import { OriginCache } from '../../../src/transport/targets/origin-cache.js';
import { createTargetResolver } from '../../../src/transport/targets/target-resolver.js';

function targetsFor(patterns: string[]): HttpAgentTargets {
  const config = loadConfig({ env: {}, code: { hosts: patterns } });
  return new HttpAgentTargets(
    new OriginCache(createTargetResolver(config.hosts, new BreakerRegistry())),
  );
}

/** Agent request options as Node passes them, counting the reads of their port. */
function options(port: number): { readonly port: number; readonly portReads: number } {
  let reads = 0;
  return {
    get port() {
      reads++;
      return port;
    },
    get portReads() {
      return reads;
    },
  };
}

describe('http agent targets', () => {
  it('find the target of a host by port, and of the same origin again from memory', () => {
    const targets = targetsFor(['api.example.com:8443', 'web.example.com']);
    expect(targets.find('https:', 'api.example.com', options(8443))?.target.rule.name).toBe(
      'api.example.com:8443',
    );
    expect(targets.find('https:', 'api.example.com', options(9000))).toBeNull();
    expect(targets.find('https:', 'api.example.com', options(8443))?.port).toBe(8443);
    expect(targets.find('http:', 'web.example.com', options(80))?.hostname).toBe('web.example.com');
    expect(targets.find('http:', 'web.example.com', options(8080))?.port).toBe(8080);
  });

  it("answer a host no pattern names without reading the request's port again", () => {
    const targets = targetsFor(['api.example.com:8443']);
    const first = options(8443);
    expect(targets.find('https:', 'other.example.com', first)).toBeNull();
    expect(first.portReads).toBe(1);
    const next = options(8443);
    expect(targets.find('https:', 'other.example.com', next)).toBeNull();
    expect(next.portReads).toBe(0);
    // A host some pattern names is still told apart by its port.
    const named = options(9000);
    expect(targets.find('https:', 'api.example.com', named)).toBeNull();
    expect(targets.find('https:', 'api.example.com', options(8443))).not.toBeNull();
    expect(named.portReads).toBe(1);
  });
});
