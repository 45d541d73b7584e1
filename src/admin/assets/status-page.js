// Browser script of the status page: the table of breakers, kept current from /events (or by
// polling /circuit-breakers). Inlined into the page by src/admin/status-page.ts after
// status-page-actions.js, and allowed by its hash in the page's Content-Security-Policy. Plain
// ES2020 run as a classic script, no build step: the file served is the file in the package.
// Every breaker-supplied string reaches the DOM through textContent, never as HTML.
/* global createAdminActions */
'use strict';
(function () {
  var POLL_MS = 2000;
  var STATE_LABEL = {
    closed: 'closed',
    open: 'open',
    half_open: 'half-open',
    forced_open: 'forced open',
    disabled: 'disabled',
  };
  var ACTION_LABEL = { reset: 'Reset', open: 'Open', disable: 'Disable', enable: 'Enable' };
  var $ = function (id) {
    return document.getElementById(id);
  };
  var tbody = $('rows');
  var rows = new Map();
  var lastOrder = '';
  var pollTimer = null;
  var source = null;
  var lastUpdate = 0;
  var filterText = '';
  var latest = null;

  // The buttons' POST requests and the token they need: status-page-actions.js.
  var act = createAdminActions({
    actionLabel: ACTION_LABEL,
    stateLabel: stateLabel,
    showMessage: showMessage,
    streaming: function () {
      return source !== null && source.readyState === 1;
    },
    refresh: poll,
  });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function pct(x) {
    return typeof x === 'number' ? (x * 100).toFixed(1) + ' %' : '–';
  }
  function num(x) {
    return typeof x === 'number' ? String(x) : '–';
  }
  function stateLabel(s) {
    return STATE_LABEL[s] || String(s);
  }
  function stateClass(s) {
    return STATE_LABEL[s] ? s : 'unknown';
  }

  function setConn(kind, text) {
    var c = $('conn');
    c.className = 'conn ' + kind;
    c.textContent = text;
  }
  function showMessage(kind, text) {
    var m = $('message');
    m.className = kind;
    m.textContent = text;
  }

  function makeRow(name) {
    var tr = el('tr');
    var cells = {};
    ['name', 'state', 'rate', 'slow', 'calls', 'opens', 'recovery', 'err', 'actions'].forEach(
      function (k) {
        var cls =
          k === 'name'
            ? 'name'
            : k === 'err'
              ? 'err'
              : k === 'actions'
                ? 'actions'
                : k === 'state'
                  ? ''
                  : 'num';
        cells[k] = el('td', cls);
        tr.appendChild(cells[k]);
      },
    );
    cells.name.textContent = name;
    cells.badge = el('span', 'state');
    cells.fleet = el('span', 'fleet');
    cells.state.appendChild(cells.badge);
    cells.state.appendChild(cells.fleet);
    var buttons = {};
    ['reset', 'open', 'disable', 'enable'].forEach(function (action) {
      var b = el('button', '', ACTION_LABEL[action]);
      b.type = 'button';
      b.dataset.action = action;
      b.setAttribute('aria-label', ACTION_LABEL[action] + ' ' + name);
      b.addEventListener('click', function () {
        act(name, action);
      });
      buttons[action] = b;
      cells.actions.appendChild(b);
    });
    tr.dataset.name = name;
    return { tr: tr, cells: cells, buttons: buttons, recoveryAt: null, state: '' };
  }

  function updateRow(row, b, fleetOnly) {
    var state = b.state;
    row.state = state;
    row.tr.className = stateClass(state);
    row.tr.dataset.state = state;
    row.cells.badge.className = 'state ' + stateClass(state);
    row.cells.badge.textContent = stateLabel(state);
    var fleet = fleetOnly ? b : b.fleet;
    row.cells.fleet.textContent = fleetOnly
      ? 'fleet only'
      : fleet && fleet.state !== state
        ? 'fleet: ' + stateLabel(fleet.state)
        : '';
    row.cells.rate.textContent = fleetOnly ? '–' : pct(b.failureRate);
    row.cells.slow.textContent = fleetOnly ? '–' : pct(b.slowCallRate);
    row.cells.calls.textContent = fleetOnly ? num(b.callsInWindow) : num(b.callsInWindow);
    row.cells.opens.textContent = fleetOnly ? '–' : num(b.openCount);
    var secs = fleetOnly
      ? typeof b.openRemainingMs === 'number' && state === 'open'
        ? b.openRemainingMs / 1000
        : null
      : b.secondsUntilRecovery;
    row.recoveryAt = typeof secs === 'number' ? Date.now() + secs * 1000 : null;
    row.manual = state === 'forced_open' || state === 'disabled';
    var err =
      !fleetOnly && b.lastError
        ? b.lastError.kind + ': ' + (b.lastError.class || '') + ' ' + (b.lastError.message || '')
        : '';
    row.cells.err.textContent = err;
    row.cells.err.title = err;
    row.buttons.disable.hidden = state === 'disabled';
    row.buttons.enable.hidden = state !== 'disabled';
    row.buttons.open.hidden = state === 'forced_open';
    paintRecovery(row);
  }

  function paintRecovery(row) {
    var text = '–';
    if (row.recoveryAt !== null) {
      var left = Math.max(0, (row.recoveryAt - Date.now()) / 1000);
      text = left > 0 ? left.toFixed(1) + ' s' : 'probing';
    } else if (row.manual) {
      text = 'manual';
    }
    row.cells.recovery.textContent = text;
  }

  function render(snapshot) {
    latest = snapshot;
    lastUpdate = Date.now();
    var all = [];
    snapshot.breakers.forEach(function (b) {
      all.push({ b: b, fleetOnly: false });
    });
    (snapshot.fleetOnly || []).forEach(function (b) {
      all.push({ b: b, fleetOnly: true });
    });
    var seen = new Set();
    var open = 0;
    var shown = [];
    all.forEach(function (item) {
      var name = item.b.name;
      seen.add(name);
      if (item.b.state === 'open' || item.b.state === 'forced_open') open++;
      var row = rows.get(name);
      if (!row) {
        row = makeRow(name);
        rows.set(name, row);
      }
      updateRow(row, item.b, item.fleetOnly);
      if (!filterText || name.toLowerCase().indexOf(filterText) !== -1) shown.push(row);
    });
    rows.forEach(function (row, name) {
      if (!seen.has(name)) {
        row.tr.remove();
        rows.delete(name);
      }
    });
    var order = shown
      .map(function (r) {
        return r.tr.dataset.name;
      })
      .join('\u0000');
    if (order !== lastOrder) {
      // Re-append only when the order changed, so a button being clicked is not moved under the pointer.
      rows.forEach(function (row) {
        if (shown.indexOf(row) === -1) row.tr.remove();
      });
      shown.forEach(function (row) {
        tbody.appendChild(row.tr);
      });
      lastOrder = order;
    }
    $('summary').textContent =
      all.length +
      (all.length === 1 ? ' breaker' : ' breakers') +
      ' · ' +
      open +
      ' open' +
      (snapshot.scope === 'fleet' ? ' · fleet-wide' : '');
    $('empty').hidden = all.length !== 0;
    var fe = $('fleet-error');
    fe.hidden = !snapshot.fleetError;
    fe.textContent = snapshot.fleetError || '';
    $('updated').textContent = 'Updated ' + new Date(snapshot.generatedAt).toLocaleTimeString();
  }

  function poll() {
    fetch('/circuit-breakers', { cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (s) {
        render(s);
        if (!source || source.readyState !== 1) setConn('polling', 'polling');
      })
      .catch(function () {
        setConn('down', 'endpoint unreachable');
      });
  }
  function startPolling() {
    if (pollTimer === null) {
      pollTimer = setInterval(poll, POLL_MS);
      poll();
    }
  }
  function stopPolling() {
    if (pollTimer !== null) {
      clearInterval(pollTimer);
      pollTimer = null;
    }
  }
  function startStream() {
    if (typeof EventSource === 'undefined') {
      startPolling();
      return;
    }
    source = new EventSource('/events');
    source.addEventListener('snapshot', function (e) {
      try {
        render(JSON.parse(e.data));
      } catch {
        return;
      }
      stopPolling();
      setConn('live', 'live');
    });
    source.addEventListener('error', function () {
      // EventSource retries by itself; meanwhile (or if it gave up) poll.
      setConn('polling', 'polling');
      startPolling();
    });
  }

  $('filter').addEventListener('input', function (e) {
    filterText = e.target.value.trim().toLowerCase();
    if (latest) render(latest);
  });
  setInterval(function () {
    rows.forEach(paintRecovery);
    if (lastUpdate && Date.now() - lastUpdate > 5000) setConn('down', 'stale');
  }, 250);
  startStream();
  poll();
})();
