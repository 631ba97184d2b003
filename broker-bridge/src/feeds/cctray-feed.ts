// The CCTray feed (cc.xml) that CCMenu, Nevergreen, BuildNotify and build lights read:
// <Projects><Project name activity lastBuildStatus lastBuildLabel lastBuildTime webUrl/></Projects>.

import { XMLBuilder } from "fast-xml-parser";
import type { FeedItem } from "./feed-model";

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: true, suppressEmptyNode: true });

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
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ Projects: { Project: projects } }) as string}`;
}
