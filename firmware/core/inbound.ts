// Decodes what the bridge sends the gadget (view, ack, bridge availability) against the
// protocol's size limits and checks; a payload that fails is traced and ignored, never thrown.

import { decode } from "@shipgate/protocol/codec";
import type { Checked } from "@shipgate/protocol/check";
import { GADGET_VIEW_MAX_BYTES, HEARTBEAT_MAX_BYTES } from "@shipgate/protocol/limits";
import { type Availability, checkAvailability, checkGadgetAck, checkGadgetView, type GadgetAck, type GadgetView } from "@shipgate/protocol/messages";
import type { Log } from "./ports";

function decodeOrTrace<T>(log: Log, what: string, payload: Uint8Array, limit: number, check: (value: unknown, path: string) => Checked<T>): T | undefined {
  const checked = decode(payload, limit, check);
  if (checked.ok) return checked.value;
  log.warn(`${what}: ignored, ${checked.field === "" ? "payload" : checked.field} ${checked.error}`);
  return undefined;
}

export function decodeView(log: Log, payload: Uint8Array): GadgetView | undefined {
  return decodeOrTrace(log, "view", payload, GADGET_VIEW_MAX_BYTES, checkGadgetView);
}

export function decodeAck(log: Log, payload: Uint8Array): GadgetAck | undefined {
  return decodeOrTrace(log, "ack", payload, HEARTBEAT_MAX_BYTES, checkGadgetAck);
}

/** The bridge's retained status; an empty payload (a cleared retained message) is no news. */
export function decodeBridgeStatus(log: Log, payload: Uint8Array): Availability | undefined {
  if (payload.byteLength === 0) return undefined;
  return decodeOrTrace(log, "bridge status", payload, HEARTBEAT_MAX_BYTES, checkAvailability);
}
