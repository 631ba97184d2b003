// The CCTray feed (cc.xml) that CCMenu, Nevergreen, BuildNotify and build lights read:
// <Projects><Project name activity lastBuildStatus lastBuildLabel lastBuildTime webUrl/></Projects>.

import type { FeedItem } from "./feed-model";
import { lazyRequire } from "../lazy-require";

// Made on the first request for cc.xml: fast-xml-parser is not loaded until a build light asks.
const xml = lazyRequire<typeof import("fast-xml-parser")>("fast-xml-parser");
let builder: import("fast-xml-parser").XMLBuilder | undefined;

export function ccXml(items: readonly FeedItem[]): string {
  const projects = items.map((i) => {
    const p: Record<string, string> = {
      "@_name": i.name,
      "@_activity": i.activity,
      "@_lastBuildStatus": i.last_build_status,
    };
    if (i.label !== null) p["@_lastBuildLabel"] = i.label;
    if (i.last_build_time !== null) p["@_lastBuildTime"] = i.last_build_time;
    if (i.url !== null) p["@_webUrl"] = i.url;
    return p;
  });
  builder ??= new (xml().XMLBuilder)({ ignoreAttributes: false, attributeNamePrefix: "@_", format: true, suppressEmptyNode: true });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ Projects: { Project: projects } }) as string}`;
}
