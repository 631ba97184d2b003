// mqtts:// on the device: gives Moddable's mqtt/js the TLS transport it looks for.
//
// Facts from the SDK (8.2.3) that shape this module:
// - mqtt/js (examples/io/tcp/mqtt/mqtt.js, Client constructor) takes an "mqtts:" URL (default port
//   8883) and builds the ECMA-419 MQTT client from `device.network.mqtts`, spread into its options.
//   It passes no TLS option of its own: connect()'s options are clientId, keepalive, username,
//   password, will, reconnectPeriod and resubscribe only. So the CA can only come in through
//   `device.network.mqtts`.
// - examples/io/tcp/mqttclient/config.js (which manifest_mqtt.json preloads) defines only
//   `device.network.mqtt` (TCP and a UDP DNS resolver); without `mqtts` an mqtts:// connect throws.
//   The SDK's examples/io/tcp/mqttsclient/config.js shows the shape: the same client and resolver,
//   with `socket: {io: TLSSocket, TCP: {io: TCP}}`.
// - The ECMA-419 client makes its socket from `{...options.socket, address, host, port}`; the TLS
//   socket (examples/io/tcp/tlssocket, "embedded:io/socket/tcp/tls") starts an ssl/session with
//   `{serverName: host, ...options.secure}` and TLS 1.2, and opens its TCP socket from `options.TCP`.
// - The session's CertificateManager (modules/crypt/ssl/ssl_cert.js) trusts `secure.certificate`
//   (one DER certificate) besides the SDK's built-in CA index; it checks the server's name against
//   the certificate's subjectAltName (DNS names, and IPv4 addresses) and every certificate's dates
//   against Date.now(), so the clock must be set first (SNTP, network.ts) or every handshake fails.
// Verification stays on: without the CA the gadget refuses to connect rather than trust any server.

import TLSSocket from "embedded:io/socket/tcp/tls";

interface MqttTransport {
  io: unknown;
  dns: unknown;
  socket: { io: unknown };
}

interface DeviceNetwork {
  network?: { mqtt?: MqttTransport; mqtts?: unknown };
}

/** Installs `device.network.mqtts`, trusting the CA certificate `caDer` (DER bytes). */
export function installMqttsTransport(caDer: Uint8Array): void {
  const current = globalThis.device as unknown as DeviceNetwork;
  const mqtt = current.network?.mqtt;
  if (mqtt === undefined) {
    throw new Error("mqtts: device.network.mqtt is missing (the manifest must include examples/io/tcp/mqtt/manifest_mqtt.json)");
  }
  // CertificateManager.register reads the certificate as an ArrayBuffer of exactly its bytes.
  const certificate = new ArrayBuffer(caDer.byteLength);
  new Uint8Array(certificate).set(caDer);
  const mqtts = Object.freeze({
    ...mqtt,
    socket: Object.freeze({ io: TLSSocket, TCP: mqtt.socket, secure: Object.freeze({ certificate }) }),
  });
  // mqttclient/config.js replaces the frozen `device` the same way, with one more entry.
  globalThis.device = Object.freeze({ ...current, network: Object.freeze({ ...current.network, mqtts }) }) as unknown as typeof device;
}
