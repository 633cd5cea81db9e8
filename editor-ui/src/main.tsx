// The editor's entry point: styles, then the app into #app (in portal mode at /portal).
import "./styles.css";
import { render } from "preact";
import { App } from "./app";
import { PortalApp } from "./portal/portal-app";

const root = document.getElementById("app");
if (root) render(location.pathname === "/portal" ? <PortalApp /> : <App />, root);
