// The shipgate command line: one file per command, dispatched from this table.

import { VERSION } from "../version";
import { type Io, processIo } from "./io";

export interface Command {
  summary: string;
  run(argv: string[], io: Io): Promise<number>;
}

// Commands load their modules on demand: `shipgate gate` in a pipeline should not pay for
// loading the broker, the dashboard and every CI provider.
export const COMMANDS: Record<string, Command> = {
  start: { summary: "run the bridge (embedded broker, gates, dashboard)", run: async (a, io) => (await import("./start")).startCommand(a, io) },
  gate: { summary: "ask for approval and wait (for pipelines)", run: async (a, io) => (await import("./gate")).gateCommand(a, io) },
  approve: { summary: "approve a lock as an admin", run: async (a, io) => (await import("./admin")).decideCommand("approve", a, io) },
  reject: { summary: "reject a lock as an admin", run: async (a, io) => (await import("./admin")).decideCommand("reject", a, io) },
  mode: { summary: "set the mode: default, released or blocked", run: async (a, io) => (await import("./admin")).modeCommand(a, io) },
  status: { summary: "show mode, locks, gadgets, CI and Argo CD", run: async (a, io) => (await import("./admin")).statusCommand(a, io) },
  gadget: { summary: "run the gadget's app in this terminal", run: async (a, io) => (await import("./gadget")).gadgetCommand(a, io) },
  presence: { summary: "announce a node (beat) and list who is there", run: async (a, io) => (await import("./presence")).presenceCommand(a, io) },
  audit: { summary: "print or export the audit log (table, CSV, JSON Lines)", run: async (a, io) => (await import("./audit")).auditCommand(a, io) },
  user: { summary: "add, remove and list users; API tokens; Mosquitto files", run: async (a, io) => (await import("./user")).userCommand(a, io) },
};

export const HELP = () => `Usage: shipgate <command> [options]

A physical go/no-go for deployments: the bridge, and the commands pipelines and admins use.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join("\n")}

Run "shipgate <command> --help" for a command's options.`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(HELP());
    return name === undefined ? 3 : 0;
  }
  if (name === "--version") return (io.out(VERSION), 0);
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`shipgate: unknown command "${name}"\n\n${HELP()}`);
    return 3;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    // An operator's mistake (a flag's file missing, a bad config, a broker that refuses us) is one
    // line and exit 3, never a stack trace; anything else is a bug and keeps its stack.
    const e = err as Error & { code?: unknown };
    if (typeof e.code !== "string" || !OPERATOR_ERRORS.has(e.code)) throw err;
    io.err(`shipgate ${name}: ${e.message}`);
    return 3;
  }
}

/** The error codes of the mistakes an operator makes (cli/connection.ts, config.ts, user-store.ts). */
const OPERATOR_ERRORS = new Set(["USAGE", "CONNECT", "CONFIG_INVALID", "USER_STORE", "ENOENT", "EACCES"]);
