// Every service of the product. A new provider or output is one more line here and one new
// folder; the start order follows from the ports each declares (wiring.ts), not from this list.
//
// Who offers what (ports/): presence -> presence; gates -> lock-queries, lock-decisions,
// admin-commands; security -> broker-authorizer, gadget-secrets; gadgets -> views, intents;
// ci -> pipelines. github-app needs lock-decisions and lock-queries.

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
  return [
    new AuditService(),
    new SecurityService(),
    new PresenceService(),
    new GatesService(),
    new GadgetService(),
    new ArgoCdService(),
    new CiService(),
    new CounterService(),
    new NotifyService(),
    new FeedService(),
    new HomeAssistantService(),
    new GitHubAppService(),
    new DashboardService(),
  ];
}
