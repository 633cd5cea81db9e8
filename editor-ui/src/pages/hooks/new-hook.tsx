// PLACEHOLDER: replaced by the real view (issue 6 in progress).
export function NewHookPage({ ws, kind }: { ws: string; kind: "callback" | "function" | null }) {
  return <p>{JSON.stringify({ ws, kind })}</p>;
}
