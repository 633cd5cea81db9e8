// The "N new" control of a held list: how many attempts arrived while the user pointed at the list,
// and a button that shows them. It floats over the list's top edge, so its arrival moves no row.
export function WaitingRows({ count, onShow }: { count: number; onShow(): void }) {
  return (
    <div class="waiting-rows" role="status" aria-live="polite">
      {count > 0 && (
        <button type="button" onClick={onShow}>
          {count} new {count === 1 ? "attempt" : "attempts"}: show
        </button>
      )}
    </div>
  );
}
