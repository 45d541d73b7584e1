import { loadScripts, type ScriptName } from './lua-scripts.js';
import type { RedisClient } from './redis-connection.js';

type ScriptFn = (...args: Array<string | number>) => Promise<unknown>;

/**
 * The Lua scripts (src/store/lua) defined as commands on one connection: ioredis sends EVALSHA and
 * loads a script the server does not have yet.
 */
export class RedisScripts {
  private readonly commands: Record<ScriptName, string>;

  constructor(private readonly client: RedisClient) {
    this.commands = {} as Record<ScriptName, string>;
    for (const [key, script] of Object.entries(loadScripts()) as Array<
      [ScriptName, ReturnType<typeof loadScripts>[ScriptName]]
    >) {
      client.defineCommand(script.command, {
        numberOfKeys: script.numberOfKeys,
        lua: script.lua,
      });
      this.commands[key] = script.command;
    }
  }

  /** Runs script `name` with its keys then its arguments; rejects as the command would. */
  async run(name: ScriptName, ...args: Array<string | number>): Promise<unknown> {
    const fn = (this.client as unknown as Record<string, ScriptFn>)[this.commands[name]]!;
    try {
      return await fn.apply(this.client, args);
    } catch (error) {
      // ioredis reloads a script after NOSCRIPT itself; ours is at most one more try (nothing ran).
      if (error instanceof Error && error.message.startsWith('NOSCRIPT'))
        return fn.apply(this.client, args);
      throw error;
    }
  }
}
