// Every service of the product, in start order. A new provider or output is one more line here
// and one new folder; nothing else changes.

import type { BridgeConfig } from "./config";
import { ArgoCdService } from "./argocd/argocd-service";
import { AuditService } from "./audit/audit-service";
import { CiService } from "./ci/ci-service";
import { CounterService } from "./counters/counter-service";
import { DashboardService } from "./dashboard/dashboard-service";
import { FeedService } from "./feeds/feed-service";
import { NotifyService } from "./notify/notify-service";
import { GadgetService } from "./gadgets/gadget-service";
import { GatesService } from "./gates/gates-service";
import { GitHubAppService } from "./github/github-app-service";
import { HomeAssistantService } from "./homeassistant/ha-service";
import { PresenceService } from "./presence/presence-service";
import { SecurityService } from "./security/security-service";
import type { Service } from "./service";

export function defaultServices(_config: BridgeConfig): Service[] {
  const gates = new GatesService();
  return [
    new AuditService(),
    new SecurityService(),
    new PresenceService(),
    gates,
    new GadgetService(),
    new ArgoCdService(),
    new CiService(),
    new CounterService(),
    new NotifyService(),
    new FeedService(),
    new HomeAssistantService(),
    new GitHubAppService({ locks: () => gates.locks }),
    new DashboardService(),
  ];
}
