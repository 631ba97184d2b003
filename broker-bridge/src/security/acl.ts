// Who may publish and subscribe where, per role. One table serves the embedded broker (checked
// here) and the Mosquitto acl_file (security/mosquitto.ts), so both brokers give the same roles.
// Patterns are relative to the topic prefix and may use Mosquitto's substitutions: %u the user
// name, %c the client id (mosquitto.conf(5), "pattern"); each must be a whole topic level.

import type { Role } from "../broker/embedded-broker";

export type Access = "read" | "write";

export interface AclRule {
  access: Access;
  /** Relative to the prefix; "+" and "#" are MQTT wildcards, "%u"/"%c" substitutions. */
  pattern: string;
  /** The pattern is a whole topic, not under the prefix (Home Assistant's discovery prefix). */
  absolute?: true;
  /** Only on the embedded broker, which sees who publishes; not exported to Mosquitto. */
  embeddedOnly?: true;
}

const r = (pattern: string): AclRule => ({ access: "read", pattern });
const w = (pattern: string): AclRule => ({ access: "write", pattern });
/** Home Assistant's default discovery prefix (homeassistant/service.ts publishes there). */
const HA_DISCOVERY: AclRule = { access: "read", pattern: "homeassistant/#", absolute: true };
const embeddedOnly = (rule: AclRule): AclRule => ({ ...rule, embeddedOnly: true });

/** Every client, whatever its role: its own errors topic (the contract's refusals). */
export const EVERYONE: readonly AclRule[] = [r("errors/%c")];

export const ROLE_RULES: Readonly<Record<Role, readonly AclRule[]>> = {
  // Publishes its own events, status (and Will) and telemetry; reads its own view and acks.
  gadget: [w("gadgets/%u/event"), w("gadgets/%u/status"), w("gadgets/%u/telemetry"), r("gadgets/%u/view"), r("gadgets/%u/ack"), r("mode"), r("bridge/status")],
  // Requests and cancels its own locks, reads their states and the mode. The contract's topics
  // (locks/request, locks/<id>/cancel, locks/<id>) are embedded-only: that broker sees who
  // publishes and delivers a pipeline only its own locks' states. On Mosquitto the bridge sees no
  // publisher, so a pipeline uses the topics whose user level the ACL binds to it: requests on
  // locks/request/<user>, cancels on locks/<id>/cancel/<user>, states on owners/<user>/locks/<id>.
  pipeline: [
    embeddedOnly(w("locks/request")),
    w("locks/request/%u"),
    embeddedOnly(w("locks/+/cancel")),
    w("locks/+/cancel/%u"),
    w("presence/%u"),
    embeddedOnly(r("locks/+")),
    r("owners/%u/locks/+"),
    r("mode"),
    r("bridge/status"),
  ],
  // Reads what the dashboard shows, the gadgets' button events and Home Assistant's discovery
  // configs (a Home Assistant account is a viewer, docs/homeassistant.md); writes only its own
  // presence beat (a fleet node's account).
  viewer: [w("presence/%u"), r("locks/+"), r("mode"), r("gadgets/+/view"), r("gadgets/+/status"), r("gadgets/+/telemetry"), r("gadgets/+/event"), r("presence/+"), r("bridge/status"), HA_DISCOVERY],
  // Everything a person can do: its own admin commands, locks, and reading every shipgate topic.
  // The bridge's own outputs (lock states, mode, views, acks, errors, replies) stay the bridge's:
  // nobody else may forge them. An admin may not publish a gadget's events: a press counts for the
  // gadget's own account only (N-of-M counts people; issue 13). The terminal twin signs in with
  // the gadget's account.
  admin: [
    w("admin/%u/+"),
    w("locks/request"),
    w("locks/request/%u"),
    w("locks/+/cancel"),
    w("locks/+/cancel/%u"),
    w("gadgets/+/status"),
    w("gadgets/+/telemetry"),
    w("presence/+"),
    r("#"),
    HA_DISCOVERY,
  ],
  // The bridge itself as a client of an external broker (and Home Assistant's discovery configs).
  bridge: [w("#"), r("#"), { ...HA_DISCOVERY, access: "write" }, HA_DISCOVERY],
};

const SUBSTITUTION_SAFE = /^[^/+#\u0000]+$/;

/** The rule's filter for this client, or null when a substitution cannot be made safely
 *  (a client id with '/', '+' or '#' would widen the rule). */
export function concreteFilter(prefix: string, pattern: string, username: string, clientId: string): string | null {
  const levels = pattern.split("/");
  for (let i = 0; i < levels.length; i++) {
    if (levels[i] === "%u") {
      if (!SUBSTITUTION_SAFE.test(username)) return null;
      levels[i] = username;
    } else if (levels[i] === "%c") {
      if (!SUBSTITUTION_SAFE.test(clientId)) return null;
      levels[i] = clientId;
    }
  }
  return prefix + levels.join("/");
}

/** Whether every topic `filter` can match is also matched by `rule` (MQTT 3.1.1 section 4.7).
 *  A literal filter is a topic; a wildcard in the filter needs the same or a wider one in the rule. */
export function covers(rule: string, filter: string): boolean {
  const a = rule.split("/");
  const b = filter.split("/");
  for (let i = 0; i < a.length; i++) {
    const level = a[i];
    if (level === "#") return true;
    if (i >= b.length) return false;
    const want = b[i];
    if (want === "#") return false;
    if (level === "+") continue;
    if (level !== want) return false;
  }
  return a.length === b.length;
}

export function rulesFor(role: Role): readonly AclRule[] {
  return [...EVERYONE, ...ROLE_RULES[role]];
}

/** Why `access` on `topicOrFilter` is refused for this user, or null when a rule allows it. */
export function aclDenied(prefix: string, role: Role, username: string, clientId: string, access: Access, topicOrFilter: string): string | null {
  if (topicOrFilter.startsWith("$")) return "topics starting with '$' are the broker's";
  for (const rule of rulesFor(role)) {
    if (rule.access !== access) continue;
    const filter = concreteFilter(rule.absolute ? "" : prefix, rule.pattern, username, clientId);
    if (filter !== null && covers(filter, topicOrFilter)) return null;
  }
  return `role ${role} may not ${access === "write" ? "publish to" : "subscribe to"} ${topicOrFilter}`;
}
