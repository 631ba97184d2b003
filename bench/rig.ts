// A bridge (in its own process) on the embedded broker or on Mosquitto, with a gadget and a pipeline
// speaking the protocol as the firmware and `shipgate gate` do (docs/protocol.md).

import { randomUUID } from "node:crypto";
import { DEFAULT_PREFIX, Topics } from "@shipgate/protocol";
import { type Mosquitto, startMosquitto } from "../broker-bridge/test/helpers/bridge";
import { type BridgeProcess, startBridgeProcess } from "./bridge-process";
import { BenchClient } from "./clients";

export type BrokerKind = "embedded" | "mosquitto";

export const topics = new Topics(DEFAULT_PREFIX);
export const GADGET_ID = "bench-desk";

export interface Rig {
  kind: BrokerKind;
  brokerUrl: string;
  bridge: BridgeProcess;
  stop(): Promise<void>;
}

/**
 * The embedded broker runs with the test helpers' open authorizer (no passwords, ACLs or rate
 * limits), Mosquitto with anonymous access: both measure the message path, not authentication.
 */
export async function startRig(kind: BrokerKind, config: Record<string, unknown> = {}): Promise<Rig> {
  let mosquitto: Mosquitto | null = null;
  // set_tcp_nodelay: as docs/deploy.md recommends (Mosquitto leaves Nagle's algorithm on by default).
  if (kind === "mosquitto") mosquitto = await startMosquitto(["allow_anonymous true", "set_tcp_nodelay true"]);
  const raw: Record<string, unknown> = { gadgets: { [GADGET_ID]: {} }, ...config };
  if (mosquitto !== null) raw.broker = { url: mosquitto.url };
  let bridge: BridgeProcess;
  try {
    bridge = await startBridgeProcess(raw);
  } catch (err) {
    await mosquitto?.stop();
    throw err;
  }
  return {
    kind,
    brokerUrl: mosquitto?.url ?? bridge.brokerUrl,
    bridge,
    async stop() {
      await bridge.stop();
      await mosquitto?.stop();
    },
  };
}

/** Each connection is a new "boot", so (boot, seq) keeps growing for the same gadget id across connections. */
let boots = 0;

/** A gadget as the firmware connects: Will and retained online status; events with (boot, seq). */
export class BenchGadget {
  #seq = 0;
  readonly #boot = ++boots;
  private constructor(
    readonly id: string,
    readonly mqtt: BenchClient,
  ) {}

  static async connect(url: string, id = GADGET_ID): Promise<BenchGadget> {
    const offline = Buffer.from('{"state":"offline"}');
    const will = { topic: topics.gadgetStatus(id), payload: offline, qos: 1 as const, retain: true };
    const client = await BenchClient.connect(url, { clientId: id, will });
    await client.client.publishAsync(topics.gadgetStatus(id), '{"state":"online","version":"bench"}', { qos: 1, retain: true });
    await client.client.subscribeAsync([topics.gadgetView(id), topics.gadgetAck(id)], { qos: 1 });
    return new BenchGadget(id, client);
  }

  /** Publishes a short approve for `lockId` (QoS 1, as the firmware's outbox does). */
  approve(lockId: string): void {
    const event = { button: "approve", gesture: "short", boot: this.#boot, seq: ++this.#seq, lock_id: lockId };
    this.mqtt.client.publish(topics.gadgetEvent(this.id), JSON.stringify(event), { qos: 1 });
  }

  end(): Promise<void> {
    return this.mqtt.end();
  }
}

/** A pipeline as `shipgate gate` is (cli/gate.ts): subscribe to its lock's state and errors, then request. */
export class BenchPipeline {
  readonly clientId: string;
  private constructor(
    readonly mqtt: BenchClient,
    clientId: string,
  ) {
    this.clientId = clientId;
  }

  static async connect(url: string, clientId = `bench-gate-${randomUUID().slice(0, 8)}`): Promise<BenchPipeline> {
    return new BenchPipeline(await BenchClient.connect(url, { clientId }), clientId);
  }

  /** The CLI's subscription before its request (not part of the timed path). */
  async watch(id: string): Promise<void> {
    await this.mqtt.client.subscribeAsync([topics.lockState(id), topics.errors(this.clientId)], { qos: 1 });
  }

  async unwatch(id: string): Promise<void> {
    await this.mqtt.client.unsubscribeAsync(topics.lockState(id));
  }

  request(id: string, pipeline: string, step = "deploy"): void {
    const payload = JSON.stringify({ id, pipeline, step, client_id: this.clientId });
    this.mqtt.client.publish(topics.lockRequest(), payload, { qos: 1 });
  }

  end(): Promise<void> {
    return this.mqtt.end();
  }
}
