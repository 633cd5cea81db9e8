// The service's complaints about a whole group of fields (a fieldset), listed under it.

/** Messages about a fieldset as a whole, under it; nothing when there are none. */
export function Problems({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div class="field-errors">
      {messages.map((m) => (
        <span key={m} class="field-error">
          {m}
        </span>
      ))}
    </div>
  );
}
