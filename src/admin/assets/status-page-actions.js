// Browser script of the status page: the action buttons' POST requests and the admin token they
// need (asked for in a dialog, kept in this tab's sessionStorage only). Inlined before
// status-page.js, which calls createAdminActions once; allowed by its hash in the page's CSP.
'use strict';
/* exported createAdminActions */

/** Returns act(name, action), which runs one admin action with the token and reports it on the page. */
function createAdminActions(page) {
  var TOKEN_KEY = 'otel-circuit-breaker.admin-token';
  var ACTION_LABEL = page.actionLabel;
  var stateLabel = page.stateLabel;
  var showMessage = page.showMessage;
  var $ = function (id) {
    return document.getElementById(id);
  };

  function askToken(name, action) {
    return new Promise(function (resolve) {
      var dialog = $('token-dialog');
      var input = $('token-input');
      $('token-what').textContent = ACTION_LABEL[action] + ' "' + name + '" needs the admin token.';
      input.value = '';
      function done(value) {
        $('token-ok').removeEventListener('click', ok);
        $('token-cancel').removeEventListener('click', cancel);
        input.removeEventListener('keydown', key);
        dialog.removeEventListener('cancel', cancel);
        if (dialog.open) dialog.close();
        resolve(value);
      }
      function ok() {
        done(input.value.trim() || null);
      }
      function cancel() {
        done(null);
      }
      function key(e) {
        if (e.key === 'Enter') {
          e.preventDefault();
          ok();
        }
      }
      $('token-ok').addEventListener('click', ok);
      $('token-cancel').addEventListener('click', cancel);
      input.addEventListener('keydown', key);
      dialog.addEventListener('cancel', cancel);
      dialog.showModal();
      input.focus();
    });
  }

  function act(name, action) {
    var token = sessionStorage.getItem(TOKEN_KEY);
    var ready = token ? Promise.resolve(token) : askToken(name, action);
    ready
      .then(function (t) {
        if (!t) {
          showMessage('', 'Cancelled.');
          return;
        }
        showMessage('', ACTION_LABEL[action] + ' "' + name + '"…');
        return fetch('/circuit-breakers/' + encodeURIComponent(name) + '/' + action, {
          method: 'POST',
          cache: 'no-store',
          headers: { authorization: 'Bearer ' + t },
        }).then(function (r) {
          return r
            .json()
            .catch(function () {
              return {};
            })
            .then(function (body) {
              if (r.ok) {
                sessionStorage.setItem(TOKEN_KEY, t);
                var to = body.status ? stateLabel(body.status.state) : 'done';
                showMessage(
                  'ok',
                  ACTION_LABEL[action] +
                    ' "' +
                    name +
                    '": ' +
                    stateLabel(body.previousState) +
                    ' → ' +
                    to +
                    (body.scope === 'fleet' ? ' (whole fleet)' : ''),
                );
                if (page.streaming()) return; // the stream pushes the change
                page.refresh();
                return;
              }
              if (r.status === 401) sessionStorage.removeItem(TOKEN_KEY);
              var msg =
                body && body.error && body.error.message ? body.error.message : 'HTTP ' + r.status;
              showMessage(
                'error',
                ACTION_LABEL[action] + ' "' + name + '" failed (' + r.status + '): ' + msg,
              );
            });
        });
      })
      .catch(function () {
        showMessage('error', ACTION_LABEL[action] + ' "' + name + '" failed: endpoint unreachable');
      });
  }

  $('forget-token').addEventListener('click', function () {
    sessionStorage.removeItem(TOKEN_KEY);
    showMessage('', 'Token forgotten for this tab.');
  });

  return act;
}
