// An esbuild plugin for the self-contained gate file: modules that stay in the one file but run
// only when first used. MQTT.js requires its WebSocket (ws), TLS and SOCKS transports and its
// MQTT 5 topic-alias cache when it loads; a pipeline on mqtt:// needs none of them, and running
// them loads Node's http, https, tls and zlib as well (docs/performance.md, "Footprint"). Each
// listed import is answered by a stand-in whose named exports are getters: the first access
// requires the real module (bundled as before), so every transport still works from a URL.
import path from "node:path";
import type { Plugin } from "esbuild";

export interface LazyImport {
  /** The importing file, as a path suffix (e.g. "mqtt/build/lib/connect/index.js"). */
  importer: string;
  /** The import as written in it (e.g. "./ws"). */
  specifier: string;
  /** The exports the importer reads: each becomes a getter. */
  names: readonly string[];
  /** The exports are functions the importer reads at once and calls later (MQTT.js's transport
   *  table): each becomes a function that loads the module when called. */
  functions?: boolean;
}

const NAMESPACE = "lazy-module";

export function lazyModules(imports: readonly LazyImport[]): Plugin {
  return {
    name: "lazy-modules",
    setup(build) {
      const escaped = [...new Set(imports.map((i) => i.specifier))].map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
      build.onResolve({ filter: new RegExp(`^(${escaped.join("|")})$`) }, async (args) => {
        if (args.pluginData === NAMESPACE) return undefined;
        const importer = args.importer.split(path.sep).join("/");
        const entry = imports.find((i) => i.specifier === args.path && importer.endsWith(i.importer));
        if (entry === undefined) return undefined;
        const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: NAMESPACE });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace: NAMESPACE, pluginData: entry };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const entry = args.pluginData as LazyImport;
        const exported = entry.names.map((name) => {
          const n = JSON.stringify(name);
          return entry.functions === true
            ? `exports[${n}] = function (...args) { return real()[${n}].apply(this, args); };`
            : `Object.defineProperty(exports, ${n}, { enumerable: true, get: () => real()[${n}] });`;
        });
        return {
          contents: [`let loaded;`, `const real = () => (loaded ??= require(${JSON.stringify(args.path)}));`, `exports.__esModule = true;`, ...exported].join("\n"),
          resolveDir: path.dirname(args.path),
          loader: "js",
        };
      });
    },
  };
}

/** Every import of `specifier` answers with `file`, except the imports inside `file` itself,
 *  which get the real package (a stand-in that decides when to load it). */
export function standIn(specifier: string, file: string): Plugin {
  return {
    name: `stand-in-${specifier}`,
    setup(build) {
      const filter = new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`);
      build.onResolve({ filter }, (args) => (path.resolve(args.importer) === path.resolve(file) ? undefined : { path: file }));
    },
  };
}
