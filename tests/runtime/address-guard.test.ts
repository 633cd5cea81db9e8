// Protects the egress address guard as a pure decision: every private, loopback, link-local,
// metadata, CGNAT, multicast, reserved and documentation address is refused in every spelling
// (IPv4, IPv6, IPv4-mapped, NAT64, 6to4, decimal/octal/hex), and the allow-list opens exceptions.
import { describe, expect, it } from "vitest";
import { classifyAddress } from "../../runtime/src/index";

/** The address a URL's host really denotes, as the WHATWG parser (and so egress) sees it. */
const hostOf = (url: string) => new URL(url).hostname.replace(/^\[|\]$/g, "");

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.5.4", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "metadata"],
    ["169.254.1.1", "link-local"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.255", "cgnat"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "broadcast"],
    ["192.0.2.10", "documentation"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["198.18.0.1", "benchmark"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["fd00:ec2::254", "metadata"],
    ["fe80::1", "link-local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:10.0.0.1", "private"],
    ["64:ff9b::10.0.0.1", "private"],
    ["64:ff9b::a9fe:a9fe", "metadata"],
    ["2002:7f00:1::", "loopback"],
    ["2002:c0a8:101::1", "private"],
    ["::127.0.0.1", "reserved"],
  ])("refuses %s (%s)", (ip, reason) => {
    const decision = classifyAddress(ip);
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.reason).toContain(reason);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "2002:808:808::1",
  ])("allows public %s", (ip) => expect(classifyAddress(ip)).toEqual({ allowed: true }));

  it.each([
    ["http://2130706433/", "127.0.0.1"],
    ["http://0x7f.1/", "127.0.0.1"],
    ["http://017700000001/", "127.0.0.1"],
    ["http://0x7f000001/", "127.0.0.1"],
    ["http://127.1/", "127.0.0.1"],
    ["http://0177.0.0.1/", "127.0.0.1"],
    ["http://0xa9fea9fe/", "169.254.169.254"],
    ["http://2852039166/", "169.254.169.254"],
    ["http://0/", "0.0.0.0"],
    ["http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"],
    ["http://[0:0:0:0:0:ffff:a9fe:a9fe]/", "::ffff:a9fe:a9fe"],
    ["http://[fd00:ec2::254]/", "fd00:ec2::254"],
  ])("normalises %s to %s and refuses it", (url, ip) => {
    expect(hostOf(url)).toBe(ip);
    expect(classifyAddress(hostOf(url)).allowed).toBe(false);
  });

  it("lets the operator allow-list open exceptions, also through IPv4-mapped IPv6", () => {
    expect(classifyAddress("127.0.0.1", ["127.0.0.1/32"])).toEqual({ allowed: true });
    expect(classifyAddress("::ffff:127.0.0.1", ["127.0.0.1/32"])).toEqual({ allowed: true });
    expect(classifyAddress("127.0.0.2", ["127.0.0.1/32"]).allowed).toBe(false);
    expect(classifyAddress("::1", ["::1/128"])).toEqual({ allowed: true });
  });

  it("refuses things that are not IP addresses and rejects malformed allow-lists", () => {
    expect(classifyAddress("localhost").allowed).toBe(false);
    expect(() => classifyAddress("8.8.8.8", ["not-a-cidr"])).toThrow(TypeError);
  });
});
