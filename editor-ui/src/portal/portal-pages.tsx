// The portal's full pages when there is nothing to show: the link was already used, the link is
// unknown or expired, or the session ended (expired or revoked while open, or not kept on reload).
import type { ApiFailure } from "../api/client";
import { ErrorNotice } from "../ui/error-notice";

export type PortalStop = "used" | "invalid" | "ended";

const PAGES: Record<PortalStop, { title: string; text: string }> = {
  used: {
    title: "This link was already used",
    text: "A portal link opens once. Open the hooks page again from your dashboard to get a new one.",
  },
  invalid: {
    title: "This link has expired or is not valid",
    text: "Open the hooks page again from your dashboard to get a new link.",
  },
  ended: {
    title: "Your session has ended",
    text: "It expired or was ended. Open the hooks page again from your dashboard to continue.",
  },
};

export function PortalStopPage(props: { stop: PortalStop }) {
  const page = PAGES[props.stop];
  return (
    <main class="sign-in" id="main" data-portal-stop={props.stop}>
      <div class="card">
        <h1>{page.title}</h1>
        <p class="muted">{page.text}</p>
      </div>
    </main>
  );
}

/** The service could not be reached (or answered oddly) while opening the link. */
export function PortalErrorPage(props: { error: ApiFailure }) {
  return (
    <main class="sign-in" id="main">
      <div class="card">
        <h1>The hooks page could not be opened</h1>
        <ErrorNotice error={props.error} />
      </div>
    </main>
  );
}
