// `shipgate start`: runs the bridge until SIGINT or SIGTERM, then publishes its offline state and
// closes the store. A bad config or a taken port ends it at once with one clear line.

import { parseArgs } from "node:util";
import { startBridge } from "../bridge";
import { ConfigError, loadConfig } from "../config";
import type { Io } from "./io";

export const START_HELP = `Usage: shipgate start [--config FILE]

Runs the bridge: the embedded MQTT broker (or an external one), the gates, the dashboard and API.

Options:
  --config FILE   YAML configuration (see docs/configuration.md); environment variables override it:
                  SHIPGATE_STATE_DIR, SHIPGATE_BROKER_PORT, SHIPGATE_HTTP_PORT, SHIPGATE_BROKER_URL
  --help          show this help`;

export async function startCommand(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: "string" }, help: { type: "boolean" } }, strict: true }));
  } catch (err) {
    io.err(`shipgate start: ${(err as Error).message}\n\n${START_HELP}`);
    return 2;
  }
  if (values.help) {
    io.out(START_HELP);
    return 0;
  }
  let bridge;
  try {
    const config = loadConfig({ file: values.config, env: io.env });
    bridge = await startBridge({ config });
  } catch (err) {
    const e = err as Error & { code?: string };
    io.err(`shipgate start: ${e instanceof ConfigError ? "invalid config: " : ""}${e.message}`);
    return 1;
  }
  const b = bridge;
  io.err(`shipgate: MQTT broker ${b.broker ? `listening on ${b.brokerUrl}` : `external at ${b.brokerUrl}`}${b.broker && b.config.broker.websocket ? ` and ${b.httpUrl.replace(/^http/, "ws")}/mqtt` : ""}`);
  if (b.broker?.tlsPort) io.err(`shipgate: MQTT over TLS on port ${b.broker.tlsPort}`);
  io.err(`shipgate: dashboard and API on ${b.httpUrl}/`);
  io.err(`shipgate: state in ${b.config.state_dir}`);
  for (const line of (b.context.status.snapshot().security as { hints?: string[] } | undefined)?.hints ?? []) io.err(`shipgate: ${line}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  io.err("shipgate: stopping");
  await b.stop();
  return 0;
}
