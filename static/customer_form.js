/* The customer form (templates/admin/customer_form.html): the kind of customer decides
   which of its groups show. A group marked data-kinds="company organisation" shows for a
   company and an organisation only; for another kind it is hidden (the `hidden`
   attribute, so screen readers skip it too) and its controls disabled, so that what was
   typed in it stays on the page but is not sent. Switching back brings it back as it was.

   When the page opens, a group of another kind that already holds a value (stored
   before, or sent without this script) stays in sight: the server's message asks to
   empty it, and hiding it would drop the value unseen. A control inside a closed
   <details> that the browser finds invalid opens it, so that the message can be read. */
(function () {
  'use strict';

  var CONTROLS = 'input, select, textarea, button';

  function holdsValue(group) {
    if (group.querySelector('.inline-field-list > *')) { return true; }
    var controls = group.querySelectorAll('input, select, textarea');
    for (var i = 0; i < controls.length; i++) {
      var control = controls[i];
      if (control.type === 'hidden' || control.type === 'button') { continue; }
      if (control.type === 'checkbox' || control.type === 'radio') {
        if (control.checked) { return true; }
      } else if (control.tagName !== 'SELECT' && control.value.trim() !== '') {
        return true;
      }
    }
    return false;
  }

  function show(group, shown) {
    group.hidden = !shown;
    var controls = group.querySelectorAll(CONTROLS);
    for (var i = 0; i < controls.length; i++) {
      controls[i].disabled = !shown;
    }
  }

  function apply(form, kind, opening) {
    var groups = form.querySelectorAll('[data-kinds]');
    for (var i = 0; i < groups.length; i++) {
      var fits = groups[i].getAttribute('data-kinds').split(' ').indexOf(kind) !== -1;
      show(groups[i], fits || (opening && holdsValue(groups[i])));
    }
  }

  function start(form) {
    var kind = form.querySelector('select[name="kind"]');
    if (!kind) { return; }
    var ids = [];
    var groups = form.querySelectorAll('[data-kinds]');
    for (var i = 0; i < groups.length; i++) { ids.push(groups[i].id); }
    kind.setAttribute('aria-controls', ids.join(' '));
    apply(form, kind.value, true);
    kind.addEventListener('change', function () { apply(form, kind.value, false); });
  }

  document.addEventListener('invalid', function (event) {
    var details = event.target.closest ? event.target.closest('details') : null;
    if (details) { details.open = true; }
  }, true);

  var forms = document.querySelectorAll('[data-customer-form]');
  for (var i = 0; i < forms.length; i++) { start(forms[i]); }
})();
