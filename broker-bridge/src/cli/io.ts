// The command line's outside world: the pipeline client's, so `shipgate gate` runs there unchanged.
export { type Io, processIo } from "@shipgate/pipeline-client/io";
