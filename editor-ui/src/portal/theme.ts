// A portal session's theme on the page: the accent colour as the --accent CSS variable (with a text
// colour that stays readable on it), light or dark, and the name as the document's title.
import type { PortalTheme } from "./portal-link";

export function applyTheme(theme: PortalTheme): void {
  const root = document.documentElement;
  if (theme.accentColor) {
    root.style.setProperty("--accent", theme.accentColor);
    root.style.setProperty("--accent-text", readableOn(theme.accentColor));
  }
  root.dataset.theme = theme.mode ?? "light";
  if (theme.name) document.title = theme.name;
}

/** Black or white, whichever contrasts more with `hex` (#rrggbb; relative luminance, WCAG). */
function readableOn(hex: string): string {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance > 0.179 ? "#000000" : "#ffffff";
}
