// PLACEHOLDER: replaced by the real view (issue 6 in progress).
import type { FunctionHook } from "../../api/types";

export function FunctionWorkbench(props: {
  ws: string;
  hook: FunctionHook;
  onChanged(hook: FunctionHook): void;
}) {
  return <p>{props.hook.name}</p>;
}
