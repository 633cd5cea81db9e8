// PLACEHOLDER: replaced by the real view (issue 6 in progress).
import type { CallbackHook } from "../../api/types";

export function CallbackSettings(props: {
  ws: string;
  hook: CallbackHook;
  onSaved(hook: CallbackHook): void;
}) {
  return <p>{props.hook.name}</p>;
}
