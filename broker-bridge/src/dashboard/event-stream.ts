// Server-Sent Events (HTML Living Standard, section 9.2 "Server-sent events"): one long HTTP
// response per browser, frames of `event:` and `data:` lines ended by a blank line. The bridge
// pushes facts to the page this way instead of giving the browser MQTT credentials: the page is
// read-only over this stream and needs no broker account.

/** One open stream: the raw HTTP response, seen through the two calls the hub needs. */
export interface StreamSink {
  write(chunk: string): void;
  /** Bytes written but not yet sent; a client this far behind is dropped, not buffered forever. */
  readonly writableLength: number;
  end(): void;
}

/** A client more than this many bytes behind (a sleeping laptop, a stalled proxy) is dropped. */
export const MAX_BACKLOG_BYTES = 1024 * 1024;

/** One SSE frame. `data` must not contain line breaks (JSON.stringify never emits raw ones). */
export function sseFrame(event: string, data: string): string {
  if (/[\r\n]/.test(event) || /[\r\n]/.test(data)) throw new RangeError(`sseFrame: line break in the ${/[\r\n]/.test(event) ? "event name" : "data"} of "${event}"`);
  return `event: ${event}\ndata: ${data}\n\n`;
}

/** A comment line: keeps idle connections open through proxies, ignored by EventSource. */
export const SSE_PING = ": ping\n\n";

export class EventStreamHub {
  readonly #sinks = new Set<StreamSink>();
  readonly #max: number;

  constructor(maxStreams: number) {
    this.#max = maxStreams;
  }

  get size(): number {
    return this.#sinks.size;
  }

  /** Adds a stream; false when the hub is full (the caller answers 503). */
  add(sink: StreamSink): boolean {
    if (this.#sinks.size >= this.#max) return false;
    this.#sinks.add(sink);
    return true;
  }

  remove(sink: StreamSink): void {
    this.#sinks.delete(sink);
  }

  /** Sends a frame to one stream, dropping it if it has fallen too far behind. */
  send(sink: StreamSink, frame: string): void {
    if (sink.writableLength > MAX_BACKLOG_BYTES) {
      this.#sinks.delete(sink);
      sink.end();
      return;
    }
    sink.write(frame);
  }

  broadcast(frame: string): void {
    for (const sink of [...this.#sinks]) this.send(sink, frame);
  }

  /** Ends every stream (the bridge is stopping; the HTTP server waits for open responses). */
  closeAll(): void {
    for (const sink of this.#sinks) sink.end();
    this.#sinks.clear();
  }
}
