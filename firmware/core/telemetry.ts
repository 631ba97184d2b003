// The heartbeat's telemetry message, clamped to the protocol's ranges (docs/protocol.md).

import type { Telemetry } from "@shipgate/protocol/messages";
import type { NetworkPort, SystemPort } from "./ports";

export function makeTelemetry(network: NetworkPort, system: SystemPort, uptimeMs: number, outbox: number, intervalS: number): Telemetry {
  const rssi = Math.round(network.rssi());
  return {
    uptime_s: Math.floor(uptimeMs / 1000),
    rssi: rssi < -127 ? -127 : rssi > 0 ? 0 : rssi,
    free_heap: Math.max(0, Math.floor(system.freeHeap())),
    version: system.version().slice(0, 40),
    restart_reason: system.restartReason().slice(0, 40),
    outbox,
    interval_s: intervalS,
  };
}
