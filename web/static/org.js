// Organiser frame, progressive enhancement only: without this script the
// event menu is simply always open. On a narrow screen it folds the menu
// behind its button (aria-expanded tells screen readers the state); Escape
// closes it again and returns focus to the button.
(function () {
  'use strict';
  var button = document.querySelector('.org-menu-toggle');
  if (!button || !window.matchMedia) { return; }
  var list = document.getElementById(button.getAttribute('aria-controls'));
  var narrow = window.matchMedia('(max-width: 60rem)');

  function setOpen(open) {
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    list.hidden = !open;
  }

  function layout() {
    button.hidden = !narrow.matches;
    setOpen(!narrow.matches);
  }

  button.addEventListener('click', function () {
    setOpen(button.getAttribute('aria-expanded') !== 'true');
  });
  list.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && narrow.matches) {
      setOpen(false);
      button.focus();
    }
  });
  if (narrow.addEventListener) { narrow.addEventListener('change', layout); }
  layout();
}());
