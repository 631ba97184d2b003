// A PostgreSQL server of the test's own (initdb in a temp dir, on a free port), for the tests that
// kill the server itself: the shared SHIPGATE_TEST_PG_URL server must outlive them. initdb refuses
// to run as root, so as root it runs as Debian's postgres user.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { freePort, tempDir, waitFor } from "./bridge";

export interface ThrowawayPostgres {
  url: string;
  /** SIGKILL to the postmaster and every backend (its process group): the server dies at once. */
  kill(): Promise<void>;
}

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL under ${root} (apt-get install postgresql)`);
  return path.join(root, versions[0] as string, "bin");
}

function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (line === undefined) throw new Error("running as root and there is no postgres user to run initdb as");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = binDir();
  const user = runAs();
  const dir = tempDir("pg-throwaway-");
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, "data");
  execFileSync(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"], { stdio: "ignore", ...user });
  const port = await freePort();
  const server: ChildProcess = spawn(path.join(bin, "postgres"), ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"], {
    stdio: "ignore",
    detached: true,
    ...user,
  });
  const exited = new Promise<void>((r) => server.once("exit", () => r()));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pg = (await import("pg")).default;
  await waitFor(
    "the throwaway PostgreSQL to accept connections",
    async () => {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
      try {
        await c.connect();
        await c.end();
        return true;
      } catch {
        return false;
      }
    },
    30_000,
    100,
  );
  return {
    url,
    async kill() {
      try {
        process.kill(-(server.pid as number), "SIGKILL");
      } catch {
        // Already gone.
      }
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
