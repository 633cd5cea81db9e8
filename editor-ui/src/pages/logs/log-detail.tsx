// PLACEHOLDER: replaced by the real view (issue 6 in progress).
export function LogDetailPage({ ws, id }: { ws: string; id: string }) {
  return <p>{JSON.stringify({ ws, id })}</p>;
}
