// Whether a streaming list should keep still: while the pointer is over it or the keyboard focus is
// inside it, the user is about to act on a row, and a row inserted above would move another under the
// click. Log viewers hold new rows back then; the list shows how many wait instead.
import { useState } from "preact/hooks";

export interface Hold {
  held: boolean;
  /** Spread onto the element that holds the list (and its "N new" control). */
  handlers: {
    onPointerEnter(): void;
    onPointerLeave(): void;
    onFocusIn(): void;
    onFocusOut(event: FocusEvent): void;
  };
}

export function useHoldWhilePointed(): Hold {
  const [pointer, setPointer] = useState(false);
  const [focus, setFocus] = useState(false);
  return {
    held: pointer || focus,
    handlers: {
      onPointerEnter: () => setPointer(true),
      onPointerLeave: () => setPointer(false),
      onFocusIn: () => setFocus(true),
      onFocusOut: (event) => {
        // Focus moving between rows of the same list keeps the hold.
        const inside =
          event.currentTarget instanceof Node &&
          event.relatedTarget instanceof Node &&
          event.currentTarget.contains(event.relatedTarget);
        if (!inside) setFocus(false);
      },
    },
  };
}
