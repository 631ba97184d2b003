// A three-node NATS cluster from Debian's nats-server, with JetStream and MQTT on every node: the
// clustered broker the HA tests run shipgate through. Config files go to a temp dir, every port is
// free, and stop() ends all three and removes their JetStream stores.
// MQTT in nats-server needs JetStream and a server_name (https://docs.nats.io/running-a-nats-service/configuration/mqtt).

import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import mqtt from "mqtt";
import { freePort, tempDir, waitFor } from "./bridge";

const NATS_BIN = ["/usr/sbin/nats-server", "/usr/bin/nats-server"];

export function natsServerBinary(): string | null {
  const bin = NATS_BIN.find((b) => existsSync(b));
  if (bin !== undefined) return bin;
  if (process.env.CI === "true") throw new Error("nats-server is not installed under CI=true (apt-get install nats-server; .ci/run installs it)");
  process.emitWarning("nats-server is not installed: the NATS cluster tests are skipped (apt-get install nats-server)");
  return null;
}

export interface NatsNode {
  name: string;
  mqttUrl: string;
  child: ChildProcess;
}

export interface NatsCluster {
  nodes: NatsNode[];
  stop(): Promise<void>;
}

interface Ports {
  client: number;
  route: number;
  mqtt: number;
  http: number;
}

function config(name: string, dir: string, mine: Ports, all: Ports[]): string {
  const routes = all.filter((p) => p !== mine).map((p) => `nats-route://127.0.0.1:${p.route}`);
  return `server_name: ${name}
listen: 127.0.0.1:${mine.client}
http: 127.0.0.1:${mine.http}
jetstream {
  store_dir: "${path.join(dir, name)}"
  max_memory_store: 64MB
  max_file_store: 256MB
}
cluster {
  name: shipgate-test
  listen: 127.0.0.1:${mine.route}
  routes: [${routes.join(", ")}]
}
mqtt {
  listen: 127.0.0.1:${mine.mqtt}
}
`;
}

/** Starts the cluster; a start that fails (a node that exits, say because another process took a
 *  port between freePort() and the bind) is retried once on new ports. */
export async function startNatsCluster(bin: string, size = 3): Promise<NatsCluster> {
  try {
    return await startOnce(bin, size);
  } catch (first) {
    try {
      return await startOnce(bin, size);
    } catch (second) {
      throw new Error(`the NATS cluster did not start twice: ${(first as Error).message}; then: ${(second as Error).message}`);
    }
  }
}

async function startOnce(bin: string, size: number): Promise<NatsCluster> {
  const dir = tempDir("nats-cluster-");
  const ports: Ports[] = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), route: await freePort(), mqtt: await freePort(), http: await freePort() });
  let exited: string | null = null;
  const nodes: NatsNode[] = ports.map((p, i) => {
    const name = `n${i + 1}`;
    const file = path.join(dir, `${name}.conf`);
    writeFileSync(file, config(name, dir, p, ports));
    const log = openSync(path.join(dir, `${name}.log`), "w");
    const child = spawn(bin, ["-c", file], { stdio: ["ignore", "ignore", log] });
    closeSync(log);
    child.once("exit", (code) => {
      const tail = readFileSync(path.join(dir, `${name}.log`), "utf8")
        .trim()
        .split("\n")
        .slice(-3)
        .join(" | ");
      exited ??= `${name} exited with ${code}: ${tail}`;
    });
    return { name, mqttUrl: `mqtt://127.0.0.1:${p.mqtt}`, child };
  });
  const stop = async () => {
    await Promise.all(
      nodes.map(
        (n) =>
          new Promise<void>((resolve) => {
            if (n.child.exitCode !== null || n.child.signalCode !== null) return resolve();
            n.child.once("exit", () => resolve());
            n.child.kill("SIGTERM");
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  const alive = () => {
    if (exited !== null) throw new Error(exited);
  };
  try {
    // JetStream is ready once the cluster elected its meta leader; MQTT accepts clients only then.
    for (const [i, p] of ports.entries()) {
      await waitFor(
        `nats node n${i + 1} healthy`,
        async () => {
          alive();
          const res = await fetch(`http://127.0.0.1:${p.http}/healthz`).catch(() => null);
          return res?.ok === true;
        },
        60_000,
        200,
      );
    }
    for (const n of nodes) {
      await waitFor(
        `MQTT on ${n.name}`,
        async () => {
          alive();
          try {
            const c = await mqtt.connectAsync(n.mqttUrl, { reconnectPeriod: 0, connectTimeout: 3000 });
            await c.endAsync();
            return true;
          } catch {
            return false;
          }
        },
        60_000,
        250,
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, stop };
}
