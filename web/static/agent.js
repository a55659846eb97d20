'use strict';
// The agent workspace: the agent's own view from
// /api/v1/agents/{id}/workspace, refreshed on every event of the agent's
// stream, its actions through /api/v1, its screen commands, and the CRM
// iframe's Porthole actions.
(() => {
  const { el, say } = CG;
  const id = document.querySelector('meta[name="agent-id"]').content;
  const base = '/agents/' + id;
  const $ = (s) => document.getElementById(s);
  let ws = null;
  let pending = null;
  let dispoKey = '';
  let pendingKey = '';
  let formsKey = '';

  async function load() {
    try {
      ws = await CG.get(base + '/workspace');
      render();
    } catch (e) {
      say(e.message);
    }
  }

  function refresh() {
    if (pending) return;
    pending = setTimeout(() => { pending = null; load(); }, 100);
  }

  async function act(path, body) {
    try {
      const out = await CG.post(path, body);
      say('');
      await load();
      return out;
    } catch (e) {
      say(e.message);
      throw e;
    }
  }

  function dl(node, pairs) {
    node.replaceChildren(...pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
      .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  }

  function render() {
    const s = ws.session;
    $('login-form').hidden = !!s;
    $('session-controls').hidden = !s;
    if (!s && !$('login-campaign').value) $('login-campaign').value = ws.agent.campaign || '';
    $('state').textContent = !s ? 'logged out' : s.paused ? 'paused' + (s.pause_code ? ' (' + s.pause_code + ')' : '') : s.state;
    const codes = $('pause-code');
    if (codes.options.length !== ws.pause_codes.length) {
      codes.replaceChildren(...ws.pause_codes.map((p) => el('option', { value: p.code }, p.name || p.code)));
    }
    $('pause').disabled = !s || s.paused;
    $('unpause').disabled = !s || !s.paused;
    $('ringing').hidden = !(ws.simulated && ws.ringing);
    const c = ws.call;
    $('call').hidden = !c;
    $('no-call').hidden = !!c;
    if (c) {
      dl($('call-info'), [['Call', '#' + c.id], ['GUID', c.guid], ['Direction', c.direction], ['Phone', c.phone || c.caller_id],
        ['Queue', c.queue], ['Campaign', c.campaign], ['State', c.state + (ws.held ? ', on hold' : '')]]);
      $('hold').disabled = ws.held;
      $('unhold').disabled = !ws.held;
      $('transfer-pending').hidden = !ws.transfer;
    }
    const l = ws.lead;
    dl($('lead'), l ? [['Lead', l.id], ['Name', [l.first_name, l.last_name].filter(Boolean).join(' ')], ['Phone', l.phone_number],
      ['City', l.city], ['Vendor code', l.vendor_lead_code], ['Comments', l.comments]] : [['Lead', 'none']]);
    renderForms();
    renderDispositions();
    renderPending();
  }

  // renderForms redraws the campaign's forms for a new call only, so
  // values being typed survive refreshes.
  function renderForms() {
    const key = (ws.call ? ws.call.id : 0) + ':' + ws.forms.map((f) => f.Form.id).join(',');
    if (key === formsKey) return;
    formsKey = key;
    const box = $('forms');
    box.replaceChildren(...ws.forms.map((f) => el('fieldset', { 'data-form': f.Form.id },
      el('legend', {}, f.Form.name),
      ...f.Fields.map((fd) => {
        const fid = 'form-' + f.Form.id + '-' + fd.id;
        if (fd.type === 'LABEL') return el('p', {}, fd.label);
        const attrs = { id: fid, 'data-field': fd.id, required: fd.required, maxlength: fd.max_len || undefined };
        const saved = ws.form_values[String(fd.id)];
        const input = fd.type === 'LIST'
          ? el('select', attrs, ...String(fd.options || '').split(',').filter(Boolean).map((o) => el('option', {}, o.trim())))
          : el(fd.type === 'TEXTAREA' ? 'textarea' : 'input', Object.assign(attrs, { type: fd.type === 'DATE' ? 'date' : undefined }));
        if (saved !== undefined) input.value = saved;
        return el('div', {}, el('label', { for: fid }, fd.label), input);
      }),
      el('button', { type: 'button', onclick: () => saveForm(f.Form.id) }, 'Save ' + f.Form.name))));
  }

  function saveForm(formID) {
    const entries = [...document.querySelectorAll('fieldset[data-form="' + formID + '"] [data-field]')]
      .map((e) => ({ form_id: formID, field_id: Number(e.dataset.field), value: e.value }));
    act('/calls/' + currentCall().id + '/form', { entries }).then(() => say('Form saved.')).catch(() => {});
  }

  // Dispositions form a tree (uContact's three levels); VICIdial statuses
  // are its roots.
  function children(parent) {
    return ws.dispositions.filter((d) => d.parent_id === parent);
  }

  function fillLevel(n, list) {
    const sel = $('dispo-' + n);
    const label = document.querySelector('label[for="dispo-' + n + '"]');
    const show = n === 1 || list.length > 0;
    sel.hidden = !show;
    label.hidden = !show;
    sel.replaceChildren(el('option', { value: '' }, '—'), ...list.map((d) => el('option', { value: d.id, 'data-code': d.code }, d.name + (d.name !== d.code ? ' (' + d.code + ')' : ''))));
  }

  function renderDispositions() {
    const key = ws.dispositions.map((d) => d.id).join(',');
    if (key === dispoKey) return;
    dispoKey = key;
    fillLevel(1, children(0));
    fillLevel(2, []);
    fillLevel(3, []);
  }

  function chosen() {
    for (const n of [3, 2, 1]) {
      const sel = $('dispo-' + n);
      if (!sel.hidden && sel.value) return sel.selectedOptions[0].dataset.code;
    }
    return '';
  }

  // renderPending redraws only when the list changed, so a time or an
  // agent being typed is not wiped by an unrelated event.
  function renderPending() {
    const key = JSON.stringify(ws.pending.map((p) => [p.id, p.when, p.agent, p.status]));
    if (key === pendingKey) return;
    pendingKey = key;
    const items = ws.pending.map((p) => {
      const what = (p.contact ? p.contact + ' ' : '') + (p.phones && p.phones.length ? p.phones.join(', ') : p.phone || 'lead ' + p.lead_id);
      const when = el('input', { type: 'datetime-local', 'aria-label': 'New time for pending item ' + p.id });
      const to = el('input', { 'aria-label': 'Agent to reassign pending item ' + p.id + ' to', size: 8 });
      const pact = (body) => act(base + '/pending/' + p.id, body).catch(() => {});
      return el('li', { 'data-pending': p.id },
        (p.agent ? 'Callback' : 'Queue callback') + ' #' + p.id + ' ' + what + ' due ' + new Date(p.when).toLocaleString() + (p.subject ? ' — ' + p.subject : '') + ' ',
        when, el('button', { type: 'button', onclick: () => when.value && pact({ action: 'postpone', when: new Date(when.value).toISOString() }) }, 'Postpone'),
        to, el('button', { type: 'button', onclick: () => to.value && pact({ action: 'reassign', to: to.value.trim() }) }, 'Reassign'),
        el('button', { type: 'button', class: 'discard', onclick: () => pact({ action: 'discard' }) }, 'Discard'),
        el('button', { type: 'button', class: 'complete', onclick: () => pact({ action: 'complete' }) }, 'Complete'));
    });
    $('pending').replaceChildren(...(items.length ? items : [el('li', {}, 'Nothing pending.')]));
  }

  // Screen commands of every dialect: stored by the engine, fetched (and
  // marked delivered) here.
  async function screen() {
    let cmds = [];
    try { cmds = await CG.get(base + '/screen'); } catch (e) { return; }
    for (const c of cmds) {
      let p = {};
      try { p = JSON.parse(c.payload || '{}'); } catch (e) { p = { text: c.payload }; }
      handleScreen(c.kind, p || {}, c.payload);
    }
  }

  function notify(text) {
    $('notifications').append(el('p', { class: 'notice', role: 'status' }, text));
  }

  function handleScreen(kind, p, raw) {
    switch (kind) {
      case 'refresh_panel':
      case 'update_fields':
      case 'switch_lead':
        load();
        break;
      case 'notification':
        notify(p.text || 'Notification');
        break;
      case 'timer_action':
        notify((p.message || 'Timer') + (p.seconds ? ' in ' + p.seconds + ' s' : ''));
        break;
      case 'webphone_url':
        if (p.url) notify('Webphone: ' + p.url);
        break;
      case 'preview':
        load();
        notify('Preview lead ' + (p.lead_id || ''));
        break;
      case 'form':
        if (/^https?:\/\//.test(raw)) openCRM(raw);
        else notify('Form: ' + raw);
        break;
      default:
        notify(kind + ': ' + raw);
    }
  }

  // The operator's CRM origins (web.crm_origins); none listed: any.
  const crmOrigins = (document.querySelector('meta[name="crm-origins"]').content || '').split(' ').filter(Boolean);

  function openCRM(url) {
    let origin = '';
    try { origin = new URL(url).origin; } catch (e) { say('Not a CRM address: ' + url); return; }
    if (!/^https?:$/.test(new URL(url).protocol) || (crmOrigins.length && !crmOrigins.includes(origin))) {
      say('CRM pages may come only from ' + (crmOrigins.join(', ') || 'http(s) addresses'));
      return;
    }
    $('crm-url').value = url;
    $('crm').src = url;
  }

  function currentCall() {
    if (!ws || !ws.call) throw new Error('no current call');
    return ws.call;
  }

  // The CTI object uContact's pages ask for: the answered call and, for a
  // dialer call, its contact.
  function cti() {
    const c = ws && ws.call;
    if (!c) return null;
    const l = ws.lead || {};
    return { guid: c.guid, campaign: c.campaign, destination: c.phone || c.caller_id, status: 1,
      data: l.id ? 'first_name=' + (l.first_name || '') + ':last_name=' + (l.last_name || '') : '', alternatives: l.alt_phone || '',
      retries: c.retries || 0, contact: l.id || 0, dialerbase: c.list_id ? String(c.list_id) : '', priority: 0, agentphone: ws.session ? ws.session.extension : '' };
  }

  // uContact names campaigns by direction ("Sales->" outbound, "Sales<-"
  // inbound); the engine's names are "Sales.out" and "Sales.in".
  function campaignName(wire) {
    const w = String(wire || '').trim();
    if (w.endsWith('->')) return w.slice(0, -2) + '.out';
    if (w.endsWith('<-')) return w.slice(0, -2) + '.in';
    return w;
  }

  // contact turns uContact's Respool object (data "P1=V1:P2=V2",
  // alternatives "a:b", agentphone) into the API's contact.
  function contact(o) {
    if (!o || typeof o !== 'object') throw new Error('missing dialer object');
    const data = {};
    for (const part of String(o.data || '').split(':')) {
      const i = part.indexOf('=');
      if (i > 0) data[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
    return { campaign: campaignName(o.campaign), phone: String(o.destination || ''),
      alternatives: String(o.alternatives || '').split(':').map((a) => a.trim()).filter(Boolean), data,
      priority: Number(o.priority) || 0, retries: Number(o.retries) || 0, lead_id: Number(o.contact) || undefined,
      agent: o.agentphone ? String(o.agentphone) : undefined };
  }

  // uContact's dates are "yyyy-MM-dd HH:mm:ss" in the portal's time.
  function portalDate(s) {
    const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(s || '').trim());
    if (!m) throw new Error('the date must be yyyy-MM-dd HH:mm:ss');
    return new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)).toISOString();
  }

  const portholeActions = {
    call: async (d) => {
      const c = await act(base + '/calls', { phone: String(d.destination || ''), campaign: campaignName(d.campaign) || undefined, caller_id: d.callerid ? String(d.callerid) : undefined });
      return { action: 'call', guid: c.guid };
    },
    callWithPhone: async (d) => {
      const c = await act(base + '/calls', { phone: String(d.destination || ''), campaign: campaignName(d.campaign) || undefined });
      return { action: 'callWithPhone', guid: c.guid };
    },
    hangup: async () => {
      const c = currentCall();
      await act('/calls/' + c.id + '/hangup');
      return { action: 'hangup', result: 1, guid: c.guid };
    },
    tag: async (d) => {
      const c = currentCall();
      if (d.guid && d.guid !== c.guid) throw new Error('guid is not the current call');
      await act('/calls/' + c.id + '/tag', { message: String(d.message || '') });
      return { action: 'tag', result: 1, guid: c.guid };
    },
    CTI: async () => ({ action: 'CTI', CTI: cti() }),
    respool: async (d) => {
      await CG.post(base + '/respool', contact(d.objetoRespool));
      return { action: 'respool', result: 1 };
    },
    schedule: async (d) => {
      const c = contact(d.objectDialer);
      c.when = portalDate(d.callDate || (d.objectDialer && d.objectDialer.calldate));
      await CG.post(base + '/schedule', c);
      load();
      return { action: 'schedule', result: 1 };
    },
  };

  function wire() {
    $('login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      act(base + '/login', { campaign: $('login-campaign').value.trim() || undefined, extension: $('login-extension').value.trim() || undefined }).catch(() => {});
    });
    $('pause').addEventListener('click', () => act(base + '/pause', { code: $('pause-code').value }).catch(() => {}));
    $('unpause').addEventListener('click', () => act(base + '/unpause').catch(() => {}));
    $('agent-logout').addEventListener('click', () => act(base + '/logout', { reason: 'agent' }).catch(() => {}));
    $('answer').addEventListener('click', () => act(base + '/answer').catch(() => {}));
    $('hold').addEventListener('click', () => act('/calls/' + currentCall().id + '/hold').catch(() => {}));
    $('unhold').addEventListener('click', () => act('/calls/' + currentCall().id + '/unhold').catch(() => {}));
    $('hangup').addEventListener('click', () => act('/calls/' + currentCall().id + '/hangup').catch(() => {}));
    $('transfer-complete').addEventListener('click', () => act('/calls/' + currentCall().id + '/transfer/complete').catch(() => {}));
    $('transfer-cancel').addEventListener('click', () => act('/calls/' + currentCall().id + '/transfer/cancel').catch(() => {}));
    $('transfer-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const kind = $('transfer-kind').value, target = $('transfer-target').value.trim();
      act('/calls/' + currentCall().id + '/transfer', kind === 'queue' ? { kind, queue: target } : { kind, target }).catch(() => {});
    });
    for (const n of [1, 2]) {
      $('dispo-' + n).addEventListener('change', () => {
        const v = Number($('dispo-' + n).value);
        fillLevel(n + 1, v ? children(v) : []);
        if (n === 1) fillLevel(3, []);
      });
    }
    $('dispo-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const status = chosen();
      if (!status) { say('Choose a disposition.'); $('dispo-1').focus(); return; }
      act(base + '/disposition', { status, comments: $('dispo-comments').value || undefined })
        .then(() => { say('Disposition saved: ' + status); }).catch(() => {});
    });
    $('dial-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const phone = $('dial-phone').value.trim();
      const lead = $('preview-lead').dataset.lead;
      act(base + '/calls', { phone, lead_id: lead ? Number(lead) : undefined }).catch(() => {});
    });
    $('preview').addEventListener('click', async () => {
      try {
        const l = await CG.post(base + '/preview');
        $('preview-lead').dataset.lead = l.id;
        $('dial-phone').value = l.phone_number;
        dl($('preview-lead'), [['Lead', l.id], ['Name', [l.first_name, l.last_name].filter(Boolean).join(' ')], ['Phone', l.phone_number]]);
      } catch (e) { say(e.message); }
    });
    $('crm-form').addEventListener('submit', (e) => {
      e.preventDefault();
      openCRM($('crm-url').value.trim());
    });
  }

  async function start() {
    wire();
    PortholeBridge.start($('crm'), portholeActions, crmOrigins);
    const crm = new URLSearchParams(location.search).get('crm');
    if (crm) openCRM(crm);
    await load();
    await screen();
    CG.stream((type) => {
      if (type === 'agent.screen') screen();
      refresh();
    }, (st) => { if (st === 'live') { refresh(); screen(); } });
  }
  start();
})();
