// The runtime half of scripts/module-bundle.mjs, copied verbatim into the bundle it writes (which
// then calls createBundleLoader with its folder and sources). Each bundled module is compiled and
// run by Node's own CommonJS loader (`Module.prototype._compile`, what it does with a file it has
// read) under its file name, so stack traces, source maps and dynamic `import()` work as for the
// file, and it is in require.cache under that name: one instance serves the bundle and every
// require of the file from elsewhere, whichever comes first.
'use strict';
const Module = require('node:module');
const { dirname, join, posix } = require('node:path');

/** Whether this Node still has the loader internals the bundle relies on; else the files load. */
const internalsPresent =
  typeof Module === 'function' &&
  typeof Module._nodeModulePaths === 'function' &&
  typeof Module.prototype._compile === 'function';

function createBundleLoader(dir, sources) {
  /** The exports of bundled module `rel` (a path relative to the bundle's folder). */
  function load(rel) {
    const filename = join(dir, rel);
    const cached = require.cache[filename];
    if (cached !== undefined) return cached.exports;
    if (!internalsPresent) return require(filename);
    const mod = new Module(filename, module);
    mod.filename = filename;
    mod.paths = Module._nodeModulePaths(dirname(filename));
    // The module's `require` calls `mod.require`: relative requests of bundled modules stay here.
    const from = posix.dirname(rel);
    mod.require = (id) => {
      if (id.startsWith('.')) {
        const target = posix.join(from, id);
        if (Object.hasOwn(sources, target)) return load(target);
      }
      return Module.prototype.require.call(mod, id);
    };
    require.cache[filename] = mod;
    try {
      mod._compile(sources[rel], filename, 'commonjs');
    } catch (error) {
      delete require.cache[filename];
      throw error;
    }
    mod.loaded = true;
    return mod.exports;
  }
  return { load };
}

// The bundle replaces this with the loader of its own modules.
module.exports = { createBundleLoader };
