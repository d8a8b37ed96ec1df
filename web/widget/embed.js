/* fachtag registration widget. Put
 *   <script src="BASE/embed.js" data-event="SLUG" async></script>
 * where an event's registration form should appear: the form comes in an
 * iframe right after the tag, in the language of data-lang or else of the
 * page, and the iframe takes the form's height. An <iframe data-fachtag>
 * written into the page is sized the same way. No cookies, no storage, no
 * other scripts; messages are read only from the fachtag frames. */
(function () {
  'use strict';
  var config = FACHTAG_CONFIG;
  var limit = 100000;

  function language(el) {
    var l = (el.getAttribute('data-lang') || document.documentElement.lang || '').toLowerCase().split('-')[0];
    return Object.prototype.hasOwnProperty.call(config.titles, l) ? l : '';
  }

  function insertFrame(script) {
    var lang = language(script);
    var frame = document.createElement('iframe');
    frame.src = config.base + '/events/' + encodeURIComponent(script.getAttribute('data-event')) + '/embed' +
      (lang ? '?lang=' + lang : '');
    frame.title = script.getAttribute('data-title') || config.titles[lang || config.lang];
    frame.setAttribute('data-fachtag', '');
    frame.style.display = 'block';
    frame.style.width = '100%';
    frame.style.border = '0';
    frame.style.height = '40rem';
    script.parentNode.insertBefore(frame, script.nextSibling);
    return frame;
  }

  function number(v) { return typeof v === 'number' && isFinite(v) && v >= 0 && v <= limit; }

  // A message of a frame: its height, or a place in it to bring into view.
  function valid(d) {
    return d !== null && typeof d === 'object' &&
      (d.type === 'fachtag:height' && number(d.height) || d.type === 'fachtag:scroll' && number(d.offset));
  }

  function watch(frame) {
    frame.setAttribute('data-fachtag-ready', '');
    window.addEventListener('message', function (e) {
      if (e.origin !== config.origin || e.source !== frame.contentWindow || !valid(e.data)) { return; }
      if (e.data.type === 'fachtag:height') {
        frame.style.height = Math.ceil(e.data.height) + 'px';
        return;
      }
      var y = frame.getBoundingClientRect().top + e.data.offset;
      if (y < 0 || y > window.innerHeight - 48) { window.scrollBy(0, y - 16); }
    });
    // A frame that loaded before this script ran says its height on request.
    if (frame.contentWindow) { frame.contentWindow.postMessage({ type: 'fachtag:ask' }, config.origin); }
  }

  function setUp() {
    var i, scripts = document.querySelectorAll('script[data-event]:not([data-fachtag-ready])');
    for (i = 0; i < scripts.length; i++) {
      if (scripts[i].src.indexOf(config.base + '/embed.js') === 0 && scripts[i].getAttribute('data-event')) {
        scripts[i].setAttribute('data-fachtag-ready', '');
        watch(insertFrame(scripts[i]));
      }
    }
    var frames = document.querySelectorAll('iframe[data-fachtag]:not([data-fachtag-ready])');
    for (i = 0; i < frames.length; i++) {
      if (frames[i].src.indexOf(config.base + '/') === 0) { watch(frames[i]); }
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', setUp);
  } else {
    setUp();
  }
}());
