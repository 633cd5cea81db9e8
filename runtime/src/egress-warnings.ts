// What the egress guard will say of a URL before anything is sent: a URL whose host is an address
// literal (or localhost) that the guard refuses can never be delivered to until the operator
// allows it. Names are not resolved here (DNS may change); the attempts' outcome tells for them.
import { type EgressOptions, literalHostDecision } from "./egress";

/** One warning per URL the guard refuses as it stands, naming HOOKRUN_EGRESS_ALLOW. */
export function egressWarnings(urls: readonly string[], egress: EgressOptions): string[] {
  const warnings: string[] = [];
  for (const url of urls) {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      continue;
    }
    const host = target.hostname;
    // localhost is a name, but one that always means loopback.
    if (host === "localhost") target.hostname = "127.0.0.1";
    const literal = literalHostDecision(egress, target);
    if (literal && !literal.decision.allowed)
      warnings.push(
        `${url}: ${host.replace(/^\[|\]$/g, "")} is a ${literal.decision.reason} address, which the egress guard refuses; ` +
          "deliveries to it fail as blocked unless the operator adds it to HOOKRUN_EGRESS_ALLOW",
      );
  }
  return warnings;
}
