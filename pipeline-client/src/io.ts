// The command line's outside world, injected so commands can be run inside tests.
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Writes text as it is (no line end added): exports stream through it when present. */
  write?(chunk: string): void;
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = {
  out: (line) => void process.stdout.write(line + "\n"),
  err: (line) => void process.stderr.write(line + "\n"),
  write: (chunk) => void process.stdout.write(chunk),
  env: process.env,
};
