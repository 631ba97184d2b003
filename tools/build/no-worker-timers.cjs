// Stands in for worker-timers in the gate file (tools/build/gate-file.ts): MQTT.js uses those
// timers only in a browser tab (timerVariant "auto"), and a Web Worker does not exist in Node.
const unavailable = () => {
  throw new Error("shipgate gate: worker timers need a browser; use the native timers (MQTT.js timerVariant 'native')");
};
module.exports = { setInterval: unavailable, clearInterval: unavailable, setTimeout: unavailable, clearTimeout: unavailable };
