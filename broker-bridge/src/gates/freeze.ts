// Freeze windows live in ../freeze.ts (the dashboard shows them too); lock-service.ts reads them here.
export { activeFreeze, nextFreezeBoundary } from "../freeze";
