// Builds one provider from a pipeline's config, exactly as the CI service does (checked config,
// its own HTTP client), so provider tests go through the same path as the bridge.

import { checkCiSection } from "../../src/ci/ci-config";
import { CiHttp } from "../../src/http/http-client";
import { PROVIDERS } from "../../src/ci/providers/index";
import type { CiProvider, PipelineSettings } from "../../src/ci/providers/provider";

export interface ProviderUnderTest {
  provider: CiProvider;
  http: CiHttp;
  settings: PipelineSettings;
}

export function providerFor(pipeline: Record<string, unknown>, options: { env?: NodeJS.ProcessEnv; now?: () => number; name?: string } = {}): ProviderUnderTest {
  const env = options.env ?? {};
  const checked = checkCiSection({ pipelines: { [options.name ?? "p"]: pipeline } }, "ci", env);
  if (!checked.ok) throw new Error(`${checked.field}: ${checked.error}`);
  const settings = checked.value.pipelines[0] as PipelineSettings;
  const now = options.now ?? Date.now;
  const http = new CiHttp({ timeoutMs: settings.timeout_ms, now });
  const definition = PROVIDERS.get(settings.provider);
  if (!definition) throw new Error(`no provider ${settings.provider}`);
  return { provider: definition.create(settings, { http, now, env }), http, settings };
}
