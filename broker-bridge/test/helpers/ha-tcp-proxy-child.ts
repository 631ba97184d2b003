// The cuttable TCP relay in its own process, for callers that block their own event loop (the
// synchronous store facade): an in-process relay could not forward while the caller waits.
// Protocol over IPC: it sends {port}; it accepts "cut" (answers "cut") and "close" (exits).

import { startCuttableProxy } from "./ha-tcp-proxy";

const [host, port] = [process.env.TARGET_HOST ?? "127.0.0.1", Number(process.env.TARGET_PORT ?? 5432)];
const proxy = await startCuttableProxy(host, port);
process.send?.({ port: proxy.port });
process.on("message", (m) => {
  if (m === "cut") {
    proxy.cut();
    process.send?.("cut");
  } else if (m === "close") {
    void proxy.close().finally(() => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));
