// The runtime half of scripts/module-bundle.mjs, copied verbatim into the bundle it writes (which
// then calls createBundleLoader with its folder, the file of sources and the modules' index). Each
// bundled module is compiled and run by Node's own CommonJS loader (`Module.prototype._compile`,
// what it does with a file it has read) under its file name, so stack traces, source maps and
// dynamic `import()` work as for the file, and it is in require.cache under that name: one instance
// serves the bundle and every require of the file from elsewhere, whichever comes first.
// Path work is done once: the build resolved each module's relative requests, and a folder's
// node_modules lookup list is computed once for all its modules. Node tiers up what runs hot at
// start-up, and every optimising compile it starts this early costs the process memory it keeps.
// What the bundled modules load later from files is loaded the same way: our own CommonJS files
// (the parts loaded on first use), and a package whose entry is a `.cjs` file (`@opentelemetry/api`:
// about 50 files), which Node resolves once; each relative request for a file of either is joined
// as a string. Resolving each of those files took Node's path functions to TurboFan in every
// process that starts an SDK, which cost it 6 MiB.
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join, sep } = require('node:path');

/** Whether this Node still has the loader internals the bundle relies on; else the files load. */
const internalsPresent =
  typeof Module === 'function' &&
  typeof Module._nodeModulePaths === 'function' &&
  typeof Module._resolveFilename === 'function' &&
  typeof Module.isBuiltin === 'function' &&
  typeof Module.prototype._compile === 'function';

/** The folder of `rel` (a path with `/`), '' for a name without one. */
function parentOf(rel) {
  return rel.slice(0, Math.max(rel.lastIndexOf('/'), 0));
}

/** The file `request` (`./x.js`, `../y/z.cjs`) of a module in folder `dir` (absolute, with `/`). */
function joinRelative(dir, request) {
  let folder = dir;
  const parts = request.split('/');
  const last = parts.length - 1;
  for (let i = 0; i < last; i++) {
    if (parts[i] === '..') folder = parentOf(folder);
    else if (parts[i] !== '.') folder = `${folder}/${parts[i]}`;
  }
  return `${folder}/${parts[last]}`;
}

/** Node's lookup lists of absolute folders, each computed once. */
const folderLookupPaths = new Map();
/** Where package requests resolve: one package folder serves every module of ours. */
const resolvedPackages = new Map();

/**
 * `require(id)` of module `mod` in folder `folder`, which the bundle does not hold, done the way
 * the bundle loads (on POSIX; elsewhere, and for anything else, Node's own `require`):
 * - a relative request of a `.cjs` file, or of a `.js` file when `mod` is one of our CommonJS files
 *   (`ownFiles`): the file, its path joined as a string;
 * - a package request whose entry Node resolves to a `.cjs` file: that file, resolved once.
 */
function requireUnbundled(mod, folder, id, ownFiles) {
  if (sep === '/') {
    let filename;
    let own = false;
    if (id.startsWith('./') || id.startsWith('../')) {
      own = ownFiles && id.endsWith('.js');
      if (own || id.endsWith('.cjs')) filename = joinRelative(folder, id);
    } else if (!id.startsWith('/') && !Module.isBuiltin(id)) {
      filename = resolvedPackages.get(id);
      if (filename === undefined) {
        filename = Module._resolveFilename(id, mod);
        resolvedPackages.set(id, filename);
      }
      if (!filename.endsWith('.cjs')) filename = undefined;
    }
    if (filename !== undefined) {
      const exports = loadFile(filename, mod, own);
      if (exports !== null) return exports;
    }
  }
  return Module.prototype.require.call(mod, id);
}

/**
 * The exports of CommonJS file `filename` (absolute, POSIX), loaded as Node loads a file, with
 * `parent` as its parent; `null` when it cannot be read (the caller leaves the request to Node,
 * which reports it). `ownFiles`: one of our CommonJS files, whose `.js` requests are ours too.
 */
function loadFile(filename, parent, ownFiles) {
  const cached = require.cache[filename];
  if (cached !== undefined) return cached.exports;
  let source;
  try {
    source = readFileSync(filename, 'utf8');
  } catch {
    return null;
  }
  const folder = parentOf(filename);
  let paths = folderLookupPaths.get(folder);
  if (paths === undefined) {
    paths = Module._nodeModulePaths(folder);
    folderLookupPaths.set(folder, paths);
  }
  const mod = new Module('', parent);
  mod.id = filename;
  mod.filename = filename;
  mod.path = folder;
  mod.paths = paths.slice();
  mod.require = (id) => requireUnbundled(mod, folder, id, ownFiles);
  return compileInto(mod, source);
}

/** Runs `source` as module `mod`, which is in require.cache while it runs and stays if it succeeds. */
function compileInto(mod, source) {
  require.cache[mod.filename] = mod;
  try {
    mod._compile(source, mod.filename, 'commonjs');
  } catch (error) {
    delete require.cache[mod.filename];
    throw error;
  }
  mod.loaded = true;
  return mod.exports;
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
    const folder =
      relFolder === '' ? dir : sep === '/' ? `${dir}/${relFolder}` : join(dir, relFolder);
    mod.path = folder;
    mod.paths = nodeModulePaths(relFolder).slice();
    // The module's `require` calls `mod.require`: relative requests of bundled modules stay here.
    mod.require = (id) => {
      const target = requests[id];
      return target === undefined ? requireUnbundled(mod, folder, id, true) : load(target);
    };
    return compileInto(mod, source);
  }
  return { load };
}

// The bundle replaces this with the loader of its own modules.
module.exports = { createBundleLoader };
