// Monaco renders hover messages as Markdown. Text that is not ours (a run error's message may
// carry a remote server's answer, e.g. `throw new Error(await res.text())`) must not become
// links, images or formatting there: it goes into a fenced code block, which Markdown shows
// verbatim, with a fence longer than any run of backticks in the text so the text cannot close it.
import type * as Monaco from "monaco-editor/editor/editor.api";

/** `text` as a Markdown string that renders exactly as the text: no links, no HTML, no formatting. */
export function plainTextMarkdown(text: string): Monaco.IMarkdownString {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  return { value: `${fence}plaintext\n${text}\n${fence}`, isTrusted: false, supportHtml: false };
}
