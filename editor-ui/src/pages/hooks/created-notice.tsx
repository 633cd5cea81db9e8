// "Created": the confirmation a hook's page shows once, on the first visit after the create form in
// this tab made it, brought into view with what the user needs next (a callback's signing secret).
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/** Hooks created in this tab and not yet shown: only ids, nothing secret. */
const justCreated = new Set<string>();

/** Called by the create form before it opens the new hook's page. */
export function markCreated(id: string): void {
  justCreated.add(id);
}

/** The confirmation, when `hook` was just created here (once); `children` say what comes next. */
export function CreatedNotice(props: { hook: { id: string; name: string }; children: ComponentChildren }) {
  const [shown, setShown] = useState(() => justCreated.delete(props.hook.id));
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (shown) ref.current?.scrollIntoView({ block: "start" });
  }, []);
  if (!shown) return null;
  return (
    <div ref={ref} class="notice success" role="status">
      <div class="notice-body">
        <strong>Created “{props.hook.name}”.</strong>
        <span>{props.children}</span>
      </div>
      <button type="button" class="link" onClick={() => setShown(false)} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
