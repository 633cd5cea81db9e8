// PLACEHOLDER: replaced by the real view (issue 6 in progress).
export function LogsPage({ ws, query }: { ws: string; query: URLSearchParams }) {
  return <p>{JSON.stringify({ ws, query })}</p>;
}
