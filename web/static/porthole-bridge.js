'use strict';
// A Porthole-compatible bridge (uContact's CRM pages post their proxy
// actions with Porthole.WindowProxy): a message is the JSON string
// {data, sourceOrigin, targetOrigin, sourceWindowName, targetWindowName},
// the action in data.action. Answers go back to the framed page in the same
// envelope, to its origin only, so its Porthole listener receives
// messageEvent.data = {guid: ...} as uContact's portal answers.
const PortholeBridge = (() => {
  function envelope(data, targetOrigin) {
    return JSON.stringify({ data, sourceOrigin: location.origin, targetOrigin, sourceWindowName: window.name, targetWindowName: '' });
  }

  // start listens to the messages of one iframe; actions maps an action
  // name to an async function(data) returning the answer's data (or null
  // for none).
  // allowed (a list of origins, empty for any) limits who may act.
  function start(iframe, actions, allowed) {
    window.addEventListener('message', async (e) => {
      if (!iframe.contentWindow || e.source !== iframe.contentWindow) return;
      if (allowed.length && !allowed.includes(e.origin)) return;
      let msg = null;
      try { msg = typeof e.data === 'string' ? JSON.parse(e.data) : null; } catch (err) { return; }
      if (!msg || typeof msg !== 'object' || !msg.data || typeof msg.data.action !== 'string') return;
      const fn = Object.prototype.hasOwnProperty.call(actions, msg.data.action) ? actions[msg.data.action] : null;
      let answer;
      if (!fn) {
        answer = { action: msg.data.action, result: 0, error: 'unknown action' };
      } else {
        try {
          answer = await fn(msg.data);
        } catch (err) {
          answer = { action: msg.data.action, result: 0, guid: '0', error: err.message };
        }
      }
      if (answer && e.origin && e.origin !== 'null') {
        e.source.postMessage(envelope(answer, e.origin), e.origin);
      }
    });
  }
  return { start };
})();
