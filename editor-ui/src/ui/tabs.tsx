// Tabs as the WAI-ARIA pattern has them: one tab in the Tab order, arrow keys (and Home/End) move
// between tabs and select them, and each panel is labelled by its tab.
import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";

export interface TabsProps<T extends string> {
  label: string;
  tabs: readonly (readonly [T, string])[];
  current: T;
  onSelect(tab: T): void;
  children: ComponentChildren;
}

export function Tabs<T extends string>(props: TabsProps<T>) {
  const id = useId();
  const index = props.tabs.findIndex(([value]) => value === props.current);
  const select = (i: number) => {
    const n = props.tabs.length;
    const [value] = props.tabs[(i + n) % n] ?? [];
    if (value === undefined) return;
    props.onSelect(value);
    document.getElementById(`${id}-tab-${value}`)?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: props.tabs.length - 1,
    };
    const to = moves[e.key];
    if (to === undefined) return;
    e.preventDefault();
    select(to);
  };
  return (
    <>
      <div class="tabs" role="tablist" aria-label={props.label} onKeyDown={onKeyDown}>
        {props.tabs.map(([value, label]) => (
          <button
            key={value}
            id={`${id}-tab-${value}`}
            type="button"
            role="tab"
            aria-selected={value === props.current}
            aria-controls={`${id}-panel`}
            tabIndex={value === props.current ? 0 : -1}
            onClick={() => props.onSelect(value)}
          >
            {label}
          </button>
        ))}
      </div>
      <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${props.current}`}>
        {props.children}
      </div>
    </>
  );
}
