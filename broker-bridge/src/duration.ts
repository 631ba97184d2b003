// Durations live in protocol/ so the pipeline client, the bridge and the dashboard parse them alike.
export { formatDuration, parseDuration } from "@shipgate/protocol/duration";
