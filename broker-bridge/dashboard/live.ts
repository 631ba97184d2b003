// The page's live feed: one EventSource on /api/events (same origin, the session cookie if any;
// no broker credentials in the browser). EventSource reconnects by itself after the `retry:`
// delay the bridge sends; the page shows "reconnecting" meanwhile and takes the full state again
// on reconnect, so nothing missed while away stays wrong.

export interface LiveHandlers {
  state(raw: unknown): void;
  audit(raw: unknown): void;
  connection(up: boolean): void;
}

export function connectLive(url: string, handlers: LiveHandlers): () => void {
  const source = new EventSource(url);
  const parse = (event: MessageEvent, deliver: (value: unknown) => void) => {
    let value: unknown;
    try {
      value = JSON.parse(String(event.data));
    } catch {
      return; // a frame that is not JSON is a bridge bug; the next full state repairs the page
    }
    deliver(value);
  };
  source.addEventListener("open", () => handlers.connection(true));
  source.addEventListener("error", () => handlers.connection(false));
  source.addEventListener("state", (e) => parse(e as MessageEvent, handlers.state));
  source.addEventListener("audit", (e) => parse(e as MessageEvent, handlers.audit));
  return () => source.close();
}
