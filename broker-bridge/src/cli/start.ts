// `shipgate start`: runs the bridge until SIGINT or SIGTERM, then publishes its offline state and
// closes the store. A bad config or a taken port ends it at once with one clear line.

import { parseArgs } from "node:util";
import { type RunningBridge, startBridge } from "../bridge";
import { ConfigError, loadConfig } from "../bridge-config";
import { storeUrlOf } from "../store-config";
import { stateDirFrom } from "./connection";
import { shipgateCommand } from "./io";
import type { Io } from "./io";

export const START_HELP = `Usage: shipgate start [--config FILE]

Runs the bridge: the embedded MQTT broker (or an external one), the gates, the dashboard and API.

Options:
  --config FILE   YAML configuration (see docs/configuration.md); environment variables override it:
                  SHIPGATE_STATE_DIR, SHIPGATE_BROKER_PORT, SHIPGATE_HTTP_PORT, SHIPGATE_BROKER_URL
  --help          show this help`;

export async function startCommand(argv: string[], io: Io): Promise<number> {
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { config: { type: "string" }, help: { type: "boolean" } }, allowPositionals: true, strict: true }));
  } catch (err) {
    io.err(`shipgate start: ${(err as Error).message}\n\n${START_HELP}`);
    return 3;
  }
  if (positionals.length > 0) {
    io.err(`shipgate start: unexpected arguments: ${positionals.join(" ")}\n\n${START_HELP}`);
    return 3;
  }
  if (values.help) {
    io.out(START_HELP);
    return 0;
  }
  // Listening before anything starts: with no listener, a SIGTERM that arrives between the lines
  // printed and a later process.once would end the process at once, skipping the clean stop.
  const signalled = new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  let stop: () => Promise<void>;
  try {
    const config = loadConfig({ file: values.config, env: io.env });
    const storeUrl = storeUrlOf(config, io.env);
    // The lease needs an external broker: each bridge's embedded broker would be a broker of its
    // own, and the leader's clients could not reach a standby's. So with the embedded broker a
    // bridge on PostgreSQL runs alone, as on SQLite (docs/deploy-ha.md).
    if (storeUrl !== null && config.broker.url === null)
      io.err("shipgate: a PostgreSQL store with the embedded broker: this bridge runs alone (no lease); a pair needs an external broker (broker.url)");
    if (storeUrl === null || config.broker.url === null) {
      const bridge = await startBridge({ config });
      printStarted(bridge, io);
      stop = () => bridge.stop();
    } else {
      // Several bridges on one PostgreSQL store: the lease decides who leads (pg loads only here).
      const { startWithLeadership } = await import("../ha/leader-start");
      stop = await startWithLeadership(config, storeUrl, io, printStarted);
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    io.err(`shipgate start: ${e instanceof ConfigError ? "invalid config: " : ""}${e.message}`);
    return 1;
  }
  await signalled;
  io.err("shipgate: stopping");
  await stop();
  return 0;
}

/** What `shipgate start` prints once a bridge runs (again after each takeover). */
function printStarted(b: RunningBridge, io: Io): void {
  io.err(`shipgate: ${brokerLine(b)}`);
  if (b.broker?.tlsPort) io.err(`shipgate: MQTT over TLS listening on ${b.config.broker.host}:${b.broker.tlsPort}`);
  io.err(`shipgate: dashboard and API on ${b.httpUrl}/`);
  io.err(`shipgate: state in ${b.config.state_dir}`);
  // Commands find the local admin credential in SHIPGATE_STATE_DIR or ./.shipgate (cli/connection.ts).
  if (stateDirFrom(io.env) !== b.config.state_dir) io.err(`shipgate: commands on this machine need SHIPGATE_STATE_DIR=${b.config.state_dir} (they look in ${stateDirFrom(io.env)})`);
  // In a clone `shipgate` is not on PATH (npm start puts it there for itself only): the hints then
  // say `npx shipgate`, which the README uses, so that they paste as printed.
  const command = shipgateCommand(io.env);
  for (const line of (b.context.status.snapshot().security as { hints?: string[] } | undefined)?.hints ?? [])
    io.err(`shipgate: ${line.replace(/(^|[\s(:])shipgate (?=user |gate )/g, `$1${command} `)}`);
}

/** Where the broker really listens (0.0.0.0 is every interface), and the URL to use from here. */
function brokerLine(b: RunningBridge): string {
  if (b.broker === null) return `MQTT broker external at ${b.brokerUrl}`;
  const { host, websocket } = b.config.broker;
  const everywhere = host === "0.0.0.0" || host === "::";
  const ws = websocket ? ` and ${b.httpUrl.replace(/^http/, "ws")}/mqtt` : "";
  return `MQTT broker listening on ${host.includes(":") ? `[${host}]` : host}:${b.broker.port}${everywhere ? ` (every interface; from this machine ${b.brokerUrl})` : ""}${ws}`;
}
