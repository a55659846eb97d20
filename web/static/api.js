'use strict';
// The pages' one client of /api/v1: the session cookie authenticates, the
// CSRF token of the page goes with every state-changing request.
const CG = (() => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  // Every domain event type of the bus: SSE named events reach only the
  // listeners of their name.
  const eventTypes = ['agent.logged_in', 'agent.logged_out', 'agent.login_failed', 'agent.pause_end',
    'agent.pause_start', 'agent.queues', 'agent.screen', 'agent.state', 'agent.unreachable', 'call.dtmf',
    'call.ended', 'call.linked', 'call.progress', 'call.ringing', 'call.script_step', 'call.transferred',
    'call.unlinked', 'callback', 'lead.changed', 'origination.ended', 'pbx.connection', 'recording.changed', 'sms.ended'];

  async function call(method, path, body) {
    const opt = { method, credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf } };
    if (body !== undefined) {
      opt.headers['Content-Type'] = 'application/json';
      opt.body = JSON.stringify(body);
    }
    const r = await fetch('/api/v1' + path, opt);
    if (r.status === 401) {
      location.href = '/login';
    }
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!r.ok) {
      const err = new Error((data && data.error) || r.statusText);
      err.status = r.status;
      throw err;
    }
    return data;
  }

  // el builds an element: el('td', {class: 'x'}, 'text', child...).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  function say(msg) {
    const m = document.getElementById('message');
    if (m) m.textContent = msg;
  }

  // stream follows the event stream; EventSource resumes by itself with
  // Last-Event-ID after a drop. An error status (a gateway restarting, a
  // cluster between leaders) ends an EventSource for good: a new one is
  // opened later, and the page reloads its snapshot once it is live again.
  // onEvent gets (type, event).
  function stream(onEvent, onState) {
    let delay = 2000;
    const open = () => {
      const es = new EventSource('/api/v1/events');
      es.onopen = () => { delay = 2000; onState('live'); };
      es.onerror = () => {
        if (es.readyState !== EventSource.CLOSED) {
          onState('reconnecting');
          return;
        }
        onState('disconnected');
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      };
      for (const t of eventTypes) {
        es.addEventListener(t, (m) => {
          let ev = null;
          try { ev = JSON.parse(m.data); } catch (e) { return; }
          onEvent(t, ev);
        });
      }
      for (const t of ['gap', 'overflow', 'closed']) {
        es.addEventListener(t, () => onEvent(t, null));
      }
    };
    open();
  }

  function seconds(s) {
    s = Math.max(0, Math.floor(s));
    const m = Math.floor(s / 60);
    return m + ':' + String(s % 60).padStart(2, '0');
  }

  return { call, get: (p) => call('GET', p), post: (p, b) => call('POST', p, b), el, say, stream, seconds };
})();
