// A fake cc.xml feed (as GoCD, Travis or Drone serve it).

import { FakeCiServer } from "./ci-fake-server";

export class CctrayFake {
  projects: Record<string, string>[] = [];
  private constructor(readonly server: FakeCiServer) {}

  static async start(): Promise<CctrayFake> {
    const server = await FakeCiServer.start();
    const fake = new CctrayFake(server);
    server.route("GET", /^\/cc\.xml$/, () => ({
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Projects>\n${fake.projects
        .map(
          (p) =>
            `  <Project ${Object.entries(p)
              .map(([k, v]) => `${k}="${v}"`)
              .join(" ")}/>`,
        )
        .join("\n")}\n</Projects>\n`,
    }));
    return fake;
  }

  get url(): string {
    return `${this.server.url}/cc.xml`;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
