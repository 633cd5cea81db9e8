// Protects the redactor that keeps a hook's secret values out of its execution log: every occurrence
// becomes `[redacted]` (the longer of two overlapping values whole, regex metacharacters taken
// literally, JSON-escaped forms too), short values are left alone, JSON results are copied with their
// keys and nested strings redacted and everything else untouched, and huge or deep inputs stay cheap.
import { describe, expect, it } from "vitest";
import { MIN_REDACTED_LENGTH, REDACTED, secretRedactor } from "../../api/src/dispatch/redact-secrets";

describe("secretRedactor().text", () => {
  const cases: { name: string; secrets: string[]; input: string; expected: string }[] = [
    { name: "no secrets", secrets: [], input: "token=abcd", expected: "token=abcd" },
    {
      name: "every occurrence",
      secrets: ["abcd"],
      input: "abcd-abcd/abcd",
      expected: "[redacted]-[redacted]/[redacted]",
    },
    {
      name: "a value containing another is replaced whole",
      secrets: ["secret", "my-secret-long"],
      input: "a my-secret-long b secret",
      expected: "a [redacted] b [redacted]",
    },
    {
      name: "the same, whatever the order given",
      secrets: ["my-secret-long", "secret"],
      input: "my-secret-long",
      expected: "[redacted]",
    },
    {
      name: "partly overlapping values: the first to start wins, neither survives whole",
      secrets: ["abcd", "cdef"],
      input: "abcdef",
      expected: "[redacted]ef",
    },
    {
      name: "values shorter than 4 characters are not redacted",
      secrets: ["a", "42", "xyz"],
      input: "a 42 xyz",
      expected: "a 42 xyz",
    },
    { name: "exactly 4 characters are", secrets: ["wxyz"], input: "wxyz", expected: "[redacted]" },
    { name: "empty values are ignored", secrets: ["", "abcd"], input: "abcd", expected: "[redacted]" },
    {
      name: "regex metacharacters are literal",
      secrets: ["a.b*c+d?(e)[f]{2}|g^h$i\\j/k"],
      input: "x a.b*c+d?(e)[f]{2}|g^h$i\\j/k y aXbbbcd",
      expected: "x [redacted] y aXbbbcd",
    },
    {
      name: "a value that is only metacharacters",
      secrets: [".*.*"],
      input: "abc .*.* def",
      expected: "abc [redacted] def",
    },
    {
      name: "a value as JSON.stringify prints it (console.log of ctx.secrets)",
      secrets: ['pa"ss\\word'],
      input: `{"PASSWORD":${JSON.stringify('pa"ss\\word')}} and raw pa"ss\\word`,
      expected: '{"PASSWORD":"[redacted]"} and raw [redacted]',
    },
    { name: "case-sensitive", secrets: ["Secret-Value"], input: "secret-value", expected: "secret-value" },
    { name: "non-ASCII values", secrets: ["clé-été-🔑"], input: "k=clé-été-🔑;", expected: "k=[redacted];" },
    {
      name: "names are not revealed either",
      secrets: ["TOKEN-VALUE"],
      input: "TOKEN-VALUE",
      expected: REDACTED,
    },
  ];
  it.each(cases)("$name", ({ secrets, input, expected }) => {
    expect(secretRedactor(secrets).text(input)).toBe(expected);
  });

  it("keeps the 4-character threshold in one place", () => {
    expect(MIN_REDACTED_LENGTH).toBe(4);
  });

  it("can be reused: the global regex keeps no state between calls", () => {
    const redact = secretRedactor(["abcd"]);
    for (let i = 0; i < 3; i++) expect(redact.text("xx abcd")).toBe("xx [redacted]");
  });
});

describe("secretRedactor().json", () => {
  const redact = secretRedactor(["s3cr3t-value", "other-secret"]);
  const cases: { name: string; input: unknown; expected: unknown }[] = [
    { name: "a string", input: "x s3cr3t-value", expected: "x [redacted]" },
    { name: "null", input: null, expected: null },
    { name: "a number, even one that reads like a secret", input: 12345678, expected: 12345678 },
    { name: "booleans", input: [true, false], expected: [true, false] },
    {
      name: "object keys and values",
      input: { "s3cr3t-value": "other-secret", plain: "kept" },
      expected: { "[redacted]": "[redacted]", plain: "kept" },
    },
    {
      name: "nested values in arrays and objects",
      input: { a: [1, { b: ["x", "s3cr3t-value!"] }, null], c: { d: { e: "pre other-secret post" } } },
      expected: { a: [1, { b: ["x", "[redacted]!"] }, null], c: { d: { e: "pre [redacted] post" } } },
    },
    { name: "empty containers", input: { a: [], b: {} }, expected: { a: [], b: {} } },
    {
      name: "a __proto__ key stays an ordinary key",
      input: JSON.parse('{"__proto__":{"x":"s3cr3t-value"}}'),
      expected: JSON.parse('{"__proto__":{"x":"[redacted]"}}'),
    },
  ];
  it.each(cases)("$name", ({ input, expected }) => {
    const before = JSON.stringify(input);
    const out = redact.json(input);
    expect(out).toStrictEqual(expected);
    expect(JSON.stringify(input)).toBe(before); // the input is not modified
  });

  it("returns the value as it is when there are no secrets to redact", () => {
    const value = { a: "anything" };
    expect(secretRedactor(["", "ab"]).json(value)).toBe(value);
  });

  it("does not throw on any JSON value", () => {
    for (const value of [null, 0, -1.5, "", true, [], {}, [[[]]], { "": "" }, "s3cr3t-value"])
      expect(() => redact.json(value)).not.toThrow();
    expect(() => redact.json(undefined)).not.toThrow();
  });
});

describe("secretRedactor bounds", () => {
  it("walks a result nested far deeper than the call stack would allow", () => {
    const depth = 100_000;
    const deep = JSON.parse(`${"[".repeat(depth)}"s3cr3t-value"${"]".repeat(depth)}`);
    const out = secretRedactor(["s3cr3t-value"]).json(deep);
    let inner: unknown = out;
    for (let i = 0; i < depth; i++) inner = (inner as unknown[])[0];
    expect(inner).toBe("[redacted]");
  });

  it("redacts megabytes of text full of near-misses in linear time", () => {
    const secrets = Array.from({ length: 50 }, (_, i) => `tok-${i}-${"x".repeat(200)}`);
    const redact = secretRedactor(secrets);
    const nearMiss = `tok-7-${"x".repeat(150)}`;
    const input = `${nearMiss} ${secrets[7]} `.repeat(2_000); // ~750 KB
    const started = performance.now();
    const out = redact.text(input);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(out).not.toContain(secrets[7]);
    expect(out.split(REDACTED)).toHaveLength(2_001);
  });

  it("redacts a large JSON result (many keys and strings) quickly", () => {
    const value = Object.fromEntries(
      Array.from({ length: 20_000 }, (_, i) => [`k${i}-s3cr3t-value`, [i, `v${i} s3cr3t-value`]]),
    );
    const started = performance.now();
    const out = secretRedactor(["s3cr3t-value"]).json(value);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(JSON.stringify(out)).not.toContain("s3cr3t-value");
    expect((out as Record<string, unknown>)["k19999-[redacted]"]).toEqual([19999, "v19999 [redacted]"]);
  });
});
