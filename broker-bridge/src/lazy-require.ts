// Loads an npm dependency the first time it is used rather than when the bridge starts: a bridge
// that never reads a YAML file, never serves MQTT over WebSocket and has no CCTray pipeline should
// not pay for those libraries (each costs milliseconds at start and megabytes resident; see
// docs/performance.md, "Footprint"). Synchronous, so callers stay as they were; the packages stay
// external to the build (tools/build/build.ts) and resolve from node_modules as a static import would.

import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

/** A function that returns the package's exports, loading it on the first call; `within` names
 *  a package whose own dependencies include it (resolved from that package's folder). */
export function lazyRequire<T>(name: string, within?: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= (within === undefined ? load : createRequire(load.resolve(within)))(name) as T);
}
