// Registration list, progressive enhancement only: without this script
// the rows are ticked one by one (or all at once through the "select all
// on this page" link), and the confirmation page says how many. With it,
// the header checkbox ticks every row of the page, and the action bar
// says how many are ticked (a live region, so screen readers hear it).
(function () {
  'use strict';
  var all = document.getElementById('select-page');
  var count = document.getElementById('bulk-count');
  if (!all || !count) { return; }
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#registrations tbody input[name="id"]'));

  function update() {
    var n = boxes.filter(function (b) { return b.checked; }).length;
    count.textContent = n === 0 ? count.dataset.none : count.dataset.some.replace('0', String(n));
    all.checked = n > 0 && n === boxes.length;
    all.indeterminate = n > 0 && n < boxes.length;
  }

  all.hidden = false;
  all.addEventListener('change', function () {
    boxes.forEach(function (b) { b.checked = all.checked; });
    update();
  });
  boxes.forEach(function (b) { b.addEventListener('change', update); });
  update();
}());
