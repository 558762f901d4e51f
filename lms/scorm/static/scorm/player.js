/* Tamkeen SCORM player: launches SCOs, gives them the API (1.2 ``API``, 2004 ``API_1484_11``), journals
 * every call that changes data into numbered batches, keeps the batches in localStorage until the server
 * acknowledges them (resent in order when the network returns, by beacon when the page goes away), and
 * follows the navigation the server (sequencing engine or flow) allows. */
(function () {
  'use strict';
  var S = window.TamkeenScorm;
  var config = JSON.parse(document.getElementById('scorm-config').textContent);
  var labels = JSON.parse(document.getElementById('scorm-status-labels').textContent);
  var is12 = config.edition === '1.2';
  var QUEUE_KEY = 'tamkeen-scorm-queue-' + config.attempt;
  var SEQ_KEY = 'tamkeen-scorm-seq-' + config.attempt;
  var frame = document.getElementById('scorm-frame');
  var statusEl = document.getElementById('scorm-save-status');
  var messageEl = document.getElementById('scorm-message');
  var root = document.getElementById('scorm-player');

  var runtime = null;        // ScoRuntime of the SCO on screen
  var currentItem = null;
  var pending = [];          // calls not yet in a batch
  var sending = false;
  var unloading = false;
  var retryTimer = null;
  var navBusy = false;
  var contentWindow = null;  // display "window"
  var navState = config.nav;

  // --- the queue ---------------------------------------------------------------------------------------
  function readQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || '[]'); } catch (e) { return []; }
  }
  function writeQueue(queue) {
    try { localStorage.setItem(QUEUE_KEY, JSON.stringify(queue)); } catch (e) { /* full: kept in memory */ }
    memoryQueue = queue;
  }
  var memoryQueue = readQueue();
  function queue() { var q = readQueue(); return q.length || !memoryQueue.length ? q : memoryQueue; }
  var lastSeq = Math.max(config.lastSeq || 0, parseInt(localStorage.getItem(SEQ_KEY) || '0', 10) || 0,
                         memoryQueue.reduce(function (m, b) { return Math.max(m, b.seq); }, 0));

  function setStatus(text) { statusEl.textContent = text || ''; }

  var BATCH_BYTES = 48000;  // beacons and keepalive requests carry at most 64 kB
  function flushPending() {
    if (!pending.length || !currentItem) return;
    var q = queue(), batch = null, size = 0;
    pending.forEach(function (call) {
      var callSize = JSON.stringify(call).length;
      if (!batch || (size + callSize > BATCH_BYTES && batch.calls.length)) {
        // Another tab on the same attempt may have used numbers: continue after the highest one seen.
        lastSeq = Math.max(lastSeq, parseInt(localStorage.getItem(SEQ_KEY) || '0', 10) || 0) + 1;
        try { localStorage.setItem(SEQ_KEY, String(lastSeq)); } catch (e) { /* ignore */ }
        batch = { seq: lastSeq, item: currentItem, calls: [], token: config.token };
        q.push(batch);
        size = 0;
      }
      batch.calls.push(call);
      size += callSize;
    });
    pending = [];
    writeQueue(q);
  }

  function send() {
    if (sending) return Promise.resolve(false);
    var q = queue();
    if (!q.length) { setStatus(config.messages.saved); return Promise.resolve(true); }
    sending = true;
    setStatus(config.messages.saving);
    var batch = q[0];
    return fetch(config.urls.commit, {
      method: 'POST', credentials: 'same-origin', keepalive: JSON.stringify(batch).length < 60000,
      headers: { 'Content-Type': 'application/json', 'X-Scorm-Token': config.token },
      body: JSON.stringify(batch)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        sending = false;
        if (response.ok && !response.redirected) {
          dropThrough(batch.seq);
          return send();
        }
        if (response.status === 409 && body.conflict && body.expected) {
          // The number was taken by other calls: renumber what we hold from the one expected.
          var held = queue(), n = body.expected;
          held.forEach(function (b) { b.seq = n++; });
          lastSeq = Math.max(lastSeq, n - 1);
          try { localStorage.setItem(SEQ_KEY, String(lastSeq)); } catch (e) { /* ignore */ }
          writeQueue(held);
          return send();
        }
        if (response.status === 409 && body.expected) {
          // Everything before ``expected`` is on the server already.
          dropThrough(body.expected - 1);
          var rest = queue();
          if (rest.length && rest[0].seq > body.expected) {
            // A batch is missing (storage cleared): renumber what we hold so nothing more is refused.
            var next = body.expected;
            rest.forEach(function (b) { b.seq = next++; });
            lastSeq = next - 1;
            writeQueue(rest);
          }
          return send();
        }
        if (response.redirected || response.status === 401 || response.status === 403) {
          // Signed out (or another learner signed in): keep everything for the next visit.
          setStatus(config.messages.signed_out);
          return false;
        }
        if (response.status >= 400 && response.status < 500) {
          dropThrough(batch.seq);  // refused for good (attempt reset, unreadable): do not loop
          return send();
        }
        throw new Error('server error ' + response.status);
      });
    }).catch(function () {
      sending = false;
      setStatus(config.messages.offline);
      scheduleRetry();
      return false;
    });
  }
  function dropThrough(seq) { writeQueue(queue().filter(function (b) { return b.seq > seq; })); }
  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; send(); }, 3000);
  }
  function drain() {
    // Resolves once every batch is on the server (waits through offline periods).
    return new Promise(function (resolve) {
      (function attempt() {
        send().then(function () {
          if (!queue().length) resolve(); else setTimeout(attempt, 1000);
        });
      })();
    });
  }
  function beaconAll() {
    flushPending();
    queue().forEach(function (batch) {
      var body = JSON.stringify(batch);
      var sent = false;
      if (navigator.sendBeacon) {
        try { sent = navigator.sendBeacon(config.urls.commit, new Blob([body], { type: 'text/plain' })); } catch (e) { sent = false; }
      }
      if (!sent) {
        try {
          fetch(config.urls.commit, { method: 'POST', keepalive: true, credentials: 'same-origin',
                                      headers: { 'Content-Type': 'text/plain' }, body: body });
        } catch (e) { /* kept in localStorage: sent on the next visit */ }
      }
    });
  }
  window.addEventListener('online', function () { send(); });
  window.addEventListener('pagehide', function () { unloading = true; beaconAll(); });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') beaconAll();
  });
  setInterval(function () { if (pending.length) { flushPending(); send(); } }, 10000);

  // --- the API the SCO finds -----------------------------------------------------------------------------
  var hooks = {
    record: function (kind, element, value) {
      pending.push(kind === 'set' ? ['set', element, value] : [kind]);
      if (pending.length >= 200) { flushPending(); send(); }
      if (unloading) beaconAll();
    },
    committed: function () { flushPending(); send(); },
    terminated: function (rt) {
      flushPending();
      if (unloading) { beaconAll(); return; }
      send();
      // The LMS asked the SCO to leave (a button, the TOC): that navigation goes on, not the SCO's default.
      if (pendingNavigation) return;
      afterTerminate(rt);
    }
  };
  function idleRuntime() {
    var rt = new S.ScoRuntime(config.table, {}, {}, {});
    rt.state = 'not_initialized';
    return rt;
  }
  var api = null;
  function installApi(rt) {
    var real = S.makeApi(rt, hooks);
    if (!api) {
      api = {};
      if (is12) window.API = api; else window.API_1484_11 = api;
    }
    Object.keys(real).forEach(function (k) { api[k] = real[k]; });
  }
  installApi(idleRuntime());

  // --- launching and navigating --------------------------------------------------------------------------
  function post(url, data) {
    data.token = config.token;
    return fetch(url, { method: 'POST', credentials: 'same-origin',
                        headers: { 'Content-Type': 'application/json', 'X-Scorm-Token': config.token },
                        body: JSON.stringify(data) })
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw b; return b; }); });
  }
  function showMessage(text) {
    messageEl.textContent = text || '';
    messageEl.hidden = !text;
  }
  function launch(itemId) {
    return post(config.urls.launch, { item: itemId }).then(function (data) {
      currentItem = data.item;
      runtime = new S.ScoRuntime(config.table, data.values, data.counts,
                                 { nav: data.nav_context, lenient: data.lenient, sharedData: data.shared_data });
      installApi(runtime);
      renderNav(data.nav);
      root.classList.toggle('hide-lms-ui', false);
      applyHide(data.hide || []);
      showMessage('');
      openContent(data.url);
      watchTimeLimit(data.values);
    });
  }
  /* cmi.max_time_allowed with time_limit_action: the LMS shows the message and/or ends the session. */
  var limitTimer = null;
  function seconds(text) {
    var m = /^(\d{2,4}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text || '');
    if (m) return (+m[1]) * 3600 + (+m[2]) * 60 + parseFloat(m[3]);
    m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text || '');
    if (!m || text === 'P') return null;
    var n = m.slice(1).map(function (g) { return g ? parseFloat(g) : 0; });
    return ((n[0] * 365 + n[1] * 30 + n[2]) * 24 + n[3]) * 3600 + n[4] * 60 + n[5];
  }
  function watchTimeLimit(values) {
    if (limitTimer) { clearTimeout(limitTimer); limitTimer = null; }
    var max = seconds(is12 ? values['cmi.student_data.max_time_allowed'] : values['cmi.max_time_allowed']);
    var action = (is12 ? values['cmi.student_data.time_limit_action'] : values['cmi.time_limit_action']) || '';
    if (!max || !action) return;
    var used = seconds(is12 ? values['cmi.core.total_time'] : values['cmi.total_time']) || 0;
    var left = Math.max(0, max - used);
    limitTimer = setTimeout(function () {
      limitTimer = null;
      if (action.indexOf('no message') < 0) showMessage(config.messages.time_up);
      if (action.indexOf('exit') === 0) requestNav('exitAll', null);
    }, Math.min(left, 86400) * 1000);
  }
  function openContent(url) {
    if (config.display === 'window') {
      frame.src = 'about:blank';
      contentWindow = window.open(url, 'tamkeen-scorm-' + config.attempt);
      showMessage(contentWindow ? config.messages.window : config.messages.popup_blocked);
      var btn = document.getElementById('scorm-open-window');
      if (btn) btn.onclick = function () { contentWindow = window.open(url, 'tamkeen-scorm-' + config.attempt); };
    } else {
      frame.src = url;
    }
  }
  function applyHide(hidden) {
    document.querySelectorAll('[data-nav]').forEach(function (button) {
      var request = button.getAttribute('data-nav');
      var hide = hidden.indexOf(request) >= 0 || (request === 'previous' && hidden.indexOf('previous') >= 0) ||
        (request === 'continue' && hidden.indexOf('continue') >= 0);
      button.hidden = hide || (!config.multi && (request === 'previous' || request === 'continue'));
    });
  }
  function statusOf(row) {
    if (row.satisfied === true) return 'passed';
    if (row.satisfied === false) return 'failed';
    if (row.completed === true) return 'completed';
    if (row.completed === false) return 'incomplete';
    return 'none';
  }
  var ICONS = { passed: '✔', completed: '✔', failed: '✖', incomplete: '◐', none: '○' };
  function renderNav(nav) {
    if (!nav) return;
    navState = nav;
    var valid = nav.request_valid || {};
    var prev = document.getElementById('scorm-previous'), next = document.getElementById('scorm-continue');
    prev.disabled = !valid.previous;
    next.disabled = !valid['continue'];
    var list = document.getElementById('scorm-toc-list');
    list.textContent = '';
    (nav.toc || []).forEach(function (row) {
      if (!row.visible) return;
      var li = document.createElement('li');
      li.className = 'scorm-toc-row';
      li.style.setProperty('--depth', row.depth);
      li.setAttribute('data-id', row.id);
      if (row.current) li.setAttribute('aria-current', 'step');
      var status = statusOf(row);
      var icon = document.createElement('span');
      icon.className = 'scorm-toc-status';
      icon.setAttribute('data-status', status);
      icon.setAttribute('role', 'img');
      icon.setAttribute('aria-label', labels[status] || status);
      icon.textContent = ICONS[status];
      li.appendChild(icon);
      if (row.launchable) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'scorm-toc-link link-button';
        b.setAttribute('data-target', row.id);
        b.textContent = row.title;
        b.disabled = !row.enabled;
        b.addEventListener('click', function () { requestNav('choice', row.id); });
        li.appendChild(b);
      } else {
        var span = document.createElement('span');
        span.textContent = row.title;
        li.appendChild(span);
      }
      list.appendChild(li);
    });
  }
  function afterTerminate(rt) {
    var request = is12 ? '_none_' : (rt.values['adl.nav.request'] || '_none_');
    var exit = is12 ? rt.values['cmi.core.exit'] : rt.values['cmi.exit'];
    if (request !== '_none_') {
      var m = /^\{target=([^}]+)\}(choice|jump)$/.exec(request);
      setTimeout(function () { doNav(m ? m[2] : request, m ? m[1] : null); }, 0);
    } else if (!config.multi) {
      setTimeout(function () { doNav(exit === 'suspend' ? 'suspendAll' : 'exitAll', null); }, 0);
    } else if (is12 && exit !== 'suspend' && exit !== 'logout') {
      setTimeout(function () { doNav('continue', null); }, 0);
    } else {
      drain().then(function () { return post(config.urls.nav, { request: '_none_' }); })
        .then(function (r) { renderNav(r.nav); showMessage(config.messages.choose); });
    }
  }
  function unloadSco() {
    // Ask the SCO to finish (its unload handler calls Terminate/LMSFinish), then carry on.
    return new Promise(function (resolve) {
      if (!runtime || runtime.state !== 'running') { resolve(); return; }
      if (contentWindow && !contentWindow.closed) { try { contentWindow.close(); } catch (e) { /* ignore */ } }
      var done = false;
      var finish = function () { if (!done) { done = true; resolve(); } };
      frame.addEventListener('load', finish, { once: true });
      frame.src = 'about:blank';
      setTimeout(finish, 3000);
    });
  }
  function requestNav(request, target) {
    if (navBusy) return;
    if (runtime && runtime.state === 'running') {
      pendingNavigation = [request, target];
      unloadSco().then(function () {
        if (pendingNavigation) { var p = pendingNavigation; pendingNavigation = null; doNav(p[0], p[1]); }
      });
      return;
    }
    doNav(request, target);
  }
  var pendingNavigation = null;
  function doNav(request, target) {
    if (navBusy) return;
    navBusy = true;
    pendingNavigation = null;
    flushPending();
    return drain().then(function () {
      return post(config.urls.nav, { request: request, target: target });
    }).then(function (result) {
      navBusy = false;
      renderNav(result.nav);
      if (result.delivered) return launch(result.delivered);
      if (result.ended) {
        runtime = null;
        installApi(idleRuntime());
        frame.src = 'about:blank';
        if (limitTimer) { clearTimeout(limitTimer); limitTimer = null; }
        if (!(messageEl.textContent === config.messages.time_up && request === 'exitAll')) {
          showMessage(request === 'suspendAll' ? config.messages.suspended : config.messages.ended);
        }
        if (request === 'suspendAll' || request === 'exitAll') {
          root.setAttribute('data-ended', request);
        }
      } else if (!result.valid) {
        showMessage(result.message || config.messages.choose);
      }
    }).catch(function () { navBusy = false; });
  }
  document.querySelectorAll('[data-nav]').forEach(function (button) {
    button.addEventListener('click', function () { requestNav(button.getAttribute('data-nav'), null); });
  });
  var fs = document.getElementById('scorm-fullscreen');
  if (fs) {
    fs.addEventListener('click', function () {
      var stage = document.getElementById('scorm-stage');
      if (stage.requestFullscreen) stage.requestFullscreen().catch(function () { root.classList.add('is-fullscreen'); });
      else root.classList.add('is-fullscreen');
    });
  }

  // Start: what an earlier visit could not send goes first, then the attempt resumes where it stopped.
  window.TamkeenPlayer = { drain: drain, queue: queue, flush: function () { flushPending(); return send(); },
                           state: function () { return { item: currentItem, seq: lastSeq, nav: navState }; } };
  drain().then(function () { doNav('start', null); });
})();
