// `check`: the versions of this resource are the approved locks the broker still holds as
// retained states (a decided lock's state is cleared after the bridge's grace period). In blocked
// mode check fails, so the pipeline shows the gate closed (as Boss Deployer's resource did).

import { LOCK_STATE_MAX_BYTES_FALLBACK, lockMatches, sortByDecision, versionOf } from "./versions";
import { type LockState, type ModeState, checkLockState, checkModeState } from "@shipgate/protocol";
import { lockStatesFilter } from "@shipgate/pipeline-client/lock-topics";
import { clientIdFor, connect, readRetained } from "./broker";
import type { ResourceIo } from "./io";
import { type LockVersion, checkSource, checkVersion, parseRequest, topicsOf } from "./source";

export async function check(stdin: string, io: ResourceIo): Promise<number> {
  const request = parseRequest(stdin);
  if (!request.ok) return fail(io, request.error);
  const source = checkSource(request.value.source);
  if (!source.ok) return fail(io, `${source.field} ${source.error}`);
  let since: LockVersion | null = null;
  if (request.value.version !== undefined && request.value.version !== null) {
    const v = checkVersion(request.value.version);
    if (!v.ok) return fail(io, `${v.field} ${v.error}`);
    since = v.value;
  }
  const topics = topicsOf(source.value);
  let client: Awaited<ReturnType<typeof connect>>;
  try {
    client = await connect(source.value, clientIdFor("check", source.value.username));
  } catch (err) {
    return fail(io, (err as Error).message);
  }
  try {
    const modes = await readRetained<ModeState>(client, [topics.mode()], source.value.settleMs, 4096, checkModeState, (t, why) => io.log(`shipgate: ignoring ${t}: ${why}`));
    const mode = modes.get(topics.mode());
    if (mode?.mode === "blocked") {
      const until = mode.until ? ` until ${mode.until}` : "";
      return fail(io, `shipgate is in blocked mode${until} (set by ${mode.changed_by}${mode.reason ? `: ${mode.reason}` : ""})`);
    }
    // With a user name, its own locks' states: all an external broker's ACL lets it read.
    const states = await readRetained<LockState>(
      client,
      [lockStatesFilter(topics, source.value.username ?? undefined)],
      source.value.settleMs,
      LOCK_STATE_MAX_BYTES_FALLBACK,
      checkLockState,
      (t, why) => io.log(`shipgate: ignoring ${t}: ${why}`),
    );
    const approved = sortByDecision([...states.values()].filter((l) => l.state === "approved" && lockMatches(l, source.value)));
    const versions = approved.map(versionOf);
    io.result(newerVersions(versions, since));
    return 0;
  } catch (err) {
    return fail(io, (err as Error).message);
  } finally {
    await client.endAsync().catch(() => {});
  }
}

/** Concourse's rule: from the given version on (inclusive) when it still exists, else only the
 *  newest; nothing when there is nothing. */
export function newerVersions(versions: LockVersion[], since: LockVersion | null): LockVersion[] {
  if (since !== null) {
    const at = versions.findIndex((v) => v.id === since.id);
    if (at >= 0) return versions.slice(at);
  }
  const last = versions[versions.length - 1];
  return last === undefined ? [] : [last];
}

function fail(io: ResourceIo, message: string): number {
  io.log(`shipgate check: ${message}`);
  return 1;
}
