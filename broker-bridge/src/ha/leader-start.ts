// `shipgate start` with a PostgreSQL store: the bridge runs under the lease (leadership.ts), as
// the leader or as a standby, and prints its part each time it changes.

import type { RunningBridge } from "../bridge";
import { startBridge } from "../bridge";
import type { BridgeConfig } from "../config";
import type { Io } from "../cli/io";
import { createLogger } from "../log";
import { Leadership, bridgeId } from "./leadership";

export async function startWithLeadership(config: BridgeConfig, url: string, io: Io, print: (b: RunningBridge, io: Io) => void): Promise<() => Promise<void>> {
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
  try {
    await leadership.start();
  } catch (err) {
    // No bridge ran (the store cannot be opened, say): stop campaigning, or the process stays up.
    await leadership.lease.stop();
    throw err;
  }
  return () => leadership.stop();
}

function standbyLine(leader: { id: string; since: string } | null): string {
  return leader === null ? "no bridge leads yet" : `bridge ${leader.id} leads since ${leader.since}`;
}
