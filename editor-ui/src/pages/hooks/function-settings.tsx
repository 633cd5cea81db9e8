// PLACEHOLDER: replaced by the real view (issue 6 in progress).
import type { FunctionHook } from "../../api/types";

export function FunctionSettings(props: {
  ws: string;
  hook: FunctionHook;
  onSaved(hook: FunctionHook): void;
}) {
  return <p>{props.hook.name}</p>;
}
