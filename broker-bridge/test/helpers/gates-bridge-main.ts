// A bridge process with only the services the gates need (audit, security, presence, gates,
// gadgets): the real startBridge, config from the environment as `shipgate start` reads it, for
// fault tests that kill and restart it many times (the dashboard's front-end bundle and the CI
// and Argo CD services are not what they test, and would triple each start).
import { startBridge } from "../../src/bridge";
import { loadConfig } from "../../src/bridge-config";
import { AuditService } from "../../src/audit/audit-service";
import { GadgetService } from "../../src/gadgets/gadget-service";
import { GatesService } from "../../src/gates/gates-service";
import { PresenceService } from "../../src/presence/presence-service";
import { SecurityService } from "../../src/security/security-service";
import { quietLog } from "./bridge";

const config = loadConfig({ env: process.env });
const bridge = await startBridge({ config, log: quietLog, services: [new AuditService(), new SecurityService(), new PresenceService(), new GatesService(), new GadgetService()] });
process.stderr.write(`ready ${bridge.brokerUrl}\n`);
