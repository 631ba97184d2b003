// `shipgate gate`: the pipeline client's gate command (pipeline-client/src/gate.ts), which the
// integrations and the self-contained gate file run too.
export { EXIT, GATE_HELP, gateCommand, recordOf, type DecisionRecord } from "@shipgate/pipeline-client";
