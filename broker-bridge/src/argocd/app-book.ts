// The apps the bridge watches, by name, fed by list snapshots and watch events. It tells what
// changed (for the view and the bus) and which deploys are new in `status.history[]` (for the
// deploy counters); the last deploy seen per app is kept in the store, so a restart or a reconnect
// that lists every app again never counts a deploy twice.

import type { KeyValue } from "../store";
import { type AppSummary, type HistoryEntry, summarize } from "./apps";
import type { WatchEvent } from "./client";

export interface NewDeploy {
  app: AppSummary;
  entry: HistoryEntry;
  /** First sight of this app's history (the backlog at first start): counted, not news. */
  baseline: boolean;
}

export interface BookListener {
  /** An app appeared, changed, or (removed true) went away. */
  app(app: AppSummary, removed: boolean): void;
  deploy(deploy: NewDeploy): void;
}

const CURSOR_KEY = "argocd.deployed";

export class AppBook {
  readonly #apps = new Map<string, AppSummary>();
  readonly #kv: KeyValue;
  readonly #listener: BookListener;
  /** app -> deployedAt (ISO) of the newest deploy already announced. */
  readonly #cursor: Record<string, string>;

  constructor(kv: KeyValue, listener: BookListener) {
    this.#kv = kv;
    this.#listener = listener;
    this.#cursor = kv.get<Record<string, string>>(CURSOR_KEY) ?? {};
  }

  get(name: string): AppSummary | undefined {
    return this.#apps.get(name);
  }

  all(): AppSummary[] {
    return [...this.#apps.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A full list: apps missing from it are gone. */
  replace(items: readonly unknown[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      const app = summarize(item);
      if (app === null) continue;
      seen.add(app.name);
      this.#put(app);
    }
    for (const [name, app] of [...this.#apps]) {
      if (seen.has(name)) continue;
      this.#apps.delete(name);
      this.#listener.app(app, true);
    }
  }

  apply(event: WatchEvent): void {
    const app = summarize(event.application);
    if (app === null) return;
    if (event.type === "DELETED") {
      if (this.#apps.delete(app.name)) this.#listener.app(app, true);
      return;
    }
    this.#put(app);
  }

  /** An Application from a direct answer (GET, or the sync POST's answer). */
  update(item: unknown): AppSummary | null {
    const app = summarize(item);
    if (app !== null) this.#put(app);
    return app;
  }

  #put(app: AppSummary): void {
    const before = this.#apps.get(app.name);
    this.#apps.set(app.name, app);
    if (before === undefined || JSON.stringify(before) !== JSON.stringify(app)) this.#listener.app(app, false);
    this.#newDeploys(app);
  }

  #newDeploys(app: AppSummary): void {
    const last = this.#cursor[app.name];
    const lastMs = last === undefined ? Number.NEGATIVE_INFINITY : Date.parse(last);
    const fresh = app.history.filter((h) => Date.parse(h.deployedAt) > lastMs).sort((a, b) => Date.parse(a.deployedAt) - Date.parse(b.deployedAt));
    if (fresh.length === 0) return;
    const newest = fresh[fresh.length - 1];
    if (newest === undefined) return;
    this.#cursor[app.name] = newest.deployedAt;
    this.#kv.set(CURSOR_KEY, this.#cursor);
    for (const entry of fresh) this.#listener.deploy({ app, entry, baseline: last === undefined });
  }
}
