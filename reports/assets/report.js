(function(){
'use strict';
var data = JSON.parse(document.getElementById('racecheck-data').textContent);
var ops = data.ops, LABEL_W = 96, ROW_H = 30, PAD_R = 40;
var byId = {}; ops.forEach(function(o){ byId[o.id] = o; });
var violating = {}; data.violation_ops.forEach(function(id){ violating[id] = true; });
var linOrder = {}; (data.lin ? data.lin.prefix : []).forEach(function(id, i){ linOrder[id] = i + 1; });
var root = document.getElementById('timeline'), inner = document.getElementById('tl-inner');
var tip = document.getElementById('tip'), details = document.getElementById('details');
var span = Math.max(1, data.end);
var scale = 1;  // px per time unit
var bars = {}, selected = null;

function fmt(t){
  if (!data.clock) return 'event ' + Math.round(t);
  var a = Math.abs(t);
  if (a < 1e3) return t.toFixed(0) + ' ns';
  if (a < 1e6) return (t/1e3).toFixed(a < 1e4 ? 2 : 1) + ' \u00b5s';
  if (a < 1e9) return (t/1e6).toFixed(a < 1e7 ? 2 : 1) + ' ms';
  return (t/1e9).toFixed(2) + ' s';
}
function el(tag, cls, text){ var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
function scalars(v){
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object') return String(v);
  var parts = []; Object.keys(v).slice(0, 3).forEach(function(k){ var x = v[k]; if (x === null || typeof x !== 'object') parts.push(String(x)); });
  return parts.join(' ');
}
function result(o){
  if (o.o === 'ok') {
    var parts = [];
    if (o.out && typeof o.out === 'object' && !Array.isArray(o.out)) Object.keys(o.out).forEach(function(k){
      if (!o.in || typeof o.in !== 'object' || JSON.stringify(o.in[k]) !== JSON.stringify(o.out[k])) parts.push(k + '=' + (typeof o.out[k] === 'object' ? JSON.stringify(o.out[k]) : o.out[k]));
    });
    return parts.length ? parts.join(' ') : 'ok';
  }
  if (o.o === 'fail') return o.err || ('fail ' + (o.status || ''));
  return o.err || '?';
}
function label(o){ var a = scalars(o.in); return o.f + (a ? ' ' + a : '') + ' \u2192 ' + result(o); }
function pretty(v){ if (v === null || v === undefined) return '(none)'; try { return JSON.stringify(v, null, 2); } catch (e) { return String(v); } }

// "client 3", or "setup" / "final read" for the trial's own requests.
function processLabel(p) { return (data.labels && data.labels[p]) || ('client ' + p); }
// Lanes: one per client; ops that overlap inside a client (should not happen) get extra rows.
var lanes = [], laneOf = {};
data.processes.forEach(function(p, i){ lanes.push({p: p, rows: []}); laneOf[p] = i; });
ops.forEach(function(o){
  var lane = lanes[laneOf[o.p]], end = o.end, r = 0;
  while (r < lane.rows.length && lane.rows[r] > o.call) r++;
  lane.rows[r] = end;
  o.row = r;
});
// An info op's dotted tail (it may still take effect) runs until its client's next request.
var lastOfLane = {};
ops.slice().sort(function(a, b){ return a.call - b.call; }).forEach(function(o){
  var prev = lastOfLane[o.p]; if (prev && prev.ret === null) prev.tailEnd = o.call; lastOfLane[o.p] = o;
});
var laneTop = [], y = 26;
lanes.forEach(function(l, i){ laneTop[i] = y; y += Math.max(1, l.rows.length) * ROW_H + 12; });
var totalH = y;

var axis = el('div', 'axis'); inner.appendChild(axis);
var burst = null;
if (data.burst) { burst = el('div', 'burst-band'); burst.title = 'burst arrival spread ' + fmt(data.burst.spread); inner.appendChild(burst); }
lanes.forEach(function(l, i){
  var lane = el('div', 'lane'); lane.style.position = 'absolute'; lane.style.left = '0'; lane.style.right = '0';
  lane.style.top = laneTop[i] + 'px'; lane.style.height = (Math.max(1, l.rows.length) * ROW_H + 12) + 'px';
  var lab = el('div', 'lane-label', processLabel(l.p)); lab.style.position = 'sticky'; lane.appendChild(lab);
  inner.appendChild(lane);
});
var svgNS = 'http://www.w3.org/2000/svg';
var svg = document.createElementNS(svgNS, 'svg'); svg.setAttribute('class', 'links'); inner.appendChild(svg);
var defs = document.createElementNS(svgNS, 'defs');
[['retry', '#2f6fde'], ['dup', '#8a4fd6']].forEach(function(m){
  var mk = document.createElementNS(svgNS, 'marker');
  mk.setAttribute('id', 'arrow-' + m[0]); mk.setAttribute('viewBox', '0 0 10 10'); mk.setAttribute('refX', '9'); mk.setAttribute('refY', '5');
  mk.setAttribute('markerWidth', '7'); mk.setAttribute('markerHeight', '7'); mk.setAttribute('orient', 'auto-start-reverse');
  var p = document.createElementNS(svgNS, 'path'); p.setAttribute('d', 'M0,0 L10,5 L0,10 z'); p.setAttribute('fill', m[1]);
  mk.appendChild(p); defs.appendChild(mk);
});
svg.appendChild(defs);

ops.forEach(function(o){
  var b = el('div', 'bar ' + o.o, label(o));
  b.setAttribute('data-op', String(o.id));
  if (violating[o.id]) b.className += ' violating';
  b.addEventListener('mouseenter', function(ev){ showTip(o, ev); });
  b.addEventListener('mousemove', moveTip);
  b.addEventListener('mouseleave', function(){ tip.style.display = 'none'; });
  b.addEventListener('click', function(){ select(o.id, false); });
  inner.appendChild(b);
  var rec = {el: b};
  if (o.ret === null) { rec.tail = el('div', 'tail'); inner.appendChild(rec.tail); }
  if (o.sent !== null) { rec.sent = el('div', 'sent'); b.appendChild(rec.sent); }
  // A multi-request op: a tick where each later request was sent.
  rec.steps = [];
  (o.steps || []).forEach(function(s, i){ if (i > 0 && s.sent_ns !== null) { var t = el('div', 'step'); t.title = s.method + ' ' + s.path; b.appendChild(t); rec.steps.push({el: t, at: s.sent_ns}); } });
  if (linOrder[o.id]) { rec.lin = el('div', 'lin', 'L' + linOrder[o.id]); inner.appendChild(rec.lin); }
  if (data.lin && data.lin.unplaceable === o.id) { rec.lin = el('div', 'lin bad', '\u2717 cannot be placed'); inner.appendChild(rec.lin); }
  bars[o.id] = rec;
});

// Links between requests that share an idempotency key, in invoke order: a retry
// (same client, next attempt) or a duplicate (another client, same key).
var links = [], byKey = {};
ops.forEach(function(o){ if (o.key) (byKey[o.key] = byKey[o.key] || []).push(o); });
Object.keys(byKey).forEach(function(k){
  var group = byKey[k].slice().sort(function(a, b){ return a.call - b.call; });
  for (var i = 1; i < group.length; i++) {
    var prev = group[i-1], cur = group[i];
    var kind = (prev.p === cur.p) ? 'retry' : 'dup';
    var path = document.createElementNS(svgNS, 'path');
    path.setAttribute('fill', 'none'); path.setAttribute('stroke-width', '2');
    path.setAttribute('stroke', kind === 'retry' ? '#2f6fde' : '#8a4fd6');
    if (kind === 'dup') path.setAttribute('stroke-dasharray', '5 4');
    path.setAttribute('marker-end', 'url(#arrow-' + kind + ')');
    var t = document.createElementNS(svgNS, 'title'); t.textContent = (kind === 'retry' ? 'retry' : 'duplicate key') + ' ' + k; path.appendChild(t);
    svg.appendChild(path);
    links.push({from: prev, to: cur, path: path, kind: kind});
  }
});

function x(t){ return LABEL_W + t * scale; }
function yOf(o){ return laneTop[laneOf[o.p]] + 9 + o.row * ROW_H; }
function layout(){
  var width = LABEL_W + span * scale + PAD_R;
  inner.style.width = width + 'px'; inner.style.height = totalH + 'px';
  svg.setAttribute('width', width); svg.setAttribute('height', totalH);
  ops.forEach(function(o){
    var r = bars[o.id], left = x(o.call), w = Math.max(3, (o.end - o.call) * scale);
    r.el.style.left = left + 'px'; r.el.style.top = yOf(o) + 'px'; r.el.style.width = w + 'px';
    if (r.tail) { r.tail.style.left = (left + w) + 'px'; r.tail.style.top = (yOf(o) + 11) + 'px'; r.tail.style.width = Math.max(0, x(o.tailEnd !== undefined ? o.tailEnd : span) - left - w) + 'px'; }
    if (r.sent) r.sent.style.left = Math.min(w - 2, Math.max(0, (o.sent - o.call) * scale)) + 'px';
    r.steps.forEach(function(s){ s.el.style.left = Math.min(w - 2, Math.max(0, (s.at - o.call) * scale)) + 'px'; });
    if (r.lin) { r.lin.style.left = (left + 2) + 'px'; r.lin.style.top = (yOf(o) - 8) + 'px'; }
  });
  links.forEach(function(l){
    var x1 = x(l.from.end), y1 = yOf(l.from) + 11, x2 = x(l.to.call), y2 = yOf(l.to) + 11;
    var d;
    if (l.kind === 'retry') d = 'M' + x1 + ',' + (y1 + 9) + ' C' + (x1 + 14) + ',' + (y1 + 20) + ' ' + (x2 - 14) + ',' + (y2 + 20) + ' ' + x2 + ',' + (y2 + 9);
    else {
      // Duplicates are concurrent: link the two invokes (the moments both were in flight).
      x1 = x(l.from.call) + 2; x2 = x(l.to.call) + 2;
      var down = y2 > y1, ya = y1 + (down ? 11 : -11), yb = y2 + (down ? -11 : 11);
      d = 'M' + x1 + ',' + ya + ' C' + (x1 - 22) + ',' + (ya + yb) / 2 + ' ' + (x2 - 22) + ',' + (ya + yb) / 2 + ' ' + x2 + ',' + yb;
    }
    l.path.setAttribute('d', d);
  });
  if (burst) { burst.style.left = x(data.burst.start) + 'px'; burst.style.width = Math.max(2, data.burst.spread * scale) + 'px'; burst.style.height = (totalH - 26) + 'px'; }
  drawAxis();
}
function drawAxis(){
  while (axis.firstChild) axis.removeChild(axis.firstChild);
  var target = 110 / scale, step = Math.pow(10, Math.floor(Math.log10(Math.max(target, 1e-9))));
  [1, 2, 5, 10].some(function(m){ if (step * m >= target) { step *= m; return true; } return false; });
  for (var t = 0, n = 0; t <= span && n < 5000; t += step, n++) {
    var tk = el('div', 'tick', fmt(t)); tk.style.left = x(t) + 'px'; axis.appendChild(tk);
  }
  if (data.burst) {
    var bl = el('div', 'burst-label', 'burst arrival spread ' + fmt(data.burst.spread));
    bl.style.left = x(data.burst.start) + 'px'; axis.appendChild(bl);
  }
}
function fit(a, b){
  var w = Math.max(200, root.clientWidth - LABEL_W - PAD_R);
  scale = w / Math.max(1, b - a);
  layout();
  root.scrollLeft = Math.max(0, x(a) - LABEL_W);
}
function zoom(f){
  var centre = (root.scrollLeft + root.clientWidth / 2 - LABEL_W) / scale;
  scale *= f; layout();
  root.scrollLeft = Math.max(0, x(centre) - root.clientWidth / 2);
}
function showTip(o, ev){
  var lines = ['#' + o.id + '  ' + processLabel(o.p) + '  ' + label(o),
    'outcome ' + o.o + (o.status ? '  HTTP ' + o.status : '') + (o.err ? '  (' + o.err + ')' : ''),
    'key ' + (o.key || '(none)') + '  attempt ' + o.att + '  instance ' + o.inst,
    'invoke ' + fmt(o.call) + '  ' + (o.ret === null ? 'no completion: may take effect any time later' : 'completed ' + fmt(o.ret) + '  took ' + fmt(o.ret - o.call))];
  if (violating[o.id]) lines.push('involved in the violation');
  tip.textContent = lines.join('\n'); tip.style.display = 'block'; moveTip(ev);
}
function moveTip(ev){
  var tx = ev.clientX + 14, ty = ev.clientY + 14;
  if (tx + 470 > window.innerWidth) tx = Math.max(4, ev.clientX - 474);
  tip.style.left = tx + 'px'; tip.style.top = ty + 'px';
}
function field(dl, name, value){ dl.appendChild(el('dt', null, name)); dl.appendChild(el('dd', null, value)); }
function select(id, scroll){
  var o = byId[id]; if (!o) return;
  if (selected !== null && bars[selected]) bars[selected].el.classList.remove('selected');
  selected = id; bars[id].el.classList.add('selected');
  while (details.firstChild) details.removeChild(details.firstChild);
  details.appendChild(el('h3', null, 'Request #' + o.id + ' \u2014 ' + processLabel(o.p) + ': ' + label(o)));
  var dl = el('dl');
  field(dl, 'operation', o.f); field(dl, 'outcome', o.o); field(dl, 'HTTP status', o.status ? String(o.status) : '(none)');
  field(dl, 'error', o.err || '(none)'); field(dl, 'idempotency key', o.key || '(none)'); field(dl, 'attempt', String(o.att));
  field(dl, 'instance', String(o.inst)); field(dl, 'invoked at', fmt(o.call));
  field(dl, 'completed at', o.ret === null ? 'never (indeterminate)' : fmt(o.ret));
  field(dl, 'duration', o.ret === null ? '-' : fmt(o.ret - o.call)); field(dl, 'last byte sent', o.sent === null ? 'unknown' : fmt(o.sent));
  field(dl, 'linearization', linOrder[o.id] ? 'step ' + linOrder[o.id] : (data.lin && data.lin.unplaceable === o.id ? 'cannot be placed' : '-'));
  details.appendChild(dl);
  if (o.steps && o.steps.length) {
    details.appendChild(el('b', null, 'Steps (' + o.steps.length + ' requests)'));
    var ol = el('ol', 'steps');
    o.steps.forEach(function(s){
      ol.appendChild(el('li', null, (s.round > 1 ? 'round ' + s.round + ': ' : '') + s.method + ' ' + s.path + ' \u2192 ' +
        (s.status ? 'HTTP ' + s.status : (s.error || 'no response')) +
        (s.sent_ns !== null ? ', sent ' + fmt(s.sent_ns) : '') + (s.done_ns !== null ? ', done ' + fmt(s.done_ns) : '')));
    });
    details.appendChild(ol);
  }
  var pl = el('div', 'payloads'), req = el('div'), res = el('div');
  req.appendChild(el('b', null, 'Request (arguments)')); req.appendChild(el('pre', null, pretty(o.in)));
  res.appendChild(el('b', null, 'Response' + (o.status ? ' (HTTP ' + o.status + ')' : '') +
    (o.cut ? ' \u2014 cut: only its first max_body_bytes were kept' : '')));
  res.appendChild(el('pre', null, o.body !== '' ? o.body : '(no body)'));
  res.appendChild(el('b', null, 'Extracted result')); res.appendChild(el('pre', null, pretty(o.out)));
  pl.appendChild(req); pl.appendChild(res); details.appendChild(pl);
  if (scroll) {
    var r = bars[id].el;
    root.scrollLeft = Math.max(0, parseFloat(r.style.left) - root.clientWidth / 3);
    root.scrollTop = Math.max(0, parseFloat(r.style.top) - 60);
    root.scrollIntoView({block: 'nearest'});
  }
}
document.querySelectorAll('[data-goto-op]').forEach(function(a){
  a.addEventListener('click', function(){ select(parseInt(a.getAttribute('data-goto-op'), 10), true); });
});
document.getElementById('btn-window').addEventListener('click', function(){ fit(data.window.start, data.window.end); });
document.getElementById('btn-all').addEventListener('click', function(){ fit(0, span); });
document.getElementById('btn-in').addEventListener('click', function(){ zoom(2); });
document.getElementById('btn-out').addEventListener('click', function(){ zoom(0.5); });
document.querySelectorAll('button.copy').forEach(function(b){
  b.addEventListener('click', function(){
    var text = document.getElementById(b.getAttribute('data-copy')).textContent;
    var done = function(){ b.textContent = 'copied'; setTimeout(function(){ b.textContent = 'copy'; }, 1200); };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, function(){ b.textContent = 'select and copy'; });
  });
});
document.getElementById('tl-count').textContent = ops.length + ' requests, ' +
  lanes.filter(function(l){ return l.p >= 0; }).length + ' clients';
fit(data.window.start, data.window.end);
// The failing window first: scroll the lanes to the first client involved.
var firstBad = ops.filter(function(o){ return violating[o.id]; }).sort(function(a, b){ return laneOf[a.p] - laneOf[b.p]; })[0];
if (firstBad) { root.scrollTop = Math.max(0, laneTop[laneOf[firstBad.p]] - 40); select(firstBad.id, false); }
else if (ops.length) select(ops[0].id, false);
})();
