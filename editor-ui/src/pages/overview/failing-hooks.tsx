// The overview's hooks failing most in the window: failures, attempts and success rate, each hook
// linking to its Activity tab.
import type { FailingHook } from "../../api/types";
import { href } from "../../router";
import { percent } from "../../ui/format";

export function FailingHooks({ ws, hooks }: { ws: string; hooks: FailingHook[] }) {
  return (
    <section class="card" aria-labelledby="failing-heading">
      <h2 id="failing-heading">Failing most</h2>
      {hooks.length === 0 ? (
        <p class="muted">No hook failed in this window.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Hooks with the most failed attempts in the window</caption>
          <thead>
            <tr>
              <th scope="col">Hook</th>
              <th scope="col">Failures</th>
              <th scope="col">Attempts</th>
              <th scope="col">Success rate</th>
            </tr>
          </thead>
          <tbody>
            {hooks.map((h) => (
              <tr key={h.hookId}>
                <td>
                  <a href={href(ws, "hooks", h.hookId, "activity")}>{h.name}</a>{" "}
                  <span class="badge">{h.kind}</span>
                </td>
                <td>{h.failures}</td>
                <td>{h.attempts}</td>
                <td>{percent(h.successRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
