// Inline SVG drawing for the status page: recovery-point timelines and line charts. No library:
// the page ships as three small files and needs nothing from outside.
'use strict';

const Chart = (() => {
  const NS = 'http://www.w3.org/2000/svg';

  function el(name, attributes, parent) {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  }

  function clear(svg) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
  }

  function size(svg) {
    const box = svg.getBoundingClientRect();
    return { width: Math.max(200, box.width || 600), height: Math.max(20, box.height || 200) };
  }

  function clock(ms) {
    return new Date(ms).toISOString().slice(11, 16);
  }

  // One volume's points between `from` and `to` (ms): full points as squares, incrementals as rings.
  function timeline(svg, points, from, to) {
    clear(svg);
    const { width, height } = size(svg);
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const span = Math.max(1, to - from);
    const x = (t) => 8 + (width - 16) * Math.min(1, Math.max(0, (t - from) / span));
    el('line', { x1: 8, x2: width - 8, y1: height / 2, y2: height / 2, class: 'axis' }, svg);
    for (const p of points) {
      const cx = x(p.createdAtMillis);
      const full = p.mode === 'FULL';
      const mark = full
        ? el('rect', { x: cx - 6, y: height / 2 - 6, width: 12, height: 12, class: 'point point-full' }, svg)
        : el('circle', { cx, cy: height / 2, r: 5, class: 'point point-incremental' }, svg);
      mark.setAttribute('data-generation', p.generation);
      el('title', {}, mark).textContent = `generation ${p.generation} (${p.mode.toLowerCase()}), `
        + `${new Date(p.createdAtMillis).toISOString()}, ${(p.dataBytes / 1048576).toFixed(1)} MiB of data`;
    }
  }

  // A line chart of samples: series = [{key, cls}], value(sample, key) a number or null.
  function lines(svg, samples, series, options) {
    clear(svg);
    const { width, height } = size(svg);
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const left = 52, right = 10, top = 10, bottom = 22;
    if (samples.length < 2) {
      el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'no-data' }, svg)
        .textContent = 'collecting samples...';
      return;
    }
    const t0 = samples[0].atMillis, t1 = samples[samples.length - 1].atMillis;
    let max = 0;
    for (const s of samples) for (const line of series) max = Math.max(max, options.value(s, line.key) || 0);
    max = max > 0 ? max * 1.1 : 1;
    const x = (t) => left + (width - left - right) * (t - t0) / Math.max(1, t1 - t0);
    const y = (v) => top + (height - top - bottom) * (1 - v / max);
    el('line', { x1: left, x2: width - right, y1: height - bottom, y2: height - bottom, class: 'axis' }, svg);
    el('line', { x1: left, x2: left, y1: top, y2: height - bottom, class: 'axis' }, svg);
    for (const fraction of [0, 0.5, 1]) {
      el('text', { x: left - 4, y: y(max * fraction / 1.1) + 4, 'text-anchor': 'end', class: 'axis-text' }, svg)
        .textContent = options.label(max * fraction / 1.1);
    }
    el('text', { x: left, y: height - 6, class: 'axis-text' }, svg).textContent = clock(t0);
    el('text', { x: width - right, y: height - 6, 'text-anchor': 'end', class: 'axis-text' }, svg)
      .textContent = clock(t1) + ' UTC';
    for (const line of series) {
      const d = samples.filter((s) => options.value(s, line.key) != null)
        .map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.atMillis).toFixed(1)},${y(options.value(s, line.key)).toFixed(1)}`)
        .join(' ');
      if (d) el('path', { d, class: line.cls }, svg);
    }
    if (options.marks) {
      for (const s of samples.filter(options.marks)) {
        el('circle', { cx: x(s.atMillis), cy: height - bottom - 4, r: 3, class: 'mark-breached' }, svg);
      }
    }
  }

  return { timeline, lines };
})();
