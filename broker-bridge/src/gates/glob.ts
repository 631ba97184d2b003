// Glob matching lives in ../glob.ts (Argo CD's app patterns use it too); policy.ts reads it here.
export { globToRegExp } from "../glob";
