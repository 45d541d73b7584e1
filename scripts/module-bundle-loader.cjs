// The runtime half of scripts/module-bundle.mjs, copied verbatim into the bundle it writes (which
// then calls createBundleLoader with its folder, the file of sources and the modules' index). Each
// bundled module is compiled and run by Node's own CommonJS loader (`Module.prototype._compile`,
// what it does with a file it has read) under its file name, so stack traces, source maps and
// dynamic `import()` work as for the file, and it is in require.cache under that name: one instance
// serves the bundle and every require of the file from elsewhere, whichever comes first.
// Path work is done once: the build resolved each module's relative requests, and a folder's
// node_modules lookup list is computed once for all its modules. Node tiers up what runs hot at
// start-up, and every optimising compile it starts this early costs the process memory it keeps.
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join, sep } = require('node:path');

/** Whether this Node still has the loader internals the bundle relies on; else the files load. */
const internalsPresent =
  typeof Module === 'function' &&
  typeof Module._nodeModulePaths === 'function' &&
  typeof Module.prototype._compile === 'function';

/** The folder of `rel` (a path with `/` relative to the bundle's folder), '' for that folder. */
function parentOf(rel) {
  return rel.slice(0, Math.max(rel.lastIndexOf('/'), 0));
}

/**
 * `modules[rel]` (rel: a path relative to `dir`, with `/`) is `[start, end, requests]`: the module's
 * source is that range of the text file `sourcesName` in `dir`, and `requests` maps each relative
 * request of it which the bundle holds to its `rel`.
 */
function createBundleLoader(dir, sourcesName, modules) {
  let sources;
  const filenames = new Map();
  const lookupPaths = new Map();
  /** Node's module lookup list of `dir`'s subfolder `relFolder` ('' for `dir` itself). */
  function nodeModulePaths(relFolder) {
    let paths = lookupPaths.get(relFolder);
    if (paths === undefined) {
      // On POSIX a subfolder's list is its own node_modules, then its parent's list: what
      // Module._nodeModulePaths returns, without resolving the whole path once per folder.
      paths =
        relFolder === '' || sep !== '/'
          ? Module._nodeModulePaths(relFolder === '' ? dir : join(dir, relFolder))
          : [`${dir}/${relFolder}/node_modules`, ...nodeModulePaths(parentOf(relFolder))];
      lookupPaths.set(relFolder, paths);
    }
    return paths;
  }

  /** The exports of bundled module `rel`. */
  function load(rel) {
    let filename = filenames.get(rel);
    if (filename === undefined) {
      filename = sep === '/' ? `${dir}/${rel}` : join(dir, rel);
      filenames.set(rel, filename);
    }
    const cached = require.cache[filename];
    if (cached !== undefined) return cached.exports;
    if (!internalsPresent) return require(filename);
    const [start, end, requests] = modules[rel];
    sources ??= readFileSync(`${dir}${sep}${sourcesName}`, 'utf8');
    const source = sources.slice(start, end);
    const relFolder = parentOf(rel);
    // Constructed without its id, which Module would take the dirname of: done here from `rel`.
    const mod = new Module('', module);
    mod.id = filename;
    mod.filename = filename;
    mod.path = relFolder === '' ? dir : sep === '/' ? `${dir}/${relFolder}` : join(dir, relFolder);
    mod.paths = nodeModulePaths(relFolder).slice();
    // The module's `require` calls `mod.require`: relative requests of bundled modules stay here.
    mod.require = (id) => {
      const target = requests[id];
      return target === undefined ? Module.prototype.require.call(mod, id) : load(target);
    };
    require.cache[filename] = mod;
    try {
      mod._compile(source, filename, 'commonjs');
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
