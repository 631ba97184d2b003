// TCP_NODELAY on MQTT.js sockets: one implementation, in the pipeline client (which the bridge uses too).
export { sendWithoutDelay } from "@shipgate/pipeline-client/no-delay";
