// Check-in page, progressive enhancement only: the page works without it.
// It refreshes the per-workshop counts every 15 seconds while the page is
// visible, so several phones at the door see each other's check-ins.
(function () {
  'use strict';
  var root = document.getElementById('checkin');
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute('data-counts');

  function apply(data) {
    (data.counts || []).forEach(function (c) {
      var row = root.querySelector('tr[data-workshop="' + (c.workshop || '').replace(/"/g, '') + '"]');
      if (!row) { return; }
      row.querySelector('.n-in').textContent = c.checked_in;
      row.querySelector('.n-all').textContent = c.confirmed;
    });
  }

  function refresh() {
    if (document.visibilityState !== 'visible') { return; }
    fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { apply(data); } })
      .catch(function () { /* offline for a moment: keep the last counts */ });
  }

  setInterval(refresh, 15000);
  document.addEventListener('visibilitychange', refresh);
}());
