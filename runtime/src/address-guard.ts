// The egress address guard: a pure decision about one IP address, with no I/O, so it can be tested
// table-driven and reused by every outbound client. It answers for the address actually connected
// to; callers must never classify a hostname and then connect to something else.
import { BlockList, isIP } from "node:net";

export type AddressDecision = { allowed: true } | { allowed: false; reason: string };

type Rule = { reason: string; cidrs: string[] };

// Order matters: the first matching rule names the reason (metadata before link-local, broadcast
// before reserved).
const V4_RULES: Rule[] = [
  { reason: "metadata", cidrs: ["169.254.169.254/32", "169.254.170.2/32", "100.100.100.200/32"] },
  { reason: "broadcast", cidrs: ["255.255.255.255/32"] },
  { reason: "unspecified", cidrs: ["0.0.0.0/8"] },
  { reason: "loopback", cidrs: ["127.0.0.0/8"] },
  { reason: "private", cidrs: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] },
  { reason: "cgnat", cidrs: ["100.64.0.0/10"] },
  { reason: "link-local", cidrs: ["169.254.0.0/16"] },
  { reason: "documentation", cidrs: ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"] },
  { reason: "benchmark", cidrs: ["198.18.0.0/15"] },
  { reason: "multicast", cidrs: ["224.0.0.0/4"] },
  { reason: "reserved", cidrs: ["192.0.0.0/24", "192.88.99.0/24", "240.0.0.0/4"] },
];

const V6_RULES: Rule[] = [
  { reason: "metadata", cidrs: ["fd00:ec2::254/128"] },
  { reason: "unspecified", cidrs: ["::/128"] },
  { reason: "loopback", cidrs: ["::1/128"] },
  { reason: "private", cidrs: ["fc00::/7"] },
  { reason: "link-local", cidrs: ["fe80::/10"] },
  { reason: "site-local", cidrs: ["fec0::/10"] },
  { reason: "multicast", cidrs: ["ff00::/8"] },
  { reason: "documentation", cidrs: ["2001:db8::/32", "3fff::/20"] },
  { reason: "benchmark", cidrs: ["2001:2::/48"] },
  // IETF protocol assignments (Teredo, ORCHID, ...) and the local-use NAT64 prefix.
  { reason: "reserved", cidrs: ["2001::/23", "64:ff9b:1::/48", "100::/64"] },
];

function toBlockList(cidrs: string[], family: "ipv4" | "ipv6"): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split("/");
    list.addSubnet(net ?? "", Number(bits), family);
  }
  return list;
}

const V4 = V4_RULES.map((r) => ({ reason: r.reason, list: toBlockList(r.cidrs, "ipv4") }));
const V6 = V6_RULES.map((r) => ({ reason: r.reason, list: toBlockList(r.cidrs, "ipv6") }));
// Everything outside global unicast is reserved for IPv6; the embedded-IPv4 forms are handled first.
const V6_GLOBAL = toBlockList(["2000::/3"], "ipv6");

/** Builds the operator allow-list; throws on a malformed CIDR (a configuration bug). */
export function allowList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net = "", bitsText] = cidr.trim().split("/");
    const family = isIP(net);
    if (family === 0) throw new TypeError(`egress allow-list: not a CIDR: ${cidr}`);
    const max = family === 4 ? 32 : 128;
    const bits = bitsText === undefined ? max : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > max) {
      throw new TypeError(`egress allow-list: bad prefix length: ${cidr}`);
    }
    list.addSubnet(net, bits, family === 4 ? "ipv4" : "ipv6");
  }
  return list;
}

/** Expands an IPv6 literal into 8 16-bit groups (handles "::" and a dotted IPv4 tail). */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase().split("%")[0] ?? "";
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split(".").map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill("0");
  return [...h, ...zeros, ...t].map((g) => Number.parseInt(g, 16));
}

function v4FromGroups(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** The IPv4 address an IPv6 address carries and would reach: mapped, NAT64 or 6to4. The deprecated
 * IPv4-compatible form (::a.b.c.d) is simply reserved. */
export function embeddedIPv4(ip: string): string | undefined {
  const g = ipv6Groups(ip);
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return v4FromGroups(g[6] ?? 0, g[7] ?? 0); // ::ffff:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4FromGroups(g[6] ?? 0, g[7] ?? 0); // NAT64
  if (g[0] === 0x2002) return v4FromGroups(g[1] ?? 0, g[2] ?? 0); // 6to4
  return undefined;
}

function classifyV4(ip: string): AddressDecision {
  for (const rule of V4) if (rule.list.check(ip, "ipv4")) return { allowed: false, reason: rule.reason };
  return { allowed: true };
}

function classifyV6(ip: string): AddressDecision {
  for (const rule of V6) if (rule.list.check(ip, "ipv6")) return { allowed: false, reason: rule.reason };
  if (!V6_GLOBAL.check(ip, "ipv6")) return { allowed: false, reason: "reserved" };
  return { allowed: true };
}

/**
 * Decides whether an outbound connection to `ip` is allowed. `ip` must be an IP literal (as
 * connected to, not a hostname). The allow-list opens exceptions, also for the IPv4 address an
 * IPv6 form embeds.
 */
export function classifyAddress(ip: string, allow?: BlockList | readonly string[]): AddressDecision {
  const family = isIP(ip);
  if (family === 0) return { allowed: false, reason: "not an IP address" };
  const allowed = allow === undefined ? undefined : allow instanceof BlockList ? allow : allowList(allow);
  const v4 = family === 4 ? ip : embeddedIPv4(ip);
  if (allowed?.check(ip, family === 4 ? "ipv4" : "ipv6")) return { allowed: true };
  if (v4 !== undefined && allowed?.check(v4, "ipv4")) return { allowed: true };
  if (family === 4) return classifyV4(ip);
  if (v4 !== undefined) {
    const inner = classifyV4(v4);
    return inner.allowed ? inner : { allowed: false, reason: `${inner.reason} (embedded IPv4 ${v4})` };
  }
  return classifyV6(ip);
}
