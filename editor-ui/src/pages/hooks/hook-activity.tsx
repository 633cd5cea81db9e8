// PLACEHOLDER: replaced by the real view (issue 6 in progress).
import type { Hook } from "../../api/types";

export function HookActivity(props: { ws: string; hook: Hook }) {
  return <p>{props.hook.name}</p>;
}
