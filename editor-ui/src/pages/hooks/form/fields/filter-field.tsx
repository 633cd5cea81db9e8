// A hook's filter (JSON) and "Test against an event": the filter as typed, saved or not, is sent to
// the service's filter-test with a sample event, which answers matches / does not match, or names
// the bad part of the filter (shown under the field, as a refused save is). Nothing is sent to the
// hook's receivers or recorded.
import { isPattern } from "@hookrun/api/browser";
import { useState } from "preact/hooks";
import { type ApiFailure, asFailure, ok } from "../../../../api/client";
import { useSession } from "../../../../session-context";
import { useAction } from "../../../../ui/async";
import { ErrorNotice } from "../../../../ui/error-notice";
import { fieldErrors, parseFilter } from "../model";
import { FormField } from "./form-field";

const EXAMPLE = '{"data.amount": {"$gte": 100}, "context.source": "checkout"}';

export function FilterField(props: {
  ws: string;
  /** The saved hook, whose filter-test the test calls; none while creating. */
  hookId?: string | undefined;
  events: string[];
  value: string;
  onChange(text: string): void;
  errors: ApiFailure | null;
}) {
  const [tested, setTested] = useState<ApiFailure | null>(null);
  const parsed = parseFilter(props.value);
  const errors = [
    ...(parsed.ok ? [] : [parsed.message]),
    ...fieldErrors(props.errors, "filter"),
    ...fieldErrors(tested, "filter"),
  ];
  return (
    <>
      <FormField
        label="Filter (JSON, optional)"
        hint={
          <>
            Only events that match are delivered to this hook; empty: every event of its types. Paths start at{" "}
            <code>type</code>, <code>data</code> or <code>context</code>; operators{" "}
            <code>$eq $neq $gt $gte $lt $lte $in $nin $exists $contains</code>, and <code>$and</code> /{" "}
            <code>$or</code>. See README, “Filters”.
          </>
        }
        errors={errors}
      >
        <textarea
          rows={5}
          spellcheck={false}
          placeholder={EXAMPLE}
          value={props.value}
          onInput={(e) => {
            setTested(null);
            props.onChange(e.currentTarget.value);
          }}
        />
      </FormField>
      {props.hookId ? (
        <FilterTest
          ws={props.ws}
          hookId={props.hookId}
          events={props.events}
          filterText={props.value}
          onRefused={setTested}
        />
      ) : (
        <p class="hint">Once the hook is saved, you can test the filter against an event here.</p>
      )}
    </>
  );
}

type Verdict = { matches: boolean } | null;

function FilterTest(props: {
  ws: string;
  hookId: string;
  events: string[];
  filterText: string;
  onRefused(failure: ApiFailure | null): void;
}) {
  const { client } = useSession();
  const type = props.events.find((e) => !isPattern(e)) ?? "order.created";
  const [eventText, setEventText] = useState(() =>
    JSON.stringify({ type, data: {}, context: null }, null, 2),
  );
  const [verdict, setVerdict] = useState<Verdict>(null);
  const [eventProblem, setEventProblem] = useState<string | null>(null);

  const test = useAction(async () => {
    setVerdict(null);
    props.onRefused(null);
    const filter = parseFilter(props.filterText);
    const event = parseEvent(eventText);
    setEventProblem(typeof event === "string" ? event : null);
    if (!filter.ok || typeof event === "string") return;
    try {
      setVerdict(
        await ok(
          client.v1.workspaces[":ws"].hooks[":id"]["filter-test"].$post({
            param: { ws: props.ws, id: props.hookId },
            json: { event, filter: filter.value },
          }),
        ),
      );
    } catch (error) {
      // A filter the service refuses is said under the filter field; anything else here.
      const failure = asFailure(error);
      if (fieldErrors(failure, "filter").length > 0) props.onRefused(failure);
      else throw error;
    }
  });

  return (
    <fieldset class="filter-test">
      <legend>Test against an event</legend>
      <FormField
        label="Event (JSON)"
        hint="The envelope, or its type, data and context. Nothing is sent or recorded."
        errors={eventProblem ? [eventProblem] : []}
      >
        <textarea
          rows={5}
          spellcheck={false}
          value={eventText}
          onInput={(e) => setEventText(e.currentTarget.value)}
        />
      </FormField>
      <ErrorNotice error={test.error} onDismiss={test.clearError} />
      <div class="form-actions">
        <button type="button" class="secondary" disabled={test.pending} onClick={() => void test.run()}>
          {test.pending ? "Testing…" : "Test filter"}
        </button>
        <output class="filter-verdict" aria-live="polite">
          {verdict &&
            (verdict.matches ? (
              <span class="badge ok">Matches: this event would be delivered</span>
            ) : (
              <span class="badge bad">Does not match: this hook would not get this event</span>
            ))}
        </output>
      </div>
    </fieldset>
  );
}

/** The sample event, or what is wrong with it. */
function parseEvent(text: string): Record<string, unknown> | string {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
    return 'must be a JSON object, e.g. {"type": "order.created", "data": {}}';
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
}
