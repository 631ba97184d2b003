// `shipgate start` with a PostgreSQL store: the bridge runs under the lease (leadership.ts), as
// the leader or as a standby, and prints its part each time it changes.

import type { RunningBridge } from "../bridge";
import { startBridge } from "../bridge";
import type { BridgeConfig } from "../config";
import { ConfigError } from "../config-error";
import type { Io } from "../cli/io";
import { createLogger } from "../log";
import { Leadership, bridgeId } from "./leadership";

export async function startWithLeadership(config: BridgeConfig, url: string, io: Io, print: (b: RunningBridge, io: Io) => void): Promise<() => Promise<void>> {
  if (config.broker.url === null) {
    throw new ConfigError(
      config.file,
      "broker.url",
      "a PostgreSQL store is shared by several bridges, so they need one external broker (broker.url or SHIPGATE_BROKER_URL): an embedded broker would be one per bridge",
    );
  }
  const log = createLogger(config.log_level);
  const id = bridgeId(io.env);
  const leadership = new Leadership({
    url,
    id,
    log,
    start: (ha) => startBridge({ config, ha, log }),
    onRunning: (b, ha) => {
      io.err(ha.role === "leader" ? `shipgate: bridge ${id} leads (lease token ${ha.token}, since ${ha.since?.toISOString()})` : `shipgate: bridge ${id} is a standby; ${standbyLine(ha.leader())}`);
      print(b, io);
    },
  });
  await leadership.start();
  return () => leadership.stop();
}

function standbyLine(leader: { id: string; since: string } | null): string {
  return leader === null ? "no bridge leads yet" : `bridge ${leader.id} leads since ${leader.since}`;
}
