// Copy buttons for read-only snippets (progressive enhancement: without
// this script, or without the clipboard, the buttons stay hidden and the
// text can be selected and copied by hand). The status line tells screen
// readers that the copy worked.
(function () {
  'use strict';
  if (!navigator.clipboard) { return; }
  var status = document.getElementById('copy-status');
  var buttons = document.querySelectorAll('button[data-copy]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener('click', function (e) {
      var button = e.currentTarget;
      var source = document.getElementById(button.getAttribute('data-copy'));
      navigator.clipboard.writeText(source.value).then(function () {
        if (status) { status.textContent = button.getAttribute('data-done'); }
      });
    });
  }
}());
