// The resource's MQTT side: one connection per run, and reading retained messages. MQTT sends a
// topic's retained message right after the SUBACK of a matching subscription (MQTT 3.1.1 section
// 3.3.1.3) but says nothing of when the last one has arrived, so readers wait a settle time.

import { randomUUID } from "node:crypto";
import type { MqttClient } from "mqtt";
import { type Checked, decode } from "@shipgate/protocol";
import { type Connection, connectOnce } from "@shipgate/pipeline-client/connection";
import { topicUser } from "@shipgate/pipeline-client/lock-topics";
import { type ResourceSource, topicsOf } from "./source";

export function connectionOf(source: ResourceSource): Connection {
  const conn: Connection = { url: source.broker, topics: topicsOf(source), stateDir: "/nonexistent" };
  if (source.username !== null) conn.username = source.username;
  if (source.password !== null) conn.password = source.password;
  return conn;
}

/** "<user>-concourse-<command>-<random>" with a user name: on an external broker the bridge answers
 *  a refusal of a user's request only to a client id of that user's (broker-bridge/src/link/refuse.ts). */
export function clientIdFor(command: string, username: string | null = null): string {
  const user = topicUser(username ?? undefined);
  return `${user === undefined ? "" : `${user}-`}concourse-${command}-${randomUUID().slice(0, 8)}`.slice(0, 64);
}

export function connect(source: ResourceSource, clientId: string): Promise<MqttClient> {
  // No reconnecting: a resource run is short, and Concourse retries checks itself.
  return connectOnce(connectionOf(source), clientId, source.ca ? { ca: source.ca } : {}, undefined, { reconnect: false });
}

/** The retained messages on these filters, decoded; empty payloads (cleared states) are skipped,
 *  undecodable ones reported through onBad. Fails when the broker refuses a subscription. */
export function readRetained<T>(
  client: MqttClient,
  filters: string[],
  settleMs: number,
  maxBytes: number,
  check: (v: unknown) => Checked<T>,
  onBad: (topic: string, why: string) => void,
): Promise<Map<string, T>> {
  return new Promise((resolve, reject) => {
    const found = new Map<string, T>();
    const onMessage = (topic: string, payload: Buffer, packet: { retain?: boolean }) => {
      if (!packet.retain || payload.length === 0) return;
      const decoded = decode(payload, maxBytes, check);
      if (decoded.ok) found.set(topic, decoded.value);
      else onBad(topic, `${decoded.field} ${decoded.error}`);
    };
    client.on("message", onMessage);
    client.subscribe(filters, { qos: 1 }, (err, granted) => {
      if (err) return reject(new Error(`cannot subscribe to ${filters.join(", ")}: ${err.message}`));
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length > 0) return reject(new Error(`the broker refused the subscription to ${refused.join(", ")} (does the user have the pipeline role?)`));
      setTimeout(() => {
        client.off("message", onMessage);
        resolve(found);
      }, settleMs);
    });
  });
}
