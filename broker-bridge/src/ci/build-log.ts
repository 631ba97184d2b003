// Change detection, restart-safe: every build seen is kept (per pipeline and id, with its last
// state) in the store, so a poll reports only builds that are new or whose state changed, and a restart
// does not report history again. The first poll of a pipeline is its baseline: its builds are
// recorded and reported as such, so outputs can tell history from news.

import type { Store } from "../store";
import type { Build, BuildChange, BuildState, Deployment } from "../builds";

export type { BuildChange } from "../builds";

/** Builds kept per pipeline: far more than any poll returns, so an old build never comes back as new. */
const KEEP_PER_PIPELINE = 500;

export class BuildLog {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
    store.migrate("ci", [
      `CREATE TABLE ci_builds (pipeline TEXT NOT NULL, id TEXT NOT NULL, provider TEXT NOT NULL, state TEXT NOT NULL,
         build TEXT NOT NULL, seen_at BIGINT NOT NULL, PRIMARY KEY (pipeline, id))`,
      `CREATE TABLE ci_deployments (provider TEXT NOT NULL, pipeline TEXT NOT NULL, id TEXT NOT NULL, environment TEXT NOT NULL,
         at TEXT NOT NULL, ok INTEGER NOT NULL, PRIMARY KEY (provider, pipeline, id))`,
    ]);
  }

  /** Records what a poll or webhook saw; answers what is new or changed, in the order given. */
  record(pipeline: string, builds: readonly Build[], now: number): BuildChange[] {
    const db = this.#store.db;
    const known = db.prepare<[string, string], { state: string }>("SELECT state FROM ci_builds WHERE pipeline = ? AND id = ?");
    const upsert = db.prepare(`INSERT INTO ci_builds (pipeline, id, provider, state, build, seen_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (pipeline, id) DO UPDATE SET state = excluded.state, build = excluded.build, seen_at = excluded.seen_at`);
    const any = db.prepare<[string], { one: number }>("SELECT 1 AS one FROM ci_builds WHERE pipeline = ? LIMIT 1");
    return db.transaction(() => {
      const baseline = any.get(pipeline) === undefined;
      const changes: BuildChange[] = [];
      for (const build of builds) {
        const row = known.get(pipeline, build.id);
        if (row !== undefined && row.state === build.state) continue;
        changes.push({ build, previous: row === undefined ? null : (row.state as BuildState), baseline });
        upsert.run(pipeline, build.id, build.provider, build.state, JSON.stringify(build), now);
      }
      if (changes.length > 0) {
        db.prepare(`DELETE FROM ci_builds WHERE pipeline = ? AND id NOT IN
          (SELECT id FROM ci_builds WHERE pipeline = ? ORDER BY seen_at DESC LIMIT ${KEEP_PER_PIPELINE})`).run(pipeline, pipeline);
      }
      return changes;
    })();
  }

  /** Finished deployments not seen before. */
  recordDeployments(deployments: readonly Deployment[]): Deployment[] {
    const db = this.#store.db;
    const insert = db.prepare("INSERT INTO ci_deployments (provider, pipeline, id, environment, at, ok) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    return db.transaction(() => deployments.filter((d) => insert.run(d.provider, d.pipeline, d.id, d.environment, d.at, d.ok ? 1 : 0).changes > 0))();
  }

  /** The newest builds recorded for a pipeline (to restore what it showed before a restart). */
  recent(pipeline: string, limit: number): Build[] {
    return this.#store.db
      .prepare<[string, number], { build: string }>("SELECT build FROM ci_builds WHERE pipeline = ? ORDER BY seen_at DESC LIMIT ?")
      .all(pipeline, limit)
      .map((r) => JSON.parse(r.build) as Build);
  }
}
