// Drives @agoric/xsnap's xsnap-worker binary (XS 13.3) directly, without its Node wrapper, whose
// @endo/init import would lock down the whole ava worker. The pipe protocol below is read from
// node_modules/@agoric/xsnap/src/xsnap.js and xsnap-native/xsnap/sources/xsnap-worker.c:
//   to XS (fd 3):   "e<code>" evaluate a script; "?<bytes>" call globalThis.handleCommand(ArrayBuffer);
//                   "/<bytes>" answer a query that XS sent.
//   from XS (fd 4): ".<meter JSON>\x01<reply>" done; "!<message>" uncaught exception;
//                   "?<bytes>" a query from issueCommand() inside XS, which waits for our "/" answer.
// handleCommand's reply is its return value when that is an ArrayBuffer, or the `result` property
// of the returned object when that is one (read after the job queue drains); anything else is empty.

import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { encodeNetstring, NetstringReader } from "./netstring";

const require = createRequire(import.meta.url);

/** The xsnap-worker binary that `npm install` built for @agoric/xsnap. */
export function xsnapWorkerPath(): string {
  const pkg = path.dirname(require.resolve("@agoric/xsnap/package.json"));
  const platform = process.platform === "darwin" ? "mac" : "lin";
  return path.join(pkg, "xsnap-native", "xsnap", "build", "bin", platform, "release", "xsnap-worker");
}

/** Metering that xsnap-worker reports with every completed crank (fxWriteOkay). */
export interface Meter {
  /** Computrons spent in this crank: XS's count of executed bytecodes and builtin work. */
  compute: number;
  /** Bytes the whole machine has taken from the OS so far (slot heaps and chunk blocks); grows in steps. */
  allocate: number;
  /** Slots in use after the crank (a slot is 16 bytes on the ESP32, 32 on 64-bit hosts). */
  currentHeapCount: number;
}

export interface XsReply {
  reply: Buffer;
  meter: Meter;
}

/** XS refused something: an uncaught exception, a dead worker, a protocol error. */
export class XsError extends Error {
  /** The text XS gave (the exception's string), when there is one. */
  readonly xsMessage: string;

  constructor(message: string, xsMessage: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "XsError";
    this.xsMessage = xsMessage;
  }
}

export interface XsWorkerOptions {
  /** Shown in errors and as the worker's argv[1]. */
  name?: string;
  /** Computrons one crank may spend before XS aborts the worker; 0 for none. */
  meteringLimit?: number;
  /** Answers issueCommand() calls from inside XS; the default answers with an empty reply. */
  onQuery?: (query: Buffer) => Uint8Array | string;
}

// About 6 s of work on this machine (XS runs roughly 170 million computrons a second here).
const DEFAULT_METERING_LIMIT = 1_000_000_000;
const EXIT_REASONS: Readonly<Record<number, string>> = Object.freeze({
  1: "bad argument usage",
  2: "I/O error",
  11: "not enough memory",
  12: "stack overflow",
  15: "unhandled exception",
  16: "property (key) name space exhausted",
  17: "too much computation (metering limit)",
});

interface Pending {
  resolve: (reply: XsReply) => void;
  reject: (error: Error) => void;
}

export class XsWorker {
  readonly name: string;
  /** Everything XS printed with print(), line by line. XS buffers its stdout when it is a pipe, so
   * lines may arrive late; complete after close(). Use issueCommand() for output needed at once. */
  readonly printed: string[] = [];
  readonly #child: ChildProcess;
  readonly #toXs: Writable;
  readonly #reader = new NetstringReader();
  readonly #onQuery: (query: Buffer) => Uint8Array | string;
  #queue: Promise<unknown> = Promise.resolve();
  #pending: Pending | undefined;
  #exit: Error | undefined;
  #stderr = "";
  #stdoutRest = "";
  readonly #exited: Promise<void>;

  constructor(options: XsWorkerOptions = {}) {
    this.name = options.name ?? "xs";
    this.#onQuery = options.onQuery ?? (() => new Uint8Array(0));
    const limit = options.meteringLimit ?? DEFAULT_METERING_LIMIT;
    const args = [this.name.replace(/^-+/, "")];
    if (limit > 0) args.push("-l", String(limit));
    this.#child = spawn(xsnapWorkerPath(), args, {
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe", "ignore", "ignore", "ignore", "ignore"],
    });
    const stdio = this.#child.stdio;
    this.#toXs = stdio[3] as Writable;
    const fromXs = stdio[4] as Readable;
    // Writes to a worker that died fail with EPIPE; the exit handler reports the real reason.
    this.#toXs.on("error", () => {});
    fromXs.on("data", (chunk: Buffer) => this.#onData(chunk));
    this.#child.stdout?.on("data", (chunk: Buffer) => {
      const lines = (this.#stdoutRest + chunk.toString("utf8")).split("\n");
      this.#stdoutRest = lines.pop() ?? "";
      this.printed.push(...lines);
    });
    this.#child.stderr?.on("data", (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString("utf8")).slice(-4000);
    });
    this.#exited = new Promise((resolve) => {
      this.#child.once("error", (error) => {
        this.#fail(new XsError(`${this.name}: cannot start ${xsnapWorkerPath()}: ${error.message}`, "", { cause: error }));
        resolve();
      });
      // "close" rather than "exit": it comes after stdout and stderr are drained, so nothing printed is lost.
      this.#child.once("close", (code, signal) => {
        const why = signal !== null ? `signal ${signal}` : `code ${code} (${EXIT_REASONS[code ?? -1] ?? "unknown"})`;
        const stderr = this.#stderr.trim();
        this.#fail(new XsError(`${this.name}: xsnap-worker exited with ${why}${stderr ? `; stderr: ${stderr}` : ""}`, stderr));
        resolve();
      });
    });
  }

  /** Evaluate a script in the global scope (sloppy mode, like eval). */
  evaluate(code: string): Promise<XsReply> {
    return this.#send([Buffer.from("e"), Buffer.from(code, "utf8")]);
  }

  /** Call globalThis.handleCommand(ArrayBuffer of bytes) inside XS. */
  command(bytes: Uint8Array | string): Promise<XsReply> {
    const body = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
    return this.#send([Buffer.from("?"), body]);
  }

  /** End the worker: close its command pipe (it exits on EOF), and kill it if it lingers. */
  async close(): Promise<void> {
    if (this.#exit === undefined) {
      this.#toXs.end();
      const killer = setTimeout(() => this.#child.kill("SIGKILL"), 2000);
      await this.#exited;
      clearTimeout(killer);
    }
  }

  #send(parts: Uint8Array[]): Promise<XsReply> {
    // One message at a time: xsnap-worker answers strictly in order.
    const result = this.#queue.then(
      () =>
        new Promise<XsReply>((resolve, reject) => {
          if (this.#exit !== undefined) {
            reject(this.#exit);
            return;
          }
          this.#pending = { resolve, reject };
          this.#toXs.write(encodeNetstring(parts));
        }),
    );
    this.#queue = result.catch(() => {});
    return result;
  }

  #onData(chunk: Buffer): void {
    let messages: Buffer[];
    try {
      messages = this.#reader.push(chunk);
    } catch (error) {
      this.#child.kill("SIGKILL");
      this.#fail(new XsError(`${this.name}: ${(error as Error).message}`, "", { cause: error }));
      return;
    }
    for (const message of messages) this.#onMessage(message);
  }

  #onMessage(message: Buffer): void {
    const kind = message[0];
    if (kind === 0x3f /* ? */) {
      let answer: Uint8Array | string;
      try {
        answer = this.#onQuery(message.subarray(1));
      } catch (error) {
        answer = `error: ${(error as Error).message}`;
      }
      const body = typeof answer === "string" ? Buffer.from(answer, "utf8") : answer;
      this.#toXs.write(encodeNetstring([Buffer.from("/"), body]));
      return;
    }
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined) {
      this.#child.kill("SIGKILL");
      this.#fail(new XsError(`${this.name}: unexpected message from xsnap-worker: ${message.subarray(0, 80).toString()}`, ""));
      return;
    }
    if (kind === 0x2e /* . */) {
      const separator = message.indexOf(1, 1);
      const meter = separator < 0 ? undefined : (JSON.parse(message.subarray(1, separator).toString("utf8")) as Partial<Meter>);
      pending.resolve({
        reply: message.subarray(separator < 0 ? 1 : separator + 1),
        meter: {
          compute: meter?.compute ?? 0,
          allocate: meter?.allocate ?? 0,
          currentHeapCount: meter?.currentHeapCount ?? 0,
        },
      });
    } else if (kind === 0x21 /* ! */) {
      const text = message.subarray(1).toString("utf8");
      pending.reject(new XsError(`${this.name}: uncaught exception in XS: ${text}`, text));
    } else {
      this.#child.kill("SIGKILL");
      pending.reject(new XsError(`${this.name}: unknown message from xsnap-worker: ${message.subarray(0, 80).toString()}`, ""));
    }
  }

  #fail(error: Error): void {
    if (this.#exit === undefined) this.#exit = error;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
  }
}
