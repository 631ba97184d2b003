// Refused CONNECTs, audited as aggregates: one row per (source address, user name, minute) whose
// count grows, so a flood of 20,000 anonymous connects is one row a minute per source and the real
// entries stay on the audit's first page (issue 13). The first refusal of each aggregate is logged.

import type { Logger } from "pino";
import type { AuditLog } from "../audit-log";
import { type Clock, iso } from "../clock";
import type { EventBus } from "../events";

interface Aggregate {
  id: number;
  minute: number;
  detail: Record<string, unknown>;
}

/** Aggregates kept at once; older minutes are dropped first (their rows are final). */
const MAX_OPEN = 10_000;

export class ConnectDenials {
  readonly #open = new Map<string, Aggregate>();

  constructor(
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  refused(clientId: string, source: string, username: string | null, reason: string): void {
    const now = this.clock.now();
    const minute = Math.floor(now / 60_000);
    const key = `${minute}\u0000${source}\u0000${username ?? ""}`;
    const open = this.#open.get(key);
    try {
      if (open !== undefined) {
        open.detail.count = (open.detail.count as number) + 1;
        open.detail.last_client = clientId;
        this.audit.updateDetail(open.id, open.detail);
        return;
      }
      this.#prune(minute);
      const detail: Record<string, unknown> = { client: clientId, source, user: username, reason, count: 1, minute: iso(minute * 60_000) };
      const entry = { actor: username ? `user:${username}` : `client:${clientId}`, action: "auth.connect.denied", subject: source, detail };
      const id = this.audit.append(entry, now);
      this.#open.set(key, { id, minute, detail });
      this.bus.emit("audit", { ...entry, stored: true });
    } catch (err) {
      this.log.error({ err }, "could not audit a refused connection");
    }
  }

  #prune(minute: number): void {
    if (this.#open.size < MAX_OPEN) {
      for (const [key, agg] of this.#open) if (agg.minute < minute) this.#open.delete(key);
      return;
    }
    this.#open.clear();
  }
}
