// The resource's three commands in one bundle (tools/build/build.ts makes dist/resource.cjs and the
// check, in and out scripts Concourse runs from /opt/resource).
import { check } from "./check";
import { fetchLock } from "./in";
import { processResourceIo, readStdin } from "./io";
import { putLock } from "./out";

export async function main(command: "check" | "in" | "out"): Promise<number> {
  const stdin = await readStdin();
  if (command === "check") return check(stdin, processResourceIo);
  const args = process.argv.slice(2);
  return command === "in" ? fetchLock(args, stdin, processResourceIo) : putLock(args, stdin, processResourceIo);
}
