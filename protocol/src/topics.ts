// Topic builders and the parser for every topic shipgate uses. The prefix defaults to
// "shipgate/v1/" and is configurable on both sides; it must end with "/" and hold no wildcard.

import { NODE_ID_PATTERN, UUID_PATTERN } from "./messages";

export const DEFAULT_PREFIX = "shipgate/v1/";

/** Why a prefix cannot be used, or undefined when it can. */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix.length === 0 || prefix.length > 100) return "must have 1 to 100 characters";
  if (prefix.charAt(prefix.length - 1) !== "/") return "must end with '/'";
  if (prefix.charAt(0) === "/") return "must not start with '/'";
  // MQTT 3.1.1 section 4.7.2: topics starting with '$' are the server's ($SYS), and in MQTT 5
  // (section 4.8.2) a filter starting with "$share/" is a shared subscription, not a topic.
  if (prefix.charAt(0) === "$") return "must not start with '$'";
  if (/[#+\u0000]/.test(prefix)) return "must not contain '#', '+' or NUL";
  if (prefix.indexOf("//") >= 0) return "must not contain an empty level";
  return undefined;
}

/** Admin commands travel on admin/<user>/<command>: the broker's ACL ties the user level to the
 *  authenticated user name (Mosquitto: pattern write .../admin/%u/#), so the topic says who acts. */
export const ADMIN_COMMANDS = ["mode", "decide", "status"] as const;
export type AdminCommandName = (typeof ADMIN_COMMANDS)[number];

export type ParsedTopic =
  | { kind: "lock-request"; user?: string }
  | { kind: "lock-state"; id: string }
  | { kind: "lock-cancel"; id: string; user?: string }
  | { kind: "owner-lock-state"; user: string; id: string }
  | { kind: "mode" }
  | { kind: "error"; clientId: string }
  | { kind: "admin"; user: string; command: AdminCommandName }
  | { kind: "reply"; user: string; correlation: string }
  | { kind: "gadget-event"; gadget: string }
  | { kind: "gadget-ack"; gadget: string }
  | { kind: "gadget-view"; gadget: string }
  | { kind: "gadget-status"; gadget: string }
  | { kind: "gadget-telemetry"; gadget: string }
  | { kind: "presence"; node: string }
  | { kind: "bridge-status" }
  | { kind: "unknown"; reason: string };

const USER_LEVEL = "user in topic must be letters, digits, '_', '.' or '-'";

export class Topics {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_PREFIX) {
    const problem = prefixProblem(prefix);
    if (problem !== undefined) throw new Error(`topic prefix "${prefix}" ${problem}`);
    this.prefix = prefix;
  }

  // Pipeline contract
  lockRequest(): string {
    return this.prefix + "locks/request";
  }
  /** A user's own request topic: on an external broker the ACL (write locks/request/%u) makes
   *  the level say who asks, so the bridge knows the requester without seeing the connection. */
  lockRequestFor(user: string): string {
    return this.prefix + "locks/request/" + user;
  }
  allUserLockRequests(): string {
    return this.prefix + "locks/request/+";
  }
  lockState(id: string): string {
    return this.prefix + "locks/" + id;
  }
  lockCancel(id: string): string {
    return this.prefix + "locks/" + id + "/cancel";
  }
  /** A user's own cancel topic: the ACL (write locks/+/cancel/%u) makes the last level say who
   *  cancels, so on an external broker the bridge can refuse a cancel of another user's lock. */
  lockCancelFor(id: string, user: string): string {
    return this.prefix + "locks/" + id + "/cancel/" + user;
  }
  /** A lock's state again, under the user that requested it: the ACL (read owners/%u/locks/+)
   *  lets only that user read it, where locks/+ would show every pipeline's locks. */
  ownerLockState(user: string, id: string): string {
    return this.prefix + "owners/" + user + "/locks/" + id;
  }
  mode(): string {
    return this.prefix + "mode";
  }
  errors(clientId: string): string {
    return this.prefix + "errors/" + clientId;
  }

  // Admin commands (CLI, dashboard) and their replies
  adminCommand(user: string, command: AdminCommandName): string {
    return this.prefix + "admin/" + user + "/" + command;
  }
  reply(user: string, correlation: string): string {
    return this.prefix + "replies/" + user + "/" + correlation;
  }
  allAdminCommands(): string {
    return this.prefix + "admin/+/+";
  }

  // Gadgets
  gadgetEvent(gadget: string): string {
    return this.prefix + "gadgets/" + gadget + "/event";
  }
  gadgetAck(gadget: string): string {
    return this.prefix + "gadgets/" + gadget + "/ack";
  }
  gadgetView(gadget: string): string {
    return this.prefix + "gadgets/" + gadget + "/view";
  }
  gadgetStatus(gadget: string): string {
    return this.prefix + "gadgets/" + gadget + "/status";
  }
  gadgetTelemetry(gadget: string): string {
    return this.prefix + "gadgets/" + gadget + "/telemetry";
  }

  presence(node: string): string {
    return this.prefix + "presence/" + node;
  }
  bridgeStatus(): string {
    return this.prefix + "bridge/status";
  }

  // Subscription filters
  allLockStates(): string {
    return this.prefix + "locks/+";
  }
  allLockCancels(): string {
    return this.prefix + "locks/+/cancel";
  }
  allUserLockCancels(): string {
    return this.prefix + "locks/+/cancel/+";
  }
  /** Every lock state of one user (what that user may read on an external broker). */
  ownerLockStates(user: string): string {
    return this.prefix + "owners/" + user + "/locks/+";
  }
  allGadgetEvents(): string {
    return this.prefix + "gadgets/+/event";
  }
  allGadgetStatus(): string {
    return this.prefix + "gadgets/+/status";
  }
  allGadgetTelemetry(): string {
    return this.prefix + "gadgets/+/telemetry";
  }
  allPresence(): string {
    return this.prefix + "presence/+";
  }

  /** Classify a concrete topic. Unknown topics say why, so the bridge can answer with it. */
  parse(topic: string): ParsedTopic {
    if (topic.indexOf(this.prefix) !== 0) return { kind: "unknown", reason: "topic is outside prefix " + this.prefix };
    const levels = topic.slice(this.prefix.length).split("/");
    const [a, b, c, d] = levels;
    const n = levels.length;
    if (a === "locks") {
      if (n === 2 && b === "request") return { kind: "lock-request" };
      if (n === 3 && b === "request" && c !== undefined) {
        if (!NODE_ID_PATTERN.test(c)) return { kind: "unknown", reason: "user in topic must be letters, digits, '_', '.' or '-'" };
        return { kind: "lock-request", user: c };
      }
      if (b !== undefined && !UUID_PATTERN.test(b)) return { kind: "unknown", reason: "lock id in topic must be a UUID" };
      if (n === 2 && b !== undefined) return { kind: "lock-state", id: b };
      if (n === 3 && b !== undefined && c === "cancel") return { kind: "lock-cancel", id: b };
      if (n === 4 && b !== undefined && c === "cancel" && d !== undefined) {
        if (!NODE_ID_PATTERN.test(d)) return { kind: "unknown", reason: USER_LEVEL };
        return { kind: "lock-cancel", id: b, user: d };
      }
    } else if (a === "owners" && n === 4 && b !== undefined && c === "locks" && d !== undefined) {
      if (!NODE_ID_PATTERN.test(b)) return { kind: "unknown", reason: USER_LEVEL };
      if (!UUID_PATTERN.test(d)) return { kind: "unknown", reason: "lock id in topic must be a UUID" };
      return { kind: "owner-lock-state", user: b, id: d };
    } else if (a === "mode" && n === 1) {
      return { kind: "mode" };
    } else if (a === "errors" && n === 2 && b !== undefined && b.length > 0 && !/[+#]/.test(b)) {
      // Any MQTT client id may name its error topic, but a '+' or '#' level is a filter
      // (MQTT 3.1.1 [MQTT-3.3.2-2]: topic names carry no wildcards).
      return { kind: "error", clientId: b };
    } else if (a === "admin" && n === 3 && b !== undefined && c !== undefined) {
      if (!NODE_ID_PATTERN.test(b)) return { kind: "unknown", reason: "user in topic must be letters, digits, '_', '.' or '-'" };
      if ((ADMIN_COMMANDS as readonly string[]).indexOf(c) >= 0) return { kind: "admin", user: b, command: c as AdminCommandName };
    } else if (a === "replies" && n === 3 && b !== undefined && c !== undefined) {
      // Both levels are checked like the admin user: a '+' or '#' level is a filter, never a topic.
      if (!NODE_ID_PATTERN.test(b)) return { kind: "unknown", reason: "user in topic must be letters, digits, '_', '.' or '-'" };
      if (!NODE_ID_PATTERN.test(c)) return { kind: "unknown", reason: "correlation in topic must be letters, digits, '_', '.' or '-'" };
      return { kind: "reply", user: b, correlation: c };
    } else if (a === "gadgets" && n === 3 && b !== undefined) {
      if (!NODE_ID_PATTERN.test(b)) return { kind: "unknown", reason: "gadget id in topic must be letters, digits, '_', '.' or '-'" };
      if (c === "event") return { kind: "gadget-event", gadget: b };
      if (c === "ack") return { kind: "gadget-ack", gadget: b };
      if (c === "view") return { kind: "gadget-view", gadget: b };
      if (c === "status") return { kind: "gadget-status", gadget: b };
      if (c === "telemetry") return { kind: "gadget-telemetry", gadget: b };
    } else if (a === "presence" && n === 2 && b !== undefined) {
      if (!NODE_ID_PATTERN.test(b)) return { kind: "unknown", reason: "node id in topic must be letters, digits, '_', '.' or '-'" };
      return { kind: "presence", node: b };
    } else if (a === "bridge" && n === 2 && b === "status") {
      return { kind: "bridge-status" };
    }
    return { kind: "unknown", reason: "no shipgate topic has this shape" };
  }
}
