// The server's API as the pages use it: a token, JSON in and out, problems
// (RFC 9457) as values, and the event stream read with fetch (EventSource
// cannot send a bearer token).

const KEY = 'zonegate-session';

export const session = {
  save(token, me) { sessionStorage.setItem(KEY, JSON.stringify({ token, me })); },
  token() { return JSON.parse(sessionStorage.getItem(KEY) || 'null')?.token; },
  me() { return JSON.parse(sessionStorage.getItem(KEY) || 'null')?.me; },
};

export function signOut() { sessionStorage.removeItem(KEY); }

// GET (or POST with `body`) a route: {ok, status, body} or {ok: false,
// status, problem}. A network failure is status 0 with the reason.
export async function api(path, { token = session.token(), body, type = 'application/json' } = {}) {
  const init = { headers: { Authorization: `Bearer ${token}` } };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = type;
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    return { ok: false, status: 0, problem: { detail: `the server cannot be reached (${e.message})` } };
  }
  const text = await response.text();
  let parsed = null;
  try { parsed = JSON.parse(text); } catch { parsed = text; }
  if (response.status === 401 && token === session.token()) {
    dispatchEvent(new Event('zonegate-unauthorized'));
  }
  if (!response.ok) return { ok: false, status: response.status, problem: parsed || {} };
  return { ok: true, status: response.status, body: parsed };
}

// Sends one command; the contract's answer ({status: accepted | rejected,
// errors: [{code, field, message}]}) or a problem.
export async function send(command) {
  return api('/v1/commands', { body: command });
}

// A command's "at": now, with the browser's offset (RFC 3339).
export function now() {
  const d = new Date();
  const pad = (n) => String(Math.abs(n)).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:` +
    `${pad(d.getMinutes())}:${pad(d.getSeconds())}${offset >= 0 ? '+' : '-'}` +
    `${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

// A fresh command id: the server applies a command id once.
export function commandId(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

// Follows /v1/events: calls `onEvent(type, data)` for each, `onLink(up)`
// when the connection drops or comes back, and resumes after the last
// event seen. When the server no longer has the events after that one (410,
// after a restart or a long absence) it starts again from now and calls
// `onGap()`, so the page reloads its figures; a token no longer accepted
// ends it and goes to the login. Returns a function that stops it.
export function follow(onEvent, onLink, onGap = () => {}) {
  let stopped = false;
  let after = null;
  const controller = new AbortController();
  (async () => {
    while (!stopped) {
      try {
        const path = '/v1/events' + (after === null ? '' : `?after=${after}`);
        const response = await fetch(path, {
          headers: { Authorization: `Bearer ${session.token()}` }, signal: controller.signal,
        });
        if (response.status === 401 || response.status === 403) {
          stopped = true;
          dispatchEvent(new Event('zonegate-unauthorized'));
          return;
        }
        if (response.status === 410) {
          after = null;
          onGap();
          continue;
        }
        if (!response.ok) throw new Error(`events: ${response.status}`);
        onLink(true);
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = {};
            for (const line of block.split('\n')) {
              const colon = line.indexOf(':');
              if (colon <= 0) continue;  // a comment (": keep-alive") or a blank
              const name = line.slice(0, colon);
              const text = line.slice(colon + 1).replace(/^ /, '');
              fields[name] = name === 'data' && fields.data !== undefined
                ? `${fields.data}\n${text}` : text;
            }
            if (fields.id) after = fields.id;
            if (fields.event && fields.data) onEvent(fields.event, JSON.parse(fields.data));
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      if (stopped) return;
      onLink(false);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  return () => { stopped = true; controller.abort(); };
}
