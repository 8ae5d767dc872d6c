// Blockferry status page: reads the REST API with the token kept in this tab's sessionStorage and
// redraws every few seconds. Everything is written with textContent (never as HTML), and the
// token is never put into the page.
'use strict';

(() => {
  const TOKEN_KEY = 'blockferry.api.token';
  const REFRESH_MS = 3000;
  const POINTS_MS = 20000;
  const $ = (id) => document.getElementById(id);

  let timer = null;
  let pointsLoadedAt = 0;
  let generations = '';
  const points = new Map();

  class Refused extends Error {}

  async function api(path) {
    const response = await fetch(path, {
      headers: { Authorization: 'Bearer ' + sessionStorage.getItem(TOKEN_KEY) },
      cache: 'no-store',
      credentials: 'omit',
    });
    if (response.status === 401) throw new Refused();
    // 404: no such data (a volume without points), or a part this process does not run
    if (response.status === 404) return null;
    const body = await response.json();
    if (!response.ok) throw new Error(`${path}: ${body.error || 'HTTP ' + response.status}`);
    return body;
  }

  function age(seconds) {
    if (seconds == null) return '-';
    const s = Math.max(0, Math.round(seconds));
    if (s < 120) return `${s}s`;
    if (s < 7200) return `${Math.floor(s / 60)}m`;
    if (s < 172800) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
    return `${Math.floor(s / 86400)}d`;
  }

  // an objective as the policy file writes it: 1h, 15m, 90s
  function objective(seconds) {
    if (seconds % 86400 === 0) return `${seconds / 86400}d`;
    if (seconds % 3600 === 0) return `${seconds / 3600}h`;
    if (seconds % 60 === 0) return `${seconds / 60}m`;
    return `${seconds}s`;
  }

  function mib(bytes) {
    return (bytes / 1048576).toFixed(1);
  }

  function cell(row, text, cls) {
    const td = document.createElement('td');
    td.textContent = text == null ? '-' : String(text);
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  function badge(td, text, cls, title) {
    td.textContent = '';
    const span = document.createElement('span');
    span.className = 'badge ' + cls;
    span.textContent = text;
    if (title) span.title = title;
    td.appendChild(span);
  }

  function fill(tableId, emptyId, items, draw) {
    const body = $(tableId).querySelector('tbody');
    body.textContent = '';
    for (const item of items) draw(body.insertRow(), item);
    $(tableId).hidden = items.length === 0;
    $(emptyId).hidden = items.length > 0;
  }

  function serverOfImage(servers) {
    const byImage = new Map();
    for (const server of (servers && servers.servers) || []) {
      for (const disk of server.disks) byImage.set(disk.imageSpec, server);
    }
    return byImage;
  }

  // the last check's verdict, or what it will say at the next: the RPO has outgrown the objective
  function missed(v, rpo) {
    return !!rpo && (rpo.breached || (v.rpoSeconds != null && v.rpoSeconds > rpo.objectiveSeconds));
  }

  function renderVolumes(volumes, rpoById, missedIds, serversByImage) {
    fill('volumes', 'volumes-empty', volumes, (row, v) => {
      const rpo = rpoById.get(v.volumeId);
      row.dataset.volume = v.volumeId;
      if (missedIds.has(v.volumeId)) row.className = 'breached';
      cell(row, v.volumeId);
      cell(row, (serversByImage.get(v.volumeId) || {}).name);
      cell(row, v.policy || (rpo ? rpo.policy : null));
      cell(row, age(v.rpoSeconds), 'num');
      cell(row, rpo ? objective(rpo.objectiveSeconds) : null, 'num');
      const last = cell(row, v.lastSyncAt ? v.lastSyncAt.replace('T', ' ').slice(0, 19) : 'never');
      if (v.lastSyncAt) last.title = v.lastSyncAt;
      cell(row, v.baseGeneration, 'num');
      const state = cell(row, '');
      if (missedIds.has(v.volumeId)) {
        badge(state, 'RPO missed', 'bad', rpo.breachedSince ? `in breach since ${rpo.breachedSince}`
          : 'older than its objective');
      } else if (v.lastError) {
        badge(state, 'error', 'bad', v.lastError);
      } else if (v.pendingGeneration != null) {
        badge(state, `syncing g${v.pendingGeneration}`, 'busy');
      } else if (v.fullResyncCause) {
        badge(state, `full resync: ${v.fullResyncCause}`, 'busy');
      } else {
        badge(state, 'ok', 'ok');
      }
    });
  }

  function renderServers(servers, volumesById, missedIds) {
    const list = (servers && servers.enabled && servers.servers) || [];
    $('servers-section').hidden = list.length === 0;
    fill('servers', 'servers-empty', list, (row, s) => {
      const disks = s.disks.map((d) => volumesById.get(d.imageSpec)).filter(Boolean);
      const worst = disks.reduce((m, v) => Math.max(m, v.rpoSeconds == null ? 0 : v.rpoSeconds), 0);
      row.dataset.server = s.id;
      if (s.disks.some((d) => missedIds.has(d.imageSpec))) row.className = 'breached';
      cell(row, s.name);
      cell(row, s.disks.map((d) => `${d.device} ${d.imageSpec}`).join(', '));
      cell(row, disks.length ? age(worst) : null, 'num');
      const last = disks.map((v) => v.lastSyncAt).filter(Boolean).sort()[0];
      cell(row, last ? last.replace('T', ' ').slice(0, 19) : 'never');
    });
  }

  function renderRunning(running) {
    const box = $('running');
    box.textContent = '';
    for (const t of running) {
      const row = document.createElement('div');
      row.className = 'sync';
      row.dataset.volume = t.volumeId;
      const what = document.createElement('div');
      what.className = 'what';
      const p = t.progress;
      // the mode of the generation once it streams: a first sync is full whatever was asked
      what.textContent = `${t.volumeId} · ${p ? p.mode : t.mode}${t.policy ? ' · ' + t.policy : ''}`;
      what.title = what.textContent;
      const bar = document.createElement('progress');
      bar.dataset.volume = t.volumeId;
      const numbers = document.createElement('div');
      numbers.className = 'numbers';
      if (p && p.bytesTotal > 0) {
        bar.max = p.bytesTotal;
        bar.value = p.bytesDone;
        numbers.textContent = `${mib(p.bytesDone)} of ${mib(p.bytesTotal)} MiB `
          + `(${Math.floor((100 * p.bytesDone) / p.bytesTotal)}%) · ${p.megabytesPerSecond.toFixed(1)} MB/s · `
          + `ETA ${p.etaSeconds == null ? '-' : age(p.etaSeconds)}`;
      } else {
        numbers.textContent = 'starting (snapshot, listing the changes)';
      }
      row.append(what, bar, numbers);
      box.appendChild(row);
    }
    $('running-empty').hidden = running.length > 0;
  }

  function renderQueue(queued) {
    fill('queued', 'queued-empty', queued, (row, t) => {
      cell(row, t.id, 'num');
      cell(row, t.volumeId);
      cell(row, t.policy);
      cell(row, t.mode);
      cell(row, t.priority, 'num');
      cell(row, age(t.waitedSeconds), 'num');
    });
  }

  function renderEvents(events) {
    fill('events', 'events-empty', events, (row, e) => {
      row.dataset.type = e.type;
      const time = cell(row, new Date(e.timeMillis).toISOString().replace('T', ' ').slice(0, 19));
      time.title = new Date(e.timeMillis).toISOString();
      cell(row, e.severity, 'sev-' + e.severity);
      cell(row, e.type + (e.cause && e.cause !== e.type ? ` (${e.cause})` : ''));
      cell(row, e.volumeId);
      cell(row, e.message);
    });
  }

  function volumePath(volumeId) {
    const slash = volumeId.indexOf('/');
    return encodeURIComponent(volumeId.slice(0, slash)) + '/' + encodeURIComponent(volumeId.slice(slash + 1));
  }

  async function loadPoints(volumes) {
    const answers = await Promise.all(volumes.map((v) => api(`/api/volumes/${volumePath(v.volumeId)}/points`)
      .catch((e) => { if (e instanceof Refused) throw e; return null; })));
    points.clear();
    volumes.forEach((v, i) => { if (answers[i]) points.set(v.volumeId, answers[i]); });
    pointsLoadedAt = Date.now();
  }

  function renderTimelines(missedIds) {
    const box = $('timelines');
    box.textContent = '';
    const now = Date.now();
    let from = now - 60 * 1000;
    for (const list of points.values()) for (const p of list) from = Math.min(from, p.createdAtMillis);
    from -= (now - from) * 0.02;
    for (const [volumeId, list] of points) {
      const row = document.createElement('div');
      row.className = 'timeline' + (missedIds.has(volumeId) ? ' breached' : '');
      row.dataset.volume = volumeId;
      const name = document.createElement('div');
      name.className = 'name';
      name.textContent = volumeId;
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      const count = document.createElement('div');
      count.className = 'count';
      const newest = list[list.length - 1];
      count.textContent = `${list.length} point${list.length === 1 ? '' : 's'}, newest g${newest.generation} `
        + `${age((now - newest.createdAtMillis) / 1000)} ago`;
      row.append(name, svg, count);
      box.appendChild(row);
      Chart.timeline(svg, list, from, now);
    }
    $('points-empty').hidden = points.size > 0;
  }

  function renderCharts(history) {
    const samples = (history && history.samples) || [];
    Chart.lines($('chart-throughput'), samples, [
      { key: 'sentMegabytesPerSecond', cls: 'line-sent' },
      { key: 'writtenMegabytesPerSecond', cls: 'line-written' },
    ], { value: (s, key) => s[key], label: (v) => v.toFixed(v < 10 ? 1 : 0) });
    Chart.lines($('chart-rpo'), samples, [{ key: 'worstRpoSeconds', cls: 'line-rpo' }], {
      value: (s, key) => s[key], label: (v) => age(v), marks: (s) => s.rpoBreached > 0,
    });
  }

  function renderCards(volumes, missedIds, tasks) {
    const breached = missedIds.size;
    $('card-volumes').textContent = volumes.length;
    $('card-breached').textContent = breached;
    $('card-breached-box').className = 'card' + (breached > 0 ? ' bad' : '');
    $('card-running').textContent = tasks.running.length;
    $('card-queued').textContent = tasks.queued.length;
    $('summary').textContent = `${volumes.length} volume${volumes.length === 1 ? '' : 's'}`
      + (breached ? `, ${breached} missed ${breached === 1 ? 'its' : 'their'} RPO` : ', all within their RPO')
      + `, ${tasks.running.length} sync${tasks.running.length === 1 ? '' : 's'} running`;
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const [volumes, rpo, tasks, events, history, servers] = await Promise.all([api('/api/volumes'),
        api('/api/rpo'), api('/api/tasks'), api('/api/events?limit=50'), api('/api/history'), api('/api/servers')]);
      const vols = volumes || [];
      const objectives = rpo || [];
      const queue = tasks || { running: [], queued: [] };
      const rpoById = new Map(objectives.map((r) => [r.volumeId, r]));
      const volumesById = new Map(vols.map((v) => [v.volumeId, v]));
      const missedIds = new Set(vols.filter((v) => missed(v, rpoById.get(v.volumeId))).map((v) => v.volumeId));
      const now = vols.map((v) => `${v.volumeId}:${v.baseGeneration}`).join(',');
      if (now !== generations || Date.now() - pointsLoadedAt > POINTS_MS) {
        await loadPoints(vols);
        generations = now;
      }
      $('login').hidden = true;
      $('status').hidden = false;
      $('sign-out').hidden = false;
      renderCards(vols, missedIds, queue);
      renderVolumes(vols, rpoById, missedIds, serverOfImage(servers));
      renderServers(servers, volumesById, missedIds);
      renderRunning(queue.running);
      renderQueue(queue.queued);
      renderTimelines(missedIds);
      renderCharts(history);
      renderEvents(events || []);
      $('refreshed').textContent = 'Updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
      document.body.dataset.loaded = 'true';
    } catch (error) {
      if (error instanceof Refused) {
        signOut('The token was refused. Enter the token of this Blockferry.');
        return;
      }
      $('refreshed').textContent = 'Update failed: ' + error.message;
    }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  function signOut(message) {
    clearTimeout(timer);
    sessionStorage.removeItem(TOKEN_KEY);
    delete document.body.dataset.loaded;
    $('status').hidden = true;
    $('sign-out').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('token').focus();
  }

  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('token');
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    input.value = '';
    $('login-error').textContent = '';
    refresh();
  });
  $('sign-out').addEventListener('click', () => signOut(''));

  if (sessionStorage.getItem(TOKEN_KEY)) refresh(); else signOut('');
})();
