// Stands in for the debug package in the gate file (tools/build/gate-file.ts). debug reads DEBUG
// once, when it loads, and MQTT.js, mqtt-packet and socks only create loggers and call them; with
// DEBUG unset every logger is off, so the real package (and the tty module it loads to choose
// colours) is loaded only when DEBUG asks for output, e.g. DEBUG='mqttjs*'.
function off(namespace) {
  const log = () => {};
  log.namespace = namespace;
  log.enabled = false;
  log.log = () => {};
  log.destroy = () => false;
  log.extend = (sub, delimiter = ":") => off(`${namespace}${delimiter}${sub}`);
  return log;
}
off.enabled = () => false;
off.enable = () => {};
off.disable = () => "";
off.names = [];
off.skips = [];
off.formatters = {};
off.debug = off;
off.default = off;

module.exports = process.env.DEBUG ? require("debug") : off;
