/* A list page's keyboard: "/" moves the focus to the list's search box (its input says so
   with aria-keyshortcuts="/"), unless the user is typing in a field, or holds a modifier.
   Without JavaScript the search box is reached as any other field. */
(function () {
  'use strict';

  function typing(element) {
    if (!element) { return false; }
    var tag = element.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || element.isContentEditable;
  }

  document.addEventListener('keydown', function (event) {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.defaultPrevented || typing(event.target) || typing(document.activeElement)) { return; }
    var search = document.getElementById('list-search');
    if (!search) { return; }
    event.preventDefault();
    search.focus();
    search.select();
  });
})();
