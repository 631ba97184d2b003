// The MQTT.js connect options for one session attempt, shared by the Node and browser adapters
// (both run MQTT.js). The session owns reconnecting with its own backoff, so MQTT.js's reconnect
// is off (reconnectPeriod 0) and every session is clean, as Moddable's mqtt/js always is.

import type { IClientOptions } from "mqtt";
import type { MqttConnectOptions } from "../core/ports";

export function sessionClientOptions(o: MqttConnectOptions, connectTimeoutMs: number): IClientOptions {
  return {
    clientId: o.clientId,
    username: o.username,
    password: o.password,
    keepalive: o.keepalive,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: connectTimeoutMs,
    protocolVersion: 4,
    will: { topic: o.will.topic, payload: o.will.payload, qos: o.will.qos, retain: o.will.retain },
  };
}
