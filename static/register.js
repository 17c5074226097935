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
    var fields = row.querySelectorAll('input, select, textarea');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].type !== 'hidden' && fields[i].offsetParent !== null) {
        fields[i].focus();
        return;
      }
    }
  }

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
