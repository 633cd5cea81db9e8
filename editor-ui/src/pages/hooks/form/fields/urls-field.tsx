// A callback's URLs, one per line, with the egress guard's warnings and the URLs a 410 disabled.
import type { ApiFailure } from "../../../../api/client";
import { fieldErrors, parseUrls } from "../model";
import { FormField } from "./form-field";

export function UrlsField(props: {
  value: string;
  onChange(text: string): void;
  errors: ApiFailure | null;
  disabledUrls?: CallbackDisabledUrl[];
  /** The service's warnings about saved URLs the egress guard refuses. */
  warnings?: string[];
  reenable?: { on: boolean; set(on: boolean): void; readOnly: boolean };
}) {
  const count = parseUrls(props.value).length;
  const own = count > 10 ? [`${count} URLs: at most 10.`] : [];
  return (
    <>
      <FormField
        label="URLs"
        hint="One per line, up to 10. Each URL gets its own delivery of every event, retried on its own."
        errors={[...own, ...fieldErrors(props.errors, "urls")]}
      >
        <textarea
          rows={Math.min(Math.max(count + 1, 2), 10)}
          value={props.value}
          placeholder="https://receiver.example.com/hooks"
          spellcheck={false}
          onInput={(e) => props.onChange(e.currentTarget.value)}
        />
      </FormField>
      {props.warnings && props.warnings.length > 0 && (
        <div class="notice egress-warnings" role="status">
          <div class="notice-body">
            <strong>Refused by the egress guard</strong>
            <ul>
              {props.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </div>
        </div>
      )}
      {props.disabledUrls && props.disabledUrls.length > 0 && (
        <div class="notice disabled-urls" role="status">
          <div class="notice-body">
            <strong>
              {props.disabledUrls.length === 1 ? "1 URL is" : `${props.disabledUrls.length} URLs are`}{" "}
              disabled
            </strong>
            <ul>
              {props.disabledUrls.map((d) => (
                <li key={d.url}>
                  <code>{d.url}</code> — {d.reason} ({new Date(d.at).toLocaleString()})
                </li>
              ))}
            </ul>
            <span>
              A receiver answered 410 Gone, so these get nothing. Saving the URLs enables every URL in the
              list again; remove a URL from the list to drop it.
            </span>
            {props.reenable && !props.reenable.readOnly && (
              <label class="check">
                <input
                  type="checkbox"
                  checked={props.reenable.on}
                  onChange={(e) => props.reenable?.set(e.currentTarget.checked)}
                />
                Enable them again when I save
              </label>
            )}
          </div>
        </div>
      )}
    </>
  );
}

/** A stored URL a receiver's 410 Gone disabled. */
export type CallbackDisabledUrl = { url: string; at: string; reason: string };
