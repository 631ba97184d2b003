// The services' sections of the config file, one entry per service that has one. Adding a service
// with settings means adding its section module and one line here (beside its line in services.ts);
// the top level's known keys, the unknown-key message and docs/configuration.md follow from it.

import { ARGOCD_SECTION } from "./argocd/config";
import { CI_SECTION } from "./ci/ci-config";
import type { ConfigSection } from "./config-schema";
import { COUNTERS_SECTION } from "./counters/counter-config";
import { DASHBOARD_SECTION } from "./dashboard/dashboard-config";
import { GITHUB_APP_SECTION } from "./github/github-app-config";
import { HOMEASSISTANT_SECTION } from "./homeassistant/ha-config";
import { NOTIFICATIONS_SECTION } from "./notify/notify-config";
import { PRESENCE_SECTION } from "./presence/presence-config";
import { SECURITY_SECTION } from "./security/security-config";
import { STORE_SECTION } from "./store-config";

export const SECTIONS: readonly ConfigSection[] = [
  CI_SECTION,
  ARGOCD_SECTION,
  NOTIFICATIONS_SECTION,
  SECURITY_SECTION,
  PRESENCE_SECTION,
  COUNTERS_SECTION,
  DASHBOARD_SECTION,
  HOMEASSISTANT_SECTION,
  GITHUB_APP_SECTION,
  STORE_SECTION,
];
