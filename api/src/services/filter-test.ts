// POST .../hooks/{id}/filter-test: does an event match a hook's filter (the saved one, or one given,
// as the editor tests an unsaved filter while it is typed)? Nothing is sent and nothing is recorded.
import type { FilterTestInput } from "../schemas/filter";
import type { Store } from "./context";
import { compileFilter } from "./filter-match";
import { checkFilter } from "./filter-rules";
import { findHook } from "./hooks";
import { failure, type Result, success } from "./result";

export async function testFilter(
  store: Store,
  workspaceId: string,
  hookId: string,
  input: FilterTestInput,
): Promise<Result<{ matches: boolean }>> {
  const hook = await findHook(store, workspaceId, hookId);
  if (!hook) return failure("not_found", `hook ${hookId} not found`);
  const filter = input.filter === undefined ? hook.filter : input.filter;
  const checked = checkFilter(filter);
  if (!checked.ok) return checked;
  // No filter: every event of the hook's types goes through.
  return success({ matches: filter === null ? true : compileFilter(filter)(input.event) });
}
