// MQTT packets are small and every decision waits on one: Nagle's algorithm holds a small write
// until the previous one is acknowledged, which costs tens of milliseconds per hop on loopback
// (measured in docs/performance.md). mqtt.js opens its sockets without TCP_NODELAY, so it is set
// on each new connection.
import type { Socket } from "node:net";
import type { MqttClient } from "mqtt";

export function sendWithoutDelay(client: MqttClient): MqttClient {
  const apply = () => {
    const stream = client.stream as Partial<Socket> | undefined;
    if (typeof stream?.setNoDelay === "function") stream.setNoDelay(true);
  };
  client.on("connect", apply);
  apply();
  return client;
}
