// PLACEHOLDER: replaced by the real view (issue 6 in progress).
export function EventTypesPage({ ws }: { ws: string }) {
  return <p>{JSON.stringify({ ws })}</p>;
}
