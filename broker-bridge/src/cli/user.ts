// `shipgate user add|remove|list|token|export-mosquitto`: the credentials in the state directory
// (accounts/user-store.ts). Works whether or not the bridge runs: it re-reads the file on change.

import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { parseArgs } from "node:util";
import path from "node:path";
import { DEFAULT_PREFIX } from "@shipgate/protocol";
import { DEFAULTS, envSettings } from "../config-env";
import { ConfigError } from "../config-error";
import type { Store } from "../store";
import { STORE_URL_ENV, storeUrlProblem } from "../store-url";
import { exportMosquitto } from "../security/mosquitto";
import { USER_ROLES, type UserRole, UserStore, UserStoreError, pipelinesOf } from "../accounts/user-store";
import { saveLocalGadget } from "./gadget";
import { type Io, shipgateCommand } from "./io";

export const USER_HELP = `Usage: shipgate user <add|remove|list|token|export-mosquitto> [options]

Manages who may use the broker and the API. Users live in <state>/users.json (scrypt hashes),
or, with SHIPGATE_STORE_URL (store.url), in the shared PostgreSQL store every bridge reads.

  shipgate user add NAME --role gadget|pipeline|admin|viewer|bridge [--password-file F]
                   [--pipelines GLOB,...]
      Adds a user and prints its password (generated unless --password-file gives one).
      A pipeline user speaks only for its pipelines (request, cancel, read): --pipelines, or
      without it the pipeline named NAME.
      A gadget also gets an HMAC secret in <state>/gadget-secrets/NAME, and the mcconfig line
      that provisions it. The bridge picks new users up without a restart.
  shipgate user remove NAME
  shipgate user list [--json]
  shipgate user token NAME
      Creates an API token for scripts (Authorization: Bearer ...); shown once, stored hashed.
  shipgate user export-mosquitto --dir DIR [--port N] [--owner USER]
      Writes password_file, acl_file and a mosquitto.conf giving the same roles on Mosquitto 2.0,
      readable by the user Mosquitto runs as (--owner, default mosquitto; needs root to chown).

Options:
  --config FILE         the bridge's config (for state_dir and prefix); env SHIPGATE_STATE_DIR overrides
  --help                show this help

Roles: gadget (its own events, reads its own view), pipeline (requests and cancels locks, reads its
own locks and the mode), admin (everything, modes included), viewer (reads), bridge (the bridge's own
account on an external broker).`;

export async function userCommand(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        role: { type: "string" },
        pipelines: { type: "string" },
        owner: { type: "string" },
        "password-file": { type: "string" },
        json: { type: "boolean" },
        dir: { type: "string" },
        port: { type: "string" },
        config: { type: "string" },
        help: { type: "boolean" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    io.err(`shipgate user: ${(err as Error).message}\n\n${USER_HELP}`);
    return 3;
  }
  const { values, positionals } = parsed;
  if (values.help) return (io.out(USER_HELP), 0);
  const [action, name, ...extra] = positionals;
  const usage = (message: string) => (io.err(`shipgate user: ${message}\n\n${USER_HELP}`), 3);
  if (extra.length > 0) return usage(`unexpected arguments: ${extra.join(" ")}`);

  let config: UserSettings;
  try {
    config = await userSettings(values.config ?? io.env.SHIPGATE_CONFIG, io.env);
  } catch (err) {
    io.err(`shipgate user: ${err instanceof ConfigError ? "invalid config: " : ""}${(err as Error).message}`);
    return 3;
  }
  // With store.url / SHIPGATE_STORE_URL, the users are the shared store's, which every bridge reads.
  let shared: Store | undefined;
  let store: UserStore;
  try {
    const url = config.storeUrl;
    // Loaded only then: a command on the users file needs neither the store nor its driver.
    shared = url === null ? undefined : (await import("../store")).Store.open(config.state_dir, { url, applicationName: "shipgate-user" });
    store = new UserStore(config.state_dir, shared);
  } catch (err) {
    shared?.close();
    const invalid = err instanceof ConfigError;
    io.err(`shipgate user: ${invalid ? "invalid config: " : ""}${(err as Error).message}`);
    return invalid ? 3 : 1;
  }

  try {
    switch (action) {
      case "add": {
        if (name === undefined) return usage("give the new user's name");
        const role = values.role;
        if (role === undefined || !(USER_ROLES as readonly string[]).includes(role)) return usage(`--role must be one of ${USER_ROLES.join(", ")}`);
        let given: string | undefined;
        if (values["password-file"] !== undefined) {
          try {
            given = readFileSync(values["password-file"], "utf8").trim();
          } catch (err) {
            return usage(`cannot read --password-file ${values["password-file"]}: ${(err as NodeJS.ErrnoException).code ?? err}`);
          }
        }
        const pipelines =
          typeof values.pipelines === "string"
            ? values.pipelines
                .split(",")
                .map((p) => p.trim())
                .filter((p) => p !== "")
            : undefined;
        if (pipelines !== undefined && pipelines.length === 0) return usage("--pipelines needs at least one pipeline name or glob");
        const { password } = store.add(name, role as UserRole, given, Date.now(), pipelines);
        io.out(`added ${role} ${name}${role === "pipeline" ? ` for pipelines ${pipelinesOf({ username: name, ...(pipelines ? { pipelines } : {}) }).join(",")}` : ""}`);
        if (given === undefined) io.out(`password: ${password}`);
        if (role === "gadget") {
          const { secret, file } = store.createGadgetSecret(name);
          // The twin on this machine signs in as the gadget itself (an admin may not press for it).
          saveLocalGadget(store.stateDir, name, password);
          const port = io.env.SHIPGATE_BROKER_PORT ?? String(config.brokerPort);
          io.out(`secret: ${secret}`);
          io.out(`secret file: ${file} (the bridge reads it; events from ${name} must be signed with it)`);
          io.out("provision the gadget (Wi-Fi ssid/password are yours; use mqtts:// and its port for TLS):");
          io.out(
            `  mcconfig -d -m -p esp32/<board> gadget=${name} username=${name} mqtt_password=${given === undefined ? password : "<its password>"} secret=${secret} broker=mqtt://${lanAddress()}:${port} ssid=<wifi> password=<wifi password>`,
          );
          io.out(`or run it here: ${shipgateCommand(io.env)} gadget --id ${name}   (the twin signs with ${file} by itself)`);
        } else if (role === "pipeline") {
          io.out(`use it: shipgate gate --username ${name} --password-file <file with the password> --pipeline P --step S`);
        }
        return 0;
      }
      case "remove": {
        if (name === undefined) return usage("give the user's name");
        if (!store.remove(name)) return (io.err(`shipgate user: no user ${name}`), 1);
        io.out(`removed ${name} (its connections already open stay until they reconnect)`);
        return 0;
      }
      case "list": {
        if (name !== undefined) return usage("list takes no name");
        const users = store.users().map((u) => ({
          username: u.username,
          role: u.role,
          created_at: u.created_at,
          tokens: u.tokens.length,
          secret: store.gadgetSecret(u.username) !== undefined,
          ...(u.role === "pipeline" ? { pipelines: pipelinesOf(u) } : {}),
        }));
        if (values.json) return (io.out(JSON.stringify(users, null, 2)), 0);
        if (users.length === 0) io.out(`no users yet in ${store.file} (the bridge creates "admin" on its first start)`);
        for (const u of users)
          io.out(
            `${u.username.padEnd(24)} ${u.role.padEnd(9)} created ${u.created_at}${u.tokens ? `, ${u.tokens} API token(s)` : ""}${u.secret ? ", signing secret" : ""}${u.pipelines ? `, pipelines ${u.pipelines.join(",")}` : ""}`,
          );
        return 0;
      }
      case "token": {
        if (name === undefined) return usage("give the user's name");
        io.out(store.addToken(name));
        return 0;
      }
      case "export-mosquitto": {
        if (values.dir === undefined) return usage("give --dir DIR");
        const port = values.port === undefined ? 1883 : Number(values.port);
        if (!Number.isInteger(port) || port < 1 || port > 65535) return usage("--port must be a port number");
        const account = typeof values.owner === "string" ? values.owner : "mosquitto";
        const { files, notes } = exportMosquitto(values.dir, store.users(), config.prefix, port, account);
        for (const f of files) io.out(`wrote ${f}`);
        for (const n of notes) io.out(n);
        if (!store.users().some((u) => u.role === "bridge"))
          io.out("note: add the bridge's own account first: shipgate user add bridge --role bridge (then broker.username/password_file in the config)");
        return 0;
      }
      default:
        return usage(action === undefined ? "give an action" : `unknown action "${action}"`);
    }
  } catch (err) {
    if (err instanceof UserStoreError) return (io.err(`shipgate user: ${err.message}`), 1);
    if ((err as { code?: unknown }).code === "STORE_UNAVAILABLE") return (io.err(`shipgate user: the store is unavailable: ${(err as Error).message}`), 1);
    throw err;
  } finally {
    shared?.close();
  }
}

/** This machine's first LAN IPv4 address: the device resolves no bare host name (firmware/README.md). */
function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "<bridge-ip>";
}

/** What the user commands read of the configuration. */
interface UserSettings {
  state_dir: string;
  prefix: string;
  brokerPort: number;
  storeUrl: string | null;
}

/** From the config file when there is one (the whole file checked, as start checks it); without
 *  one every setting is a default or the environment's, known without loading the schemas. */
async function userSettings(file: string | undefined, env: NodeJS.ProcessEnv): Promise<UserSettings> {
  if (file !== undefined && file !== "") {
    const [{ loadConfig }, { storeUrlOf }] = await Promise.all([import("../bridge-config"), import("../store-config")]);
    const config = loadConfig({ file, env });
    return { state_dir: config.state_dir, prefix: config.prefix, brokerPort: config.broker.port, storeUrl: storeUrlOf(config, env) };
  }
  const given = envSettings(env, process.cwd());
  const url = env[STORE_URL_ENV];
  const problem = url === undefined || url === "" ? undefined : storeUrlProblem(url);
  if (problem !== undefined) throw new ConfigError("environment", STORE_URL_ENV, problem);
  return {
    state_dir: given.state_dir ?? path.resolve(DEFAULTS.state_dir),
    prefix: given.prefix ?? DEFAULT_PREFIX,
    brokerPort: given.broker_port ?? DEFAULTS.broker_port,
    storeUrl: url === undefined || url === "" ? null : url,
  };
}
