// The `argocd` section of `shipgate status` as lines a person reads (the section itself is the
// JSON from ArgoCdService.status()). cli/admin.ts formatStatus can print these instead of the
// section's JSON.

import { isObject } from "@shipgate/protocol";

interface AppLine {
  name: string;
  project: string;
  sync: string;
  health: string;
  operation: { phase: string; message: string } | null;
  syncable: boolean;
}

export function formatArgoStatus(section: unknown): string[] {
  if (!isObject(section) || section.configured !== true) return ["argocd: not configured"];
  const watch = isObject(section.watch) ? section.watch : {};
  const lines = [`argocd: ${String(section.url)} (${String(watch.mode)}${typeof watch.last_error === "string" ? `, last error: ${watch.last_error}` : ""})`];
  const apps = Array.isArray(section.apps) ? (section.apps as AppLine[]) : [];
  for (const a of apps) {
    const op = a.operation && a.operation.phase !== "" ? `, last sync ${a.operation.phase}${a.operation.phase === "Succeeded" ? "" : `: ${a.operation.message}`}` : "";
    lines.push(`  ${a.project}/${a.name}: ${a.sync}, ${a.health}${op}${a.syncable ? "" : " (not syncable from gadgets)"}`);
  }
  const sync = isObject(section.sync) ? section.sync : null;
  if (sync !== null && Array.isArray(sync.apps)) {
    const states = (sync.apps as { name: string; state: string }[]).map((a) => `${a.name} ${a.state}`).join(", ");
    lines.push(`  ${sync.finished_at === null ? "syncing" : "last sync"} from ${String(sync.gadget)} at ${String(sync.at)}: ${states}`);
  }
  const pending = isObject(section.pending_approvals) ? Object.values(section.pending_approvals) : [];
  for (const p of pending) if (isObject(p)) lines.push(`  waiting for approval: ${(p.apps as string[]).join(" ")} from ${String(p.gadget)}`);
  return lines;
}
