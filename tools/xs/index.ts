// The XS test harness: run portable case files on Node and in xsnap-worker (XS 13.3), with metering.
export { bundleForXs } from "./bundle";
export {
  type CaseFn,
  type CaseOutcome,
  type Cases,
  measureInXs,
  registerXsAndNodeTests,
  registerXsTests,
  runCaseOnNode,
  runCasesInXs,
  runCasesOnNode,
  XsCaseRunner,
  type XsCaseOutcome,
  type XsMeasurement,
} from "./cases";
export { encodeNetstring, NetstringReader } from "./netstring";
export { type Meter, XsError, XsWorker, type XsWorkerOptions, type XsReply, xsnapWorkerPath } from "./worker";
