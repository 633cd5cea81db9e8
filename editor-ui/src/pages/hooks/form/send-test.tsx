// "Send test": one real request to one of a callback's URLs with a sample event, and everything the
// receiver answered next to exactly what was sent. Nothing is retried or logged.

import { covers } from "@hookrun/api/browser";
import { useState } from "preact/hooks";
import { ApiFailure, ok } from "../../../api/client";
import type { CallbackHook, RunResult } from "../../../api/types";
import { useSession } from "../../../session-context";
import { useAction, useLoad } from "../../../ui/async";
import { ErrorNotice } from "../../../ui/error-notice";
import { prettyJson } from "../../../ui/format";
import { FormField } from "./fields";
import "./hook-form.css";
import { OutcomeBadge } from "../../../ui/outcome-badge";

interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  bodyTruncated?: boolean;
}

export function SendTest({ ws, hook, unsaved }: { ws: string; hook: CallbackHook; unsaved: boolean }) {
  const { client } = useSession();
  const catalog = useLoad(
    () => ok(client.v1.workspaces[":ws"]["event-types"].$get({ param: { ws } })),
    [client, ws],
  );
  const types = (catalog.data?.data ?? [])
    .map((t) => t.name)
    .filter((name) => hook.events.some((e) => covers(e, name)));
  const [url, setUrl] = useState(hook.urls[0] ?? "");
  const [type, setType] = useState("");
  const [data, setData] = useState("");
  const [result, setResult] = useState<RunResult | null>(null);

  const send = useAction(async () => {
    // A new attempt replaces the last answer, whether it gets one or fails first (data not JSON).
    setResult(null);
    let parsed: unknown;
    if (data.trim()) {
      try {
        parsed = JSON.parse(data);
      } catch (error) {
        throw new ApiFailure(0, "client", `the data is not JSON: ${(error as Error).message}`);
      }
    }
    const json = {
      ...(hook.urls.includes(url) ? { url } : {}),
      ...(type ? { type } : {}),
      ...(parsed === undefined ? {} : { data: parsed }),
    };
    setResult(
      await ok(client.v1.workspaces[":ws"].hooks[":id"].test.$post({ param: { ws, id: hook.id }, json })),
    );
  });

  return (
    <section class="card settings-section" aria-labelledby="send-test-title">
      <h2 id="send-test-title">Send a test</h2>
      <p class="hint">
        Sends one real, signed request with a sample event to one URL, using the saved settings, and shows
        what the receiver answered. It is not retried and not logged.
        {unsaved && <strong> You have unsaved changes: save them first to test them.</strong>}
      </p>
      <div class="grid-2">
        <FormField label="URL to test">
          <select value={url} onChange={(e) => setUrl(e.currentTarget.value)}>
            {hook.urls.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        </FormField>
        <FormField label="Event type" hint="The example payload of the type is sent unless you give data.">
          <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
            <option value="">The first subscribed event type</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </FormField>
      </div>
      <FormField label="Data (JSON, optional)" hint="Leave empty to send the event type's example.">
        <textarea
          rows={3}
          value={data}
          spellcheck={false}
          placeholder='{"sessionId": "ses_123"}'
          onInput={(e) => setData(e.currentTarget.value)}
        />
      </FormField>
      <ErrorNotice error={catalog.error} />
      <ErrorNotice error={send.error} onDismiss={send.clearError} />
      <div class="form-actions">
        <button
          type="button"
          disabled={send.pending || hook.urls.length === 0}
          onClick={() => void send.run()}
        >
          {send.pending ? "Sending…" : "Send test"}
        </button>
      </div>
      {send.pending && (
        <p class="muted" aria-busy="true">
          Waiting for the receiver (up to {hook.timeoutMs / 1000} s)…
        </p>
      )}
      {result && <TestResult result={result} />}
    </section>
  );
}

function TestResult({ result }: { result: RunResult }) {
  const request = result.request as SentRequest | null;
  const response = result.response as Answer | null;
  const error = result.error as { message?: string } | null;
  return (
    <section class="test-result" aria-label="Test result">
      <dl>
        <dt>Outcome</dt>
        <dd>
          <OutcomeBadge outcome={result.outcome} />
        </dd>
        <dt>Status</dt>
        <dd>{response ? `HTTP ${response.status}` : "no answer"}</dd>
        <dt>Duration</dt>
        <dd>{Math.round(result.durationMs)} ms</dd>
        {error?.message && (
          <>
            <dt>Error</dt>
            <dd class="field-error">{error.message}</dd>
          </>
        )}
      </dl>
      {response && (
        <div class="grid-2">
          <section aria-labelledby="test-response-body">
            <h3 id="test-response-body">Response body{response.bodyTruncated ? " (first 4 KB)" : ""}</h3>
            <pre>{response.body || "(empty)"}</pre>
          </section>
          <section aria-labelledby="test-response-headers">
            <h3 id="test-response-headers">Response headers</h3>
            <pre>{headerLines(response.headers)}</pre>
          </section>
        </div>
      )}
      {request && (
        <section aria-labelledby="test-request-sent">
          <h3 id="test-request-sent">Request sent</h3>
          <pre>
            {`${request.method} ${request.url}\n${headerLines(request.headers)}${
              request.body ? `\n\n${prettyBody(request.body)}` : ""
            }`}
          </pre>
        </section>
      )}
    </section>
  );
}

function headerLines(headers: Record<string, string> | undefined): string {
  return Object.entries(headers ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
}

function prettyBody(body: string): string {
  try {
    return prettyJson(JSON.parse(body));
  } catch {
    return body;
  }
}
