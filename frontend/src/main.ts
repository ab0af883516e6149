import "@fontsource/source-sans-pro/latin-300.css";
import "@fontsource/source-sans-pro/latin-400.css";
import "@fontsource/source-sans-pro/latin-600.css";
import "@fontsource/source-sans-pro/latin-700.css";
import "@fontsource/lora/latin-400.css";
import "@fontsource/lora/latin-700.css";
import "./styles/icons.css";
import "./styles/conduit.css";
import { mount } from "svelte";
import App from "./App.svelte";
import { installDebug } from "./debug";
import { startRouter } from "./router";
import { initSession } from "./stores/session";

installDebug(window);
startRouter();
void initSession();

const target = document.getElementById("app");
if (!target) throw new Error("#app is missing from index.html");
target.replaceChildren();
mount(App, { target });
