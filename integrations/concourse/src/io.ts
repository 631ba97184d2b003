// A resource run's outside world: Concourse reads the result from stdout and shows stderr in the
// build log (https://concourse-ci.org/implementing-resource-types.html).

export interface ResourceIo {
  /** The one JSON document Concourse reads. */
  result(value: unknown): void;
  log(line: string): void;
  env: NodeJS.ProcessEnv;
}

export const processResourceIo: ResourceIo = {
  result: (value) => void process.stdout.write(JSON.stringify(value) + "\n"),
  log: (line) => void process.stderr.write(line + "\n"),
  env: process.env,
};

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
