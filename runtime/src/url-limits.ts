// How much URL the WHATWG parser is given. Parsing is linear in length except for hosts: IDNA's
// punycode step costs grow with the square of a label's non-ASCII length (a 64K-character host of
// distinct CJK code points takes seconds), and percent-escapes in a host are decoded first, so
// they count too. Every parse of a URL that user code or a tenant supplied goes through here
// first: the executor's host bindings and the egress client (in the API and worker processes).

/** Longest URL accepted, in UTF-16 code units. */
export const MAX_URL_LENGTH = 64 * 1024;
/** Most non-ASCII characters plus percent-escapes of non-ASCII bytes in one URL (~5 ms worst case). */
export const MAX_URL_NON_ASCII = 2048;

/** Why parsing `text` as a URL would cost too much, or undefined when it is within bounds. */
export function urlTooCostly(text: string): string | undefined {
  if (text.length > MAX_URL_LENGTH) return `URL longer than ${MAX_URL_LENGTH} characters`;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // "%8x".."%Fx": an escaped byte of a multi-byte UTF-8 sequence.
    if (c > 0x7f || (c === 0x25 && /[89a-fA-F]/.test(text[i + 1] ?? ""))) count++;
  }
  return count > MAX_URL_NON_ASCII
    ? `URL with more than ${MAX_URL_NON_ASCII} non-ASCII characters or escapes; percent-encode less`
    : undefined;
}
