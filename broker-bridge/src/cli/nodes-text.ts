// Fleet nodes as text lines, for `shipgate presence list` and `shipgate status`.

import type { NodePresence } from "../presence/presence-service";

/** One line per node, for `presence list` and `shipgate status`. */
export function formatNodes(nodes: readonly NodePresence[]): string[] {
  return nodes.map((n) => {
    const facts = n.facts
      ? Object.entries(n.facts)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")
      : "";
    return `  ${n.id}${n.part ? ` [${n.part}]` : ""}: ${n.online ? "online" : "offline"}${n.last_seen ? ` (last seen ${n.last_seen})` : ""}${n.label ? ` "${n.label}"` : ""}${facts ? ` ${facts}` : ""}`;
  });
}
