// Server-Sent Events over fetch(): the token goes in a header, so EventSource (URL only) is not used.
// Parses the text/event-stream format, reconnects with capped backoff, and tells whether it is live.
import { authHeaders } from "./api.js";

export function parseEventStream(onEvent) {
  let buffer = "";
  let event = "message";
  let data = [];
  return (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.search(/\r?\n/)) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer[nl] === "\r" ? 2 : 1));
      if (line === "") {
        if (data.length) onEvent(event, data.join("\n"));
        event = "message";
        data = [];
      } else if (line.startsWith(":")) {
        // heartbeat comment
      } else {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
    }
  };
}

/**
 * Follows /api/v1/events until stop() is called. handlers: {onEvent(type, obj), onState(live), onMissing(), onUnauthorized()}.
 * onMissing is called when the controller has no event stream (404): the caller falls back to polling.
 */
export function follow(handlers) {
  let stopped = false;
  let controller = null;
  let delay = 250;
  async function run() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch("/api/v1/events", {
          headers: authHeaders({ Accept: "text/event-stream" }), cache: "no-store", signal: controller.signal,
        });
        if (response.status === 401) { handlers.onUnauthorized(); return; }
        if (response.status === 404 || response.status === 405) { handlers.onMissing(); return; }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        handlers.onState(true);
        delay = 250;
        const feed = parseEventStream((type, text) => {
          let obj = null;
          try { obj = JSON.parse(text); } catch { return; }
          handlers.onEvent(type, obj);
        });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          feed(value);
        }
      } catch (e) {
        if (stopped) return;
      }
      handlers.onState(false);
      if (stopped) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
      handlers.onReconnect && handlers.onReconnect();
    }
  }
  run();
  return { stop() { stopped = true; if (controller) controller.abort(); } };
}
