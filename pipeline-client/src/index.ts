// The pipeline client: connect (with backoff), request, wait, record; and `shipgate gate` on top.
export * from "./connection";
export * from "./gate";
export * from "./io";
export * from "./lock-topics";
export * from "./record";
export * from "./wait";
