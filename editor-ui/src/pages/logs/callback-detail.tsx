// A callback attempt in full: the request sent (method, URL, headers with secrets redacted, body)
// and the receiver's response (status, headers, body), or the error when nothing answered.
import type { LogRecord } from "../../api/types";
import { asObject } from "../../ui/format";

export function CallbackDetail({ rec }: { rec: LogRecord }) {
  const request = asObject(rec.request);
  const response = asObject(rec.response);
  const error = asObject(rec.error);
  return (
    <div class="grid-2 detail-grid">
      <section class="card" aria-labelledby="request-heading">
        <h2 id="request-heading">Request sent</h2>
        {request ? (
          <>
            <p class="mono request-line">
              <strong>{String(request.method ?? "")}</strong> {String(request.url ?? "")}
            </p>
            <HeaderTable
              title="Request headers"
              headers={request.headers}
              note="Secret header values and signatures are redacted."
            />
            <Body title="Request body" body={request.body} />
          </>
        ) : (
          <p class="muted">No request was recorded.</p>
        )}
      </section>
      <section class="card" aria-labelledby="response-heading">
        <h2 id="response-heading">Response</h2>
        {error?.message !== undefined && (
          <div class="notice error">
            <span>{String(error.message)}</span>
          </div>
        )}
        {response ? (
          <>
            <p>
              Status{" "}
              <span
                class={`badge ${Number(response.status) < 300 ? "ok" : "bad"}`}
                data-testid="response-status"
              >
                {String(response.status)}
              </span>
            </p>
            <HeaderTable title="Response headers" headers={response.headers} />
            <Body
              title="Response body"
              body={response.body}
              note={response.bodyTruncated ? "Only the first 4 KiB of the body was kept." : undefined}
            />
          </>
        ) : (
          <p class="muted">No response: the receiver did not answer (see the error above).</p>
        )}
      </section>
    </div>
  );
}

function HeaderTable(props: { title: string; headers: unknown; note?: string }) {
  const headers = asObject(props.headers);
  const entries = headers ? Object.entries(headers) : [];
  return (
    <>
      <h3>{props.title}</h3>
      {entries.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <table class="headers-table" aria-label={props.title}>
          <tbody>
            {entries.map(([name, value]) => (
              <tr key={name}>
                <th scope="row" class="mono">
                  {name}
                </th>
                <td class="mono">{Array.isArray(value) ? value.join(", ") : String(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.note && <small class="muted">{props.note}</small>}
    </>
  );
}

function Body(props: { title: string; body: unknown; note?: string | undefined }) {
  const text = props.body === null || props.body === undefined ? "" : String(props.body);
  return (
    <>
      <h3>{props.title}</h3>
      {text === "" ? <p class="muted">Empty.</p> : <pre>{readable(text)}</pre>}
      {props.note && <small class="muted">{props.note}</small>}
    </>
  );
}

/** JSON bodies indented; anything else as it came. */
function readable(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
