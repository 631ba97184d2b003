// The presence directory: one JSON file per node, <dir>/<node>.json, the way a load balancer or a
// deploy script finds the nodes of a fleet without a registry server (read the folder, keep the
// files with "online": true). Each file is written whole to a temporary name in the same
// directory and renamed over the old one (rename(2) is atomic within a file system), so a reader
// sees the old file or the new one, never half of either. Node ids are one safe topic level
// (NODE_ID_PATTERN), so they are safe file names too; a file never names another directory.

import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { NODE_ID_PATTERN } from "@shipgate/protocol";
import type { Logger } from "../log";
import { makeDirectory } from "../store";

/** What a node file holds (docs/protocol.md, "The presence directory"). */
export interface NodeRecord {
  node: string;
  online: boolean;
  last_seen: string | null;
  interval_s: number;
  part: string | null;
  label: string | null;
  facts: Record<string, string>;
}

export class PresenceDirectory {
  readonly #dir: string;
  readonly #log: Logger;
  #counter = 0;

  constructor(dir: string, log: Logger) {
    this.#dir = dir;
    this.#log = log;
    makeDirectory(dir);
  }

  get dir(): string {
    return this.#dir;
  }

  fileOf(node: string): string {
    return path.join(this.#dir, `${node}.json`);
  }

  /** Writes the node's file atomically; a failure is logged, never thrown into the beat's path. */
  write(record: NodeRecord): void {
    if (!NODE_ID_PATTERN.test(record.node)) return;
    const tmp = path.join(this.#dir, `.${record.node}.json.${process.pid}.${++this.#counter}.tmp`);
    try {
      const fd = openSync(tmp, "w", 0o644);
      try {
        writeSync(fd, JSON.stringify(record, null, 2) + "\n");
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.fileOf(record.node));
    } catch (err) {
      this.#log.warn({ err, node: record.node, dir: this.#dir }, "cannot write the node's presence file");
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
  }

  /** The node files already there (from before a restart); unreadable or foreign files are skipped. */
  read(): NodeRecord[] {
    let names: string[];
    try {
      names = readdirSync(this.#dir);
    } catch {
      return [];
    }
    const out: NodeRecord[] = [];
    for (const name of names) {
      const m = /^(.+)\.json$/.exec(name);
      if (m === null || !NODE_ID_PATTERN.test(m[1] as string)) continue;
      try {
        const r = JSON.parse(readFileSync(path.join(this.#dir, name), "utf8")) as Partial<NodeRecord>;
        if (r.node !== m[1] || typeof r.interval_s !== "number") continue;
        out.push({
          node: m[1] as string,
          online: r.online === true,
          last_seen: typeof r.last_seen === "string" ? r.last_seen : null,
          interval_s: r.interval_s,
          part: typeof r.part === "string" ? r.part : null,
          label: typeof r.label === "string" ? r.label : null,
          facts: typeof r.facts === "object" && r.facts !== null ? (r.facts as Record<string, string>) : {},
        });
      } catch (err) {
        this.#log.warn({ err, file: name }, "skipping an unreadable presence file");
      }
    }
    return out;
  }
}
