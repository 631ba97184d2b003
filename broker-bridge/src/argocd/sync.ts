// The sync button: a gadget's ("sync", "hold") event syncs the out-of-sync apps that gadget may
// sync. In order: the gadget must be allowed, the gate must not be blocked (mode or freeze), no
// earlier sync may still run, something must be out of sync; optionally a lock asks a second person
// first. Each app gets POST /api/v1/applications/{name}/sync with `infos` naming the gadget and the
// time (stored on the operation like `argocd app sync --info`), and its operation is followed to
// Succeeded, Failed or Error through the watch (or by GET when the stream is down). Every step is
// audited; Argo CD's refusals reach the gadget as a failed ack with a short reason.

import { randomUUID } from "node:crypto";
import type { LockState } from "@shipgate/protocol";
import { iso } from "../clock";
import { globToRegExp } from "../glob";
import { type AppSummary, TERMINAL_PHASES } from "./apps";
import type { SyncRequest } from "./client";
import { shortReason } from "./errors";
import { matchesSelector } from "./labels";
import { INFO_APPROVED_BY, INFO_AT, INFO_GADGET, type SyncBatch, type SyncDeps } from "./sync-types";

export { type AppSyncProgress, type AppSyncState, INFO_APPROVED_BY, INFO_AT, INFO_GADGET, type SyncBatch, type SyncDeps } from "./sync-types";

/** A sync waiting for a second person (kept in the store across restarts). */
interface PendingApproval {
  gadget: string;
  apps: string[];
  requested_at: string;
}

const PENDING_KEY = "argocd.pending_approvals";

type Ack = (ok: boolean, message?: string) => void;

export class SyncRunner {
  readonly #d: SyncDeps;
  readonly #allow: RegExp[];
  #batch: SyncBatch | null = null;
  #followTimer: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #requesting: string | null = null;
  #stopped = false;

  constructor(deps: SyncDeps) {
    this.#d = deps;
    this.#allow = deps.config.allow.map(globToRegExp);
  }

  get batch(): SyncBatch | null {
    return this.#batch;
  }

  get running(): boolean {
    return this.#batch !== null && this.#batch.finished_at === null;
  }

  pendingApprovals(): Record<string, PendingApproval> {
    return this.#d.kv.get<Record<string, PendingApproval>>(PENDING_KEY) ?? {};
  }

  stop(): void {
    this.#stopped = true;
    this.#d.clock.clearTimeout(this.#followTimer);
    this.#d.clock.clearTimeout(this.#deadline);
  }

  mayUse(gadget: string): boolean {
    return this.#d.config.gadgets.length === 0 || this.#d.config.gadgets.includes(gadget);
  }

  /** Whether the config lets a gadget sync this app (allow-list and sync_selector). */
  allowed(app: AppSummary): boolean {
    if (!this.#allow.some((re) => re.test(app.name))) return false;
    const selector = this.#d.config.sync_selector;
    return selector === null || matchesSelector(selector, app.labels);
  }

  /** The apps a hold on this gadget would sync now. */
  syncable(gadget: string): AppSummary[] {
    if (!this.mayUse(gadget)) return [];
    return this.#d.book.all().filter((a) => a.sync === "OutOfSync" && this.allowed(a));
  }

  #audit(actor: string, action: string, subject: string, detail?: Record<string, unknown>): void {
    this.#d.bus.emit("audit", detail === undefined ? { actor, action, subject } : { actor, action, subject, detail });
  }

  #refuse(gadget: string, ack: Ack, message: string, why: string, apps: string[] = []): void {
    this.#audit(`gadget:${gadget}`, "argocd.sync.refused", apps.length > 0 ? apps.join(",") : "argocd", { reason: why, shown: message });
    ack(false, message);
  }

  /** The ("sync", "hold") intent. */
  hold(gadget: string, ack: Ack): void {
    if (!this.mayUse(gadget)) return this.#refuse(gadget, ack, "NOT ALLOWED", `gadget ${gadget} is not in argocd.gadgets`);
    const mode = this.#d.gates()?.mode();
    if (mode?.mode === "blocked") {
      const freeze = mode.changed_by.startsWith("freeze:");
      return this.#refuse(gadget, ack, freeze ? "FREEZE" : "BLOCKED", mode.reason ?? (freeze ? "freeze window" : "blocked mode"));
    }
    if (this.running) return this.#refuse(gadget, ack, "IN PROGRESS", "a sync from the bridge is still running");
    const apps = this.syncable(gadget).map((a) => a.name);
    if (apps.length === 0) return this.#refuse(gadget, ack, "NOTHING TO SYNC", "no allowed app is out of sync");
    if (this.#d.config.require_approval) return this.#askApproval(gadget, apps, ack);
    this.#run(gadget, apps, null, ack);
  }

  // --- approval through the gates --------------------------------------------------------------

  #askApproval(gadget: string, apps: string[], ack: Ack): void {
    const gates = this.#d.gates();
    if (gates === undefined) return this.#refuse(gadget, ack, "NO GATES", "require_approval is set but the gates service is not running", apps);
    const id = randomUUID();
    const step = `sync ${apps.join(" ")}`.slice(0, 100);
    const pending = this.pendingApprovals();
    pending[id] = { gadget, apps, requested_at: iso(this.#d.clock.now()) };
    this.#d.kv.set(PENDING_KEY, pending);
    this.#audit(`gadget:${gadget}`, "argocd.sync.approval_requested", apps.join(","), { lock: id });
    this.#requesting = id;
    let lock: LockState;
    try {
      lock = gates.request(
        {
          id,
          pipeline: "argocd",
          step,
          summary: `sync ${apps.join(", ")} pressed on ${gadget}`.slice(0, 200),
          timeout_s: Math.max(1, Math.round(this.#d.config.approval_timeout_ms / 1000)),
        },
        null,
      ).lock;
    } catch (err) {
      // The gates refused the lock (too many pending): forget it; the gadget service shows why.
      const left = this.pendingApprovals();
      delete left[id];
      this.#d.kv.set(PENDING_KEY, left);
      throw err;
    } finally {
      this.#requesting = null;
    }
    // Released mode approves at once, and a blocked gate was refused above: settle here.
    if (lock.state === "pending") return ack(true, "NEEDS APPROVAL");
    this.#decided(lock, ack);
  }

  /** lock:decided from the bus: an approval this runner asked for came back. */
  lockDecided(lock: LockState): void {
    if (lock.id === this.#requesting) return;
    this.#decided(lock, () => {});
  }

  #decided(lock: LockState, ack: Ack): void {
    const pending = this.pendingApprovals();
    const entry = pending[lock.id];
    if (entry === undefined) return;
    delete pending[lock.id];
    this.#d.kv.set(PENDING_KEY, pending);
    const { gadget } = entry;
    if (lock.state !== "approved") {
      this.#audit(lock.decided_by ?? "gates", "argocd.sync.not_approved", entry.apps.join(","), { lock: lock.id, state: lock.state, gadget });
      this.#notice(`SYNC ${lock.state.toUpperCase()}`);
      return ack(false, lock.state === "rejected" ? "REJECTED" : lock.state.toUpperCase());
    }
    const by = (lock.decided_by ?? "").split(",").filter((s) => s !== "");
    // The point of the approval is a second person: the presser's own approval does not count.
    if (by.length > 0 && by.every((d) => d === `gadget:${gadget}`)) {
      this.#audit(`gadget:${gadget}`, "argocd.sync.refused", entry.apps.join(","), { lock: lock.id, reason: "approved only by the gadget that asked" });
      this.#notice("SELF APPROVAL");
      return ack(false, "SELF APPROVAL");
    }
    if (this.running) {
      this.#audit("argocd", "argocd.sync.refused", entry.apps.join(","), { lock: lock.id, reason: "another sync is running" });
      this.#notice("IN PROGRESS");
      return ack(false, "IN PROGRESS");
    }
    // Apps may have synced meanwhile: sync what is still out of sync and allowed.
    const still = entry.apps.filter((name) => {
      const app = this.#d.book.get(name);
      return app !== undefined && app.sync === "OutOfSync" && this.allowed(app);
    });
    if (still.length === 0) {
      this.#audit("argocd", "argocd.sync.refused", entry.apps.join(","), { lock: lock.id, reason: "nothing out of sync any more" });
      this.#notice("NOTHING TO SYNC");
      return ack(false, "NOTHING TO SYNC");
    }
    this.#run(gadget, still, lock.decided_by, ack);
  }

  // --- the sync itself ---------------------------------------------------------------------------

  /** A short message on the display for result_ms, with no sync running (refusals after an ack). */
  #notice(text: string): void {
    this.notice = { text, until: this.#d.clock.now() + this.#d.config.result_ms };
    this.#d.changed();
  }

  notice: { text: string; until: number } | null = null;

  #run(gadget: string, names: string[], approvedBy: string | null, ack: Ack): void {
    const now = this.#d.clock.now();
    const batch: SyncBatch = {
      id: randomUUID(),
      gadget,
      at: iso(now),
      approved_by: approvedBy,
      apps: names.map((name) => ({ name, state: "requested", message: null })),
      finished_at: null,
    };
    this.#batch = batch;
    this.notice = null;
    const infos = [
      { name: INFO_GADGET, value: gadget },
      { name: INFO_AT, value: batch.at },
    ];
    if (approvedBy !== null) infos.push({ name: INFO_APPROVED_BY, value: approvedBy });
    this.#audit(`gadget:${gadget}`, "argocd.sync.request", names.join(","), { at: batch.at, approved_by: approvedBy });
    this.#d.bus.emit("argocd:sync", { batch: structuredClone(batch) });
    this.#d.changed();

    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      this.#d.clock.clearTimeout(wait);
      const refused = batch.apps.filter((a) => a.state === "refused");
      const open = batch.apps.filter((a) => a.state === "requested");
      if (refused.length === 0) {
        ack(true, names.length === 1 ? `SYNCING ${names[0]}` : `SYNCING ${names.length} APPS`);
      } else {
        const reason = refused[0]?.message ?? "REFUSED";
        ack(false, refused.length === batch.apps.length ? reason : `${refused.length} OF ${batch.apps.length}: ${reason}`);
      }
      if (open.length > 0) this.#d.log.info({ apps: open.map((a) => a.name) }, "argocd sync acked before Argo CD answered");
    };
    // The gadget shows an error when no ack comes within 3 s; answer by then in any case.
    const wait = this.#d.clock.setTimeout(answer, this.#d.config.ack_wait_ms, "argocd-ack-wait");

    const posts = batch.apps.map(async (entry) => {
      const app = this.#d.book.get(entry.name);
      const body: SyncRequest = { name: entry.name, prune: false, dryRun: false, infos };
      try {
        // The answer is the Application as it was before the sync started; the stream (or the
        // follow polls) bring the operation's progress, so the answer is not fed to the book.
        await this.#d.client.sync(body);
        this.#audit(`gadget:${gadget}`, "argocd.sync.accepted", entry.name, { at: batch.at, project: app?.project ?? null });
      } catch (err) {
        entry.state = "refused";
        entry.message = shortReason(err);
        this.#audit(`gadget:${gadget}`, "argocd.sync.refused", entry.name, { at: batch.at, reason: (err as Error).message, shown: entry.message });
        this.#d.log.warn({ err: (err as Error).message, app: entry.name }, "Argo CD refused a sync");
      }
    });
    void Promise.all(posts).then(() => {
      answer();
      this.#progress();
    });
    this.#d.clock.clearTimeout(this.#deadline);
    this.#deadline = this.#d.clock.setTimeout(() => this.#timeout(batch), this.#d.config.sync_timeout_ms, "argocd-sync-deadline");
    this.#scheduleFollow();
  }

  /** An app changed (stream, poll, or an answer): move the batch on. */
  appChanged(app: AppSummary): void {
    const batch = this.#batch;
    if (batch === null || batch.finished_at !== null) return;
    const entry = batch.apps.find((a) => a.name === app.name);
    if (entry === undefined || (entry.state !== "requested" && entry.state !== "running")) return;
    const op = app.operation;
    // Only our operation counts: its info carries our gadget and press time. An older operation's
    // phase (the last sync's Succeeded) stays in operationState until the controller starts ours.
    if (op === null || op.info[INFO_AT] !== batch.at || op.info[INFO_GADGET] !== batch.gadget) return;
    if (op.phase === "Running" || op.phase === "Terminating") {
      if (entry.state !== "running") {
        entry.state = "running";
        this.#progress();
      }
      return;
    }
    if (!TERMINAL_PHASES.includes(op.phase)) return;
    entry.state = op.phase === "Succeeded" ? "succeeded" : "failed";
    entry.message = op.message || null;
    this.#audit(`gadget:${batch.gadget}`, `argocd.sync.${entry.state}`, app.name, { at: batch.at, phase: op.phase, message: op.message, finished_at: op.finishedAt });
    this.#progress();
  }

  #progress(): void {
    const batch = this.#batch;
    if (batch === null || batch.finished_at !== null) return;
    const open = batch.apps.some((a) => a.state === "requested" || a.state === "running");
    if (!open) this.#finish(batch);
    this.#d.changed();
  }

  #finish(batch: SyncBatch): void {
    batch.finished_at = iso(this.#d.clock.now());
    this.#d.clock.clearTimeout(this.#deadline);
    this.#d.clock.clearTimeout(this.#followTimer);
    const outcome = batch.apps.every((a) => a.state === "succeeded") ? "succeeded" : "failed";
    this.#audit(`gadget:${batch.gadget}`, "argocd.sync.finished", batch.apps.map((a) => a.name).join(","), {
      at: batch.at,
      outcome,
      apps: batch.apps.map((a) => ({ name: a.name, state: a.state, message: a.message })),
    });
    this.#d.bus.emit("argocd:sync", { batch: structuredClone(batch) });
  }

  #timeout(batch: SyncBatch): void {
    if (batch !== this.#batch || batch.finished_at !== null) return;
    for (const a of batch.apps) {
      if (a.state === "requested" || a.state === "running") {
        a.state = "timeout";
        a.message = `no result within ${Math.round(this.#d.config.sync_timeout_ms / 1000)} s`;
        this.#audit(`gadget:${batch.gadget}`, "argocd.sync.timeout", a.name, { at: batch.at, message: a.message });
      }
    }
    this.#progress();
  }

  /** Without the stream, ask for the synced apps until their operations end. */
  #scheduleFollow(): void {
    this.#d.clock.clearTimeout(this.#followTimer);
    if (this.#stopped) return;
    this.#followTimer = this.#d.clock.setTimeout(
      () => {
        const batch = this.#batch;
        if (batch === null || batch.finished_at !== null) return;
        if (!this.#d.streaming()) {
          for (const a of batch.apps) {
            if (a.state !== "requested" && a.state !== "running") continue;
            this.#d.client.get(a.name).then(
              (item) => void this.#d.book.update(item),
              (err: unknown) => this.#d.log.warn({ err: (err as Error).message, app: a.name }, "could not follow a sync"),
            );
          }
        }
        this.#scheduleFollow();
      },
      this.#d.config.follow_interval_ms,
      "argocd-sync-follow",
    );
  }

  /** 0-1000 for ring B while a sync runs: finished apps count whole, running ones half. */
  progress(): number | undefined {
    const batch = this.#batch;
    if (batch === null || batch.finished_at !== null) return undefined;
    const accepted = batch.apps.filter((a) => a.state !== "refused");
    if (accepted.length === 0) return undefined;
    let done = 0;
    for (const a of accepted) done += a.state === "requested" ? 0 : a.state === "running" ? 0.5 : 1;
    return Math.round((1000 * done) / accepted.length);
  }
}
