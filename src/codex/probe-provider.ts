// Ask the configured model provider, for real, whether it answers and takes the key, with a call
// that spends no tokens (GET <base_url>/models). Used by `doctor`; the daemon never probes.
import { errorBodyMessage } from "../util/error-body.js";
import { describeProvider, type ProviderInfo } from "./provider.js";

export type ProbeResult =
  | { readonly ok: true; readonly detail: string }
  | { readonly ok: false; readonly detail: string; readonly fix: string };

const PROBE_TIMEOUT_MS = 5_000;

export async function probeProvider(
  provider: ProviderInfo,
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const who = describeProvider(provider);
  let url: URL;
  try {
    url = new URL(`${provider.baseUrl.replace(/\/+$/, "")}/models`);
  } catch {
    return { ok: false, detail: `${who}: base_url is not a URL`, fix: `set model_providers.${provider.id}.base_url to the provider's http(s) address` };
  }
  const key = provider.envKey ? env[provider.envKey] : undefined;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
    return { ok: false, detail: `cannot reach ${who}: ${why}`, fix: "check the base_url, your network and proxy; the provider may be down" };
  }
  const said = errorBodyMessage(await response.text().catch(() => ""))?.slice(0, 300) ?? "";
  const status = `GET ${url.pathname} answered ${response.status}${said ? `: ${said}` : ""}`;
  if (response.status === 401 || response.status === 403) {
    // No key was sent: saying the provider "refused the key" would send the user looking at a key that is not there.
    if (provider.envKey && !key) return { ok: false, detail: `${who} asks for a key and ${provider.envKey} is not set (${status})`, fix: `export ${provider.envKey}=...` };
    return { ok: false, detail: `${who} refused the key (${status})`, fix: provider.envKey ? `check the key in ${provider.envKey}` : "check the provider's credentials" };
  }
  if (response.ok) return { ok: true, detail: `${who} answers and accepts the key (${status.split(":")[0]})` };
  if (response.status === 404 || response.status === 405) {
    return { ok: true, detail: `${who} answers (${status.split(":")[0]}: it lists no models, so the key was not checked)` };
  }
  return { ok: false, detail: `${who} is not healthy (${status})`, fix: "check the provider's status page, then retry" };
}
