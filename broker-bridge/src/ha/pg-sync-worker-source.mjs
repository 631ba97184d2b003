// The worker's entry when shipgate runs from its TypeScript source (tsx): Node 20 does not apply
// `--import tsx` to a worker's entry file, so this JavaScript file registers tsx's loader in the
// worker first and then loads the TypeScript worker. A build runs pg-sync-worker.js directly.
import { register } from "tsx/esm/api";

register();
await import("./pg-sync-worker.ts");
