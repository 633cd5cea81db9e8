// How much URL the WHATWG parser is given. Parsing is linear in length except for hosts: IDNA's
// punycode step costs about (non-ASCII characters) x (length) of each label, so a 64K-character
// host of distinct CJK code points takes seconds. Every URL that user code or a tenant supplies is
// checked here before it is parsed: in the executor's host bindings and in the egress client (the
// API and worker processes). The host is found the way the WHATWG parser finds it, erring on the
// side of counting too much.

/** Longest URL accepted, in UTF-16 code units. */
export const MAX_URL_LENGTH = 64 * 1024;
/** Most punycode work allowed for one URL's host: sum over labels of non-ASCII x length (~2-4 ms). */
export const MAX_HOST_WORK = 1_000_000;

const SPECIAL = new Set(["http", "https", "ws", "wss", "ftp", "file"]);
// IDNA maps these to "." before converting labels.
const LABEL_SEPARATOR = /[.\u3002\uFF0E\uFF61]/;

/**
 * Why parsing `text` as a URL would cost too much, or undefined when it is within bounds.
 * `asHost`: the text is a host on its own (the `host`/`hostname` setters).
 */
export function urlTooCostly(text: string, asHost = false): string | undefined {
  if (text.length > MAX_URL_LENGTH) return `URL longer than ${MAX_URL_LENGTH} characters`;
  const host = asHost ? text : hostOf(text);
  if (host !== undefined && hostWork(host) > MAX_HOST_WORK) {
    return "URL host too costly to convert (IDNA): shorten its non-ASCII labels";
  }
  return undefined;
}

/** The part of `text` the parser would hand to domain-to-ASCII, if any. */
function hostOf(text: string): string | undefined {
  // The parser drops tabs and newlines anywhere and trims C0 controls and spaces.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: exactly what the URL parser strips
  const s = text.replace(/[\t\n\r]/g, "").replace(/^[\u0000-\u0020]+/, "");
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(s);
  let rest: string;
  if (scheme) {
    if (!SPECIAL.has((scheme[1] ?? "").toLowerCase())) return undefined; // opaque host: linear
    rest = s.slice(scheme[0].length);
  } else if (/^[/\\]{2}/.test(s)) {
    rest = s; // scheme-relative: the base's scheme applies
  } else {
    return undefined; // a path: the host is the base's, checked on its own
  }
  const authority = rest.replace(/^[/\\]*/, "").split(/[/\\?#]/, 1)[0] ?? "";
  return authority.slice(authority.lastIndexOf("@") + 1);
}

/** Sum over the host's labels of non-ASCII characters (or escaped bytes) times label length. */
function hostWork(host: string): number {
  let work = 0;
  for (const label of host.split(LABEL_SEPARATOR)) {
    let nonAscii = 0;
    for (let i = 0; i < label.length; i++) {
      const c = label.charCodeAt(i);
      // "%8x".."%Fx": a byte of a multi-byte UTF-8 sequence, decoded before conversion.
      if (c > 0x7f || (c === 0x25 && /[89a-fA-F]/.test(label[i + 1] ?? ""))) nonAscii++;
    }
    work += nonAscii * label.length;
  }
  return work;
}
