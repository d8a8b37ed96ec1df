// The embedded registration form, inside an organiser's iframe: tells the
// page around it (embed.js) how tall it is, moves the focus to the error
// summary after a failed submit and, from there, to the field a summary
// link names, and asks the page to bring that place into view. Only
// heights and offsets go out, nothing typed; any parent may read them, and
// only the event's allowed websites can frame this page at all.
(function () {
  'use strict';
  var summary = document.getElementById('error-summary');
  var top = summary || document.querySelector('[data-embed-top]');
  if (summary) { summary.focus(); }
  if (window.parent === window) { return; }
  var last = 0;

  function send(msg) { window.parent.postMessage(msg, '*'); }

  function height(force) {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h !== last || force) {
      last = h;
      send({ type: 'fachtag:height', height: h });
    }
  }

  function offset(el) { return Math.max(0, Math.round(el.getBoundingClientRect().top + window.scrollY)); }

  if (summary) {
    summary.addEventListener('click', function (e) {
      var a = e.target.closest('a[href^="#"]');
      var target = a && document.getElementById(a.getAttribute('href').slice(1));
      if (!target) { return; }
      var field = target.matches('input, select, textarea') ? target : target.querySelector('input, select, textarea');
      if (!field) { return; }
      e.preventDefault();
      field.focus();
      send({ type: 'fachtag:scroll', offset: offset(target) });
    });
  }
  if (window.ResizeObserver) {
    new ResizeObserver(function () { height(false); }).observe(document.documentElement);
  }
  window.addEventListener('resize', function () { height(false); });
  window.addEventListener('load', function () {
    height(true);
    if (top) { send({ type: 'fachtag:scroll', offset: offset(top) }); }
  });
  window.addEventListener('message', function (e) {
    if (e.source === window.parent && e.data && e.data.type === 'fachtag:ask') { height(true); }
  });
  height(true);
}());
