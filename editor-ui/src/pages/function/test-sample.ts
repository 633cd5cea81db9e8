// The sample a function test runs on: which of the hook's event types, and its data as JSON text
// (the type's example until edited). Held by the workbench, so the editor's Ctrl+Enter and the test
// panel's button run the same sample.
import { useMemo, useState } from "preact/hooks";
import type { CatalogEventType } from "../../monaco/event-typing";
import { prettyJson } from "../../ui/format";

export interface TestSample {
  /** The hook's event types the test may use. */
  names: string[];
  chosen: string | null;
  choose(name: string): void;
  /** The chosen type's data as JSON text. */
  text: string;
  edit(text: string): void;
  /** The text differs from the type's example. */
  edited: boolean;
  reset(): void;
  /** Why the text cannot run; a new object each time it is refused. */
  problem: { message: string } | null;
  /** The type and the parsed data, or null: nothing chosen, or the text is not JSON (see `problem`). */
  read(): { type: string; data: unknown } | null;
}

export function useTestSample(eventTypes: CatalogEventType[] | undefined): TestSample {
  const names = useMemo(() => (eventTypes ?? []).map((t) => t.name), [eventTypes]);
  const [type, setType] = useState<string | null>(null);
  const chosen = type !== null && names.includes(type) ? type : (names[0] ?? null);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<{ message: string } | null>(null);

  const exampleOf = (name: string) => {
    const example = eventTypes?.find((t) => t.name === name)?.example;
    return prettyJson(example === undefined || example === null ? {} : example);
  };
  const text = chosen === null ? "" : (texts[chosen] ?? exampleOf(chosen));

  return {
    names,
    chosen,
    choose: setType,
    text,
    edit(value) {
      if (chosen !== null) setTexts((t) => ({ ...t, [chosen]: value }));
      setProblem(null);
    },
    edited: chosen !== null && texts[chosen] !== undefined && texts[chosen] !== exampleOf(chosen),
    reset() {
      if (chosen !== null) setTexts(({ [chosen]: _, ...rest }) => rest);
      setProblem(null);
    },
    problem,
    read() {
      if (chosen === null) return null;
      try {
        const data: unknown = JSON.parse(text);
        setProblem(null);
        return { type: chosen, data };
      } catch (error) {
        setProblem({ message: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
        return null;
      }
    },
  };
}
