'use strict';
// The supervisor wallboard: a snapshot from /api/v1/wallboard, fetched
// again (coalesced) whenever an event of the supervisor's scope arrives.
(() => {
  const { el, say } = CG;
  let pauseCodes = [];
  let board = null;
  let pending = null;
  let loading = false;
  let again = false;
  // The pause code a supervisor picked per agent: rows are rebuilt on every
  // event, and a choice must not snap back to the first code under them.
  const picked = new Map();

  async function load() {
    if (loading) { again = true; return; }
    loading = true;
    try {
      board = await CG.get('/wallboard');
      render();
    } catch (e) {
      say('Wallboard: ' + e.message);
    } finally {
      loading = false;
      // Events that came during the fetch: one more, a little later, so a
      // busy center costs the server at most about two fetches a second.
      if (again) { again = false; setTimeout(load, 400); }
    }
  }

  // refresh coalesces a burst of events into one fetch, well within a
  // second of the first.
  function refresh() {
    if (pending) return;
    pending = setTimeout(() => { pending = null; load(); }, 150);
  }

  function fill(id, rows) {
    const tb = document.querySelector('#' + id + ' tbody');
    tb.replaceChildren(...rows);
  }

  function render() {
    fill('queues', board.queues.map((q) => el('tr', { 'data-queue': q.name },
      el('th', { scope: 'row' }, q.name),
      el('td', { class: 'waiting' }, q.waiting),
      el('td', { class: 'longest' }, CG.seconds(q.longest_wait)),
      el('td', { class: 'sl' }, q.answered ? q.service_level.toFixed(0) + '%' : '—'),
      el('td', { class: 'answered' }, q.answered),
      el('td', { class: 'abandoned' }, q.abandoned),
      el('td', { class: 'by-state' }, Object.entries(q.agents_by_state).map(([k, v]) => k + ' ' + v).join(', ') || '—'))));
    fill('agents', board.agents.map(agentRow));
    fill('campaigns', board.campaigns.map((c) => el('tr', { 'data-campaign': c.name },
      el('th', { scope: 'row' }, c.name),
      el('td', {}, c.dial_method),
      el('td', {}, c.dialing_rate.toFixed(1)),
      el('td', {}, c.type === 'outbound' ? c.leads_left : '—'),
      el('td', {}, c.abandon_rate.toFixed(1) + '%'))));
    chart(board.intervals, board.interval_minutes);
  }

  function agentRow(a) {
    const since = Date.parse(a.state_since);
    const call = a.call_id ? '#' + a.call_id + ' ' + (a.call_phone || '') + (a.call_queue ? ' (' + a.call_queue + ')' : '') : '—';
    const codes = el('select', { 'aria-label': 'Pause code for ' + a.username, onchange: (e) => picked.set(a.id, e.target.value) },
      ...pauseCodes.map((p) => el('option', { value: p.code, selected: picked.get(a.id) === p.code }, p.name || p.code)));
    const actions = el('td', { class: 'actions' },
      a.paused
        ? el('button', { type: 'button', onclick: () => act('/agents/' + a.id + '/unpause') }, 'Unpause')
        : [codes, el('button', { type: 'button', onclick: () => act('/agents/' + a.id + '/pause', { code: codes.value }) }, 'Pause')],
      el('button', { type: 'button', class: 'logout', onclick: () => act('/agents/' + a.id + '/logout', { reason: 'supervisor' }) }, 'Log out'));
    if (a.call_id) {
      for (const mode of ['listen', 'whisper', 'barge']) {
        actions.append(el('button', { type: 'button', onclick: () => snoop(a.call_id, mode) }, mode[0].toUpperCase() + mode.slice(1)));
      }
    }
    return el('tr', { 'data-agent': a.username },
      el('th', { scope: 'row' }, a.username + (a.name ? ' — ' + a.name : '')),
      el('td', { class: 'state' }, a.paused ? 'paused' : a.state),
      el('td', {}, a.pause_code || '—'),
      el('td', { class: 'in-state', 'data-since': since }, CG.seconds((Date.now() - since) / 1000)),
      el('td', { class: 'call' }, call),
      el('td', {}, a.campaign || '—'),
      actions);
  }

  async function act(path, body) {
    try {
      await CG.post(path, body);
      say('');
      load();
    } catch (e) {
      say(e.message);
    }
  }

  function snoop(callID, mode) {
    const phone = document.getElementById('sup-phone').value.trim();
    if (!phone) {
      say('Enter your phone first.');
      document.getElementById('sup-phone').focus();
      return;
    }
    localStorage.setItem('callgate.supervisorPhone', phone);
    act('/calls/' + callID + '/snoop', { endpoint: phone, mode });
  }

  // chart draws offered / answered / abandoned per interval as SVG bars.
  function chart(intervals, minutes) {
    const box = document.getElementById('chart');
    const ns = 'http://www.w3.org/2000/svg';
    const shown = intervals.slice(-48);
    const maxV = Math.max(1, ...shown.map((i) => i.offered));
    const w = Math.max(300, shown.length * 14), h = 120;
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + (h + 20));
    svg.setAttribute('width', '100%');
    svg.setAttribute('height', h + 20);
    shown.forEach((iv, i) => {
      const x = i * 14;
      const bar = (v, cls, dx) => {
        const r = document.createElementNS(ns, 'rect');
        const bh = (v / maxV) * h;
        r.setAttribute('x', x + dx); r.setAttribute('y', h - bh); r.setAttribute('width', 4); r.setAttribute('height', bh);
        r.setAttribute('class', cls);
        const t = document.createElementNS(ns, 'title');
        t.textContent = new Date(iv.start).toLocaleTimeString() + ' ' + cls + ' ' + v;
        r.append(t);
        svg.append(r);
      };
      bar(iv.offered, 'offered', 0); bar(iv.answered, 'answered', 4); bar(iv.abandoned, 'abandoned', 8);
    });
    const total = intervals.reduce((s, i) => s + i.offered, 0);
    box.setAttribute('aria-label', 'Calls per ' + minutes + ' minutes today: ' + total + ' offered');
    box.dataset.offered = total;
    box.replaceChildren(svg);
  }

  function tick() {
    for (const td of document.querySelectorAll('td.in-state')) {
      td.textContent = CG.seconds((Date.now() - Number(td.dataset.since)) / 1000);
    }
  }

  async function start() {
    document.getElementById('sup-phone').value = localStorage.getItem('callgate.supervisorPhone') || '';
    try { pauseCodes = await CG.get('/pausecodes'); } catch (e) { pauseCodes = []; }
    await load();
    const live = document.getElementById('live');
    CG.stream(() => refresh(), (st) => {
      live.textContent = st;
      if (st === 'live') refresh(); // events missed while away
    });
    setInterval(tick, 1000);
  }
  start();
})();
