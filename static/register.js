/* The register's page behaviour, bound from data attributes instead of inline handlers,
   so that the Content-Security-Policy can refuse every inline script without a nonce
   (security.py):

   data-confirm="question"  a button or link asks first; "Cancel" stops it
   data-action="name"       runs Flask-Admin's bulk action on the checked rows
   data-inline-add="id"     adds a row to the inline list `id` and focuses its first field
   data-print               prints the page

   Flask-Admin's placeholder links (href="javascript:void(0)") do their work in their own
   handlers; following the href itself is what the policy would refuse, so it is stopped. */
(function () {
  'use strict';

  // The page's scripts run: the drop-downs open by Bootstrap's script, not by the focus
  // (static/register.css, .no-js).
  document.body.classList.remove('no-js');

  function focusFirstField(button) {
    var list = button.parentNode.querySelector('.inline-field-list');
    var rows = list ? list.children : [];
    var row = rows.length ? rows[rows.length - 1] : null;
    if (!row) { return; }
    numberNewRow(row, rows.length);
    var fields = row.querySelectorAll('input, select, textarea');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].type !== 'hidden' && fields[i].offsetParent !== null) {
        fields[i].focus();
        return;
      }
    }
  }

  // A new row is numbered as the stored ones are ("Osoitteet #3 (uusi)"): every new row
  // was "Osoitteet (uusi)", and its remove button's name the same.
  function numberNewRow(row, number) {
    var legend = row.querySelector('.inline-row-legend');
    var named = row.querySelector('.inline-remove-field .sr-only');
    var label = row.closest('.inline-field-group').querySelector('.inline-group-legend');
    if (!legend || !label) { return; }
    var text = label.textContent.trim() + ' #' + number + ' (' + legend.getAttribute('data-new') + ')';
    legend.textContent = text;
    if (named) { named.textContent = ' ' + text; }
  }

  // A row removed from its list (Flask-Admin's form.js removes it after asking): the focus,
  // on the remove button that is gone, goes to the list's "Add" button, not to the page.
  document.addEventListener('click', function (event) {
    var remove = event.target.closest ? event.target.closest('.inline-remove-field') : null;
    if (!remove) { return; }
    var group = remove.closest('.inline-field-group');
    var row = remove.closest('.inline-row');
    window.setTimeout(function () {
      if (group && row && !document.body.contains(row)) {
        var add = group.querySelector('[data-inline-add]');
        if (add) { add.focus(); }
      }
    }, 0);
  }, true);

  document.addEventListener('click', function (event) {
    var target = event.target.closest ? event.target.closest('a, button, input[type=submit]') : null;
    if (!target) { return; }
    var href = target.getAttribute('href');
    if (href && href.trim().toLowerCase().indexOf('javascript:') === 0) {
      event.preventDefault();
    }
    if (target.hasAttribute('data-confirm')) {
      if (!window.confirm(target.getAttribute('data-confirm'))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
      return;
    }
    if (target.hasAttribute('data-action')) {
      event.preventDefault();
      window.modelActions.execute(target.getAttribute('data-action'));
      return;
    }
    if (target.hasAttribute('data-inline-add')) {
      event.preventDefault();
      window.faForm.addInlineField(target, target.getAttribute('data-inline-add'));
      focusFirstField(target);
      return;
    }
    if (target.hasAttribute('data-print')) {
      event.preventDefault();
      window.print();
    }
  }, true);
})();

// The warning before the session ends idle (WCAG 2.2.1; templates/admin/register_base.html):
// shown three minutes before the end (half the idle time of a shorter session), its button
// focused; "go on working" asks the server to start the idle time again. Every page load
// starts it again too, so the timers start with the page.
(function () {
  var box = document.getElementById('session-warning');
  if (!box || !window.fetch) { return; }
  var idle = parseInt(box.getAttribute('data-idle-seconds'), 10) * 1000;
  var warnBefore = Math.min(180000, idle / 2);
  var button = box.querySelector('[data-session-continue]');
  var text = document.getElementById('session-warning-text');
  var timers = [];

  function schedule() {
    timers.forEach(window.clearTimeout);
    timers = [window.setTimeout(warn, idle - warnBefore), window.setTimeout(ended, idle)];
  }
  function warn() {
    box.hidden = false;
    button.focus();
  }
  function ended() {
    timers.forEach(window.clearTimeout);
    text.textContent = box.getAttribute('data-ended');
    button.hidden = true;
    box.hidden = false;
  }
  button.addEventListener('click', function () {
    window.fetch(box.getAttribute('data-keep-alive'), {
      method: 'POST', credentials: 'same-origin', redirect: 'manual',
      headers: {'X-CSRFToken': box.getAttribute('data-csrf')}
    }).then(function (answer) {
      if (answer.status !== 204) { ended(); return; }
      box.hidden = true;
      schedule();
    }, ended);
  });
  schedule();
})();

// A form sent back with errors: the focus goes to their summary, and a link of it opens the
// row list (a <details>) its field is in before moving there.
(function () {
  var summary = document.getElementById('error-summary');
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener('click', function (event) {
    var link = event.target.closest('a[data-error-link]');
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute('href').slice(1));
    if (!field) { return; }
    event.preventDefault();
    for (var node = field.parentElement; node; node = node.parentElement) {
      if (node.tagName === 'DETAILS') { node.open = true; }
    }
    field.focus();
  });
})();

// A message shown after a save or a redirect ("Tallennettu.") is on the page from the start,
// and screen readers announce only what changes in a live region: a hidden live region
// beside it gets its text a moment after the load, so that it is read out. The message
// itself stays as it is (emptied and written again, it moved the page under the pointer).
(function () {
  var messages = document.querySelectorAll('[data-flash]');
  Array.prototype.forEach.call(messages, function (message) {
    var region = document.createElement('div');
    region.className = 'sr-only';
    region.setAttribute('role', message.getAttribute('role'));
    message.removeAttribute('role');
    message.parentNode.insertBefore(region, message.nextSibling);
    window.setTimeout(function () { region.textContent = message.textContent.trim(); }, 250);
  });
})();
