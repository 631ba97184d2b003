// Structured logs (pino), JSON lines on stdout; one child logger per service.
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { svc: "shipgate" }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? pino.destination(1));
}
