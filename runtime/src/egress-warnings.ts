// What the egress guard will say of a URL before anything is sent: a URL whose host is an address
// literal (or localhost) that the guard refuses can never be delivered to until the operator
// allows it. Names are not resolved here (DNS may change); the attempts' outcome tells for them.
import { type BlockList, isIP } from "node:net";
import { allowList, classifyAddress } from "./address-guard";

const compiled = new WeakMap<readonly string[], BlockList>();

/** One warning per URL the guard refuses as it stands, naming HOOKRUN_EGRESS_ALLOW. */
export function egressWarnings(urls: readonly string[], allow: readonly string[]): string[] {
  let list = compiled.get(allow);
  if (!list) {
    list = allowList([...allow]);
    compiled.set(allow, list);
  }
  const warnings: string[] = [];
  for (const url of urls) {
    let host: string;
    try {
      host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    } catch {
      continue;
    }
    const address = host === "localhost" ? "127.0.0.1" : host;
    if (isIP(address) === 0) continue;
    const decision = classifyAddress(address, list);
    if (!decision.allowed)
      warnings.push(
        `${url}: ${host} is a ${decision.reason} address, which the egress guard refuses; deliveries to it ` +
          "fail as blocked unless the operator adds it to HOOKRUN_EGRESS_ALLOW",
      );
  }
  return warnings;
}
