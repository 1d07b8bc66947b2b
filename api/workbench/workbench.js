/*
 * The workbench: the work queues, a visit and its decisions, in the browser. Every read and
 * every action is the API's own route, sent with the session cookie (HttpOnly, set by signing
 * in); what a role may see is decided by the API, so the page shows whatever fields it gets.
 * Views are addressed by the URL's hash (#queues, #queue/<id>, #visit/<id>), so the browser's
 * back button and links work with the keyboard like any page.
 */
(function () {
  'use strict';
  var $ = function (id) {
    return document.getElementById(id);
  };
  var state = { queueItems: {}, payers: new Set(), current: null, temporalUiBase: null };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'className') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  var words = function (s) {
    return String(s || '').replace(/_/g, ' ');
  };
  var money = function (cents) {
    return typeof cents === 'number' ? '$' + (cents / 100).toFixed(2) : '–';
  };
  var when = function (iso) {
    if (!iso) return '–';
    var d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
  };
  var age = function (hours) {
    return hours >= 48 ? Math.floor(hours / 24) + ' days' : hours + ' h';
  };
  /** ICD-10-CM codes as people write them: the dot after the category (M5450 → M54.50). */
  var icd = function (code) {
    return /^[A-Z][0-9][0-9A-Z][0-9A-Z]+$/.test(code) ? code.slice(0, 3) + '.' + code.slice(3) : code;
  };

  function signedOut() {
    $('signed-out').hidden = false;
    $('sign-out').hidden = true;
    ['queues-view', 'queue-view', 'visit-view'].forEach(function (id) {
      $(id).hidden = true;
    });
    var err = new Error('not signed in');
    err.signedOut = true;
    return err;
  }

  /** An API error as the person should read it: a conflict says someone else acted first. */
  function apiError(status, body) {
    var err = new Error((body && body.message) || 'the server answered ' + status);
    err.status = status;
    err.code = body && body.code;
    err.hint = body && body.hint;
    err.issues = body && body.issues;
    return err;
  }

  function call(method, url, body) {
    var init = { method: method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (r) {
      if (r.status === 401) throw signedOut();
      return r
        .json()
        .catch(function () {
          return {};
        })
        .then(function (b) {
          if (!r.ok) throw apiError(r.status, b);
          $('sign-out').hidden = false;
          return b;
        });
    });
  }

  function say(text) {
    $('status').textContent = text;
  }
  function show(view) {
    ['queues-view', 'queue-view', 'visit-view'].forEach(function (id) {
      $(id).hidden = id !== view;
    });
  }
  function done(view) {
    document.body.dataset.view = view;
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
  }
  function failed(err) {
    if (err.signedOut) {
      document.body.dataset.view = 'signed-out';
      return;
    }
    say('Could not load this: ' + err.message);
    document.body.dataset.view = 'error';
  }

  // ---- queues -------------------------------------------------------------------------

  function loadQueues() {
    show('queues-view');
    say('Loading the queues…');
    return call('GET', '/work-queues')
      .then(function (list) {
        var base = list.queues[0] && list.queues[0].temporalUiUrl;
        if (base) state.temporalUiBase = base.replace(/\/workflows\?.*$/, '/workflows/');
        return Promise.all(
          list.queues.map(function (q) {
            return q.count
              ? call('GET', '/work-queues/' + encodeURIComponent(q.id) + '?limit=100').then(function (d) {
                  return d.visits;
                })
              : [];
          }),
        ).then(function (items) {
          var rows = list.queues.map(function (q, i) {
            var v = items[i];
            return {
              q: q,
              late: v.filter(function (x) {
                return x.overdue;
              }).length,
              oldest: v.reduce(function (m, x) {
                return Math.max(m, x.ageHours || 0);
              }, 0),
            };
          });
          // Past SLA first (most late first), then the oldest wait; empty queues last.
          rows.sort(function (a, b) {
            return b.late - a.late || b.oldest - a.oldest || b.q.count - a.q.count;
          });
          var body = document.querySelector('#queues tbody');
          body.textContent = '';
          rows.forEach(function (r) {
            var tr = el('tr', { 'data-queue': r.q.id });
            if (r.late) tr.className = 'late';
            var name = el('td');
            name.appendChild(el('a', { href: '#queue/' + r.q.id }, r.q.title));
            name.appendChild(el('div', { className: 'note' }, r.q.reason));
            tr.appendChild(name);
            tr.appendChild(el('td', { className: 'num count' }, r.q.count));
            tr.appendChild(el('td', { className: 'num' }, r.q.count ? age(r.oldest) : '–'));
            tr.appendChild(el('td', { className: 'num' + (r.late ? ' late-tag' : '') }, r.late));
            tr.appendChild(el('td', { className: 'num' }, age(r.q.slaHours)));
            body.appendChild(tr);
          });
          $('queues').hidden = false;
          $('no-queues').hidden = true;
          say('');
          done('queues');
        });
      })
      .catch(function (err) {
        if (err.status === 403) {
          // Front desk and coders who do not work queues: they open a visit by its id.
          $('queues').hidden = true;
          $('no-queues').hidden = false;
          say('');
          done('queues');
          return;
        }
        failed(err);
      });
  }

  function loadQueue(id) {
    show('queue-view');
    say('Loading the queue…');
    var payer = $('payer').value;
    return call('GET', '/work-queues/' + encodeURIComponent(id) + '?limit=100' + (payer ? '&payerId=' + encodeURIComponent(payer) : ''))
      .then(function (q) {
        $('queue-title').textContent = q.title + ' (' + q.count + ')';
        $('queue-reason').textContent = q.reason + ' — ' + q.action.replace(/ \(.*\)$/, '') + '.';
        q.visits.forEach(function (v) {
          if (v.payerId && !state.payers.has(v.payerId)) {
            state.payers.add(v.payerId);
            $('payer').appendChild(el('option', { value: v.payerId }, v.payerId));
          }
        });
        var visits = q.visits.slice().sort(function (a, b) {
          return Number(b.overdue) - Number(a.overdue) || String(a.awaitingSince).localeCompare(String(b.awaitingSince));
        });
        var body = document.querySelector('#items tbody');
        body.textContent = '';
        if (!visits.length) {
          var tr0 = el('tr');
          var td0 = el('td', { colspan: '5', className: 'note' }, 'Nothing waiting here' + (payer ? ' for this payer' : '') + '.');
          tr0.appendChild(td0);
          body.appendChild(tr0);
        }
        visits.forEach(function (v) {
          var tr = el('tr', { 'data-visit': v.visitId || '' });
          if (v.overdue) tr.className = 'late';
          var first = el('td');
          if (v.visitId) {
            state.queueItems[v.visitId] = v;
            first.appendChild(el('a', { href: '#visit/' + encodeURIComponent(v.visitId) }, v.visitId));
          } else first.textContent = 'A visit (your role sees no id)';
          if (v.overdue) first.appendChild(el('div', { className: 'late-tag' }, 'Past SLA'));
          tr.appendChild(first);
          tr.appendChild(el('td', null, v.payerId || '–'));
          tr.appendChild(el('td', { className: 'num' }, v.serviceDate || '–'));
          tr.appendChild(el('td', { className: 'num' }, age(v.ageHours)));
          tr.appendChild(el('td', { className: 'num' }, when(v.deadline)));
          body.appendChild(tr);
        });
        say('');
        done('queue');
      })
      .catch(failed);
  }

  // ---- one visit ----------------------------------------------------------------------

  function fact(dl, label, value) {
    if (value === undefined || value === null || value === '') return;
    dl.appendChild(el('dt', null, label));
    dl.appendChild(el('dd', null, value));
  }

  function renderFacts(v) {
    var dl = $('facts');
    dl.textContent = '';
    fact(dl, 'Stage', words(v.stage) + (v.outcome ? ' (' + words(v.outcome) + ')' : ''));
    if (v.awaitingAction) fact(dl, 'Waiting for', words(v.awaitingAction));
    if (v.patient)
      fact(dl, 'Patient', [v.patient.firstName, v.patient.lastName].filter(Boolean).join(' ') + (v.patient.birthDate ? ', born ' + v.patient.birthDate : ''));
    if (v.patient && v.patient.patientId) fact(dl, 'Medical record', v.patient.patientId);
    if (v.coverage)
      fact(dl, 'Coverage', [v.coverage.payerName || v.coverage.payerId, v.coverage.memberId ? 'member ' + v.coverage.memberId : ''].filter(Boolean).join(', '));
    if (v.appointment)
      fact(
        dl,
        'Appointment',
        [v.appointment.serviceDate, v.appointment.providerNpi && 'provider NPI ' + v.appointment.providerNpi].filter(Boolean).join(' · '),
      );
    if (v.coding) {
      fact(
        dl,
        'Diagnoses',
        (v.coding.diagnoses || [])
          .map(function (d) {
            return icd(d.code);
          })
          .join(', '),
      );
      fact(
        dl,
        'Procedures',
        (v.coding.procedures || [])
          .map(function (p) {
            return p.code + (p.modifiers && p.modifiers.length ? '-' + p.modifiers.join('-') : '') + (p.units > 1 ? ' ×' + p.units : '');
          })
          .join(', '),
      );
    }
    (v.claims || []).forEach(function (c) {
      var answers = [
        c.status && words(c.status),
        c.acknowledged && 'acknowledged: ' + c.acknowledged,
        c.rejection && 'rejected by ' + c.rejection.kind + ': ' + c.rejection.reason,
        c.denialCodes && c.denialCodes.length && '835 adjustments ' + c.denialCodes.join(', '),
      ]
        .filter(Boolean)
        .join('; ');
      fact(
        dl,
        'Claim ' + (c.attempt || ''),
        [typeof c.billedCents === 'number' && 'billed ' + money(c.billedCents), typeof c.paidCents === 'number' && 'paid ' + money(c.paidCents), answers]
          .filter(Boolean)
          .join(' · '),
      );
    });
    if (v.balance && v.claims)
      fact(
        dl,
        'Balance',
        'billed ' +
          money(v.balance.billedCents) +
          ', paid ' +
          money(v.balance.paidCents) +
          ', adjusted ' +
          money(v.balance.adjustedCents) +
          ', patient ' +
          money(v.balance.patientResponsibilityCents) +
          ', insurance open ' +
          money(v.balance.insuranceBalanceCents),
      );
    if (v.denial) fact(dl, 'Denial', v.denial.code + ' (' + words(v.denial.category) + '): ' + v.denial.note);
    (v.underpaidLines || []).forEach(function (u) {
      fact(dl, 'Underpaid line ' + u.lineNumber, u.code + ': ' + money(u.underpaidCents) + ' below the contracted ' + money(u.contractedCents));
    });
    if (v.closeReason) fact(dl, 'Closed because', v.closeReason);
    if (!v.coding && !v.claims) fact(dl, 'Codes', 'not shown to your role');
  }

  /** The finding in words, with each suggested fix as a button that sends the coder's choice. */
  function renderFindings(v) {
    var box = $('findings');
    box.textContent = '';
    var failure = v.failure;
    if (failure) {
      var f = el('div', { className: 'finding' });
      f.appendChild(
        el('p', null, words(failure.step) + ' failed: ' + (failure.message || words(failure.type)) + (failure.exhausted ? ' (retried until the limit)' : '')),
      );
      box.appendChild(f);
    }
    (v.findings || [])
      .filter(function (x) {
        return x.severity === 'error';
      })
      .forEach(function (finding) {
        var div = el('div', { className: 'finding', 'data-finding': finding.id });
        div.appendChild(el('p', null, finding.message));
        var s = finding.suggestion;
        if (s && s.options && s.options.length) {
          var group = el('div', { role: 'group', 'aria-label': 'Suggested fixes for ' + (s.path || 'this finding') });
          group.appendChild(el('span', { className: 'note' }, 'Accept a fix: '));
          s.options.forEach(function (option) {
            var label = s.field === 'code' && /diagnos/.test(s.path || '') ? icd(option) : option;
            var b = el('button', { type: 'button', className: 'option', 'data-choice': label }, label);
            b.setAttribute('aria-label', 'Use ' + label + ' for ' + (s.path || 'this finding'));
            b.addEventListener('click', function () {
              act('coding/suggestions', { findingId: finding.id, choice: label }, 'Accepted ' + label + '.');
            });
            group.appendChild(b);
          });
          div.appendChild(group);
        }
        box.appendChild(div);
      });
    var warnings = (v.findings || []).filter(function (x) {
      return x.severity !== 'error';
    });
    warnings.forEach(function (w) {
      box.appendChild(el('p', { className: 'finding warning' }, w.message));
    });
    if (!box.childNodes.length) box.appendChild(el('p', { className: 'note' }, v.nextStep || 'Nothing is waiting on a person.'));
  }

  function renderDeadlines(v, fromQueue) {
    var dl = $('deadlines');
    dl.textContent = '';
    if (fromQueue) fact(dl, 'Queue SLA', when(fromQueue.deadline) + (fromQueue.overdue ? ' (past)' : ''));
    fact(dl, 'Timely filing', v.filingDeadline);
    if (v.denial && v.denial.appeal) fact(dl, 'Appeal', v.denial.appeal.deadline);
    (v.escalations || []).forEach(function (e) {
      fact(dl, 'Escalated', words(e.deadline) + ' due ' + e.due);
    });
    if (!dl.childNodes.length) fact(dl, 'Deadline', 'none your role can see');
  }

  function renderHistory(v) {
    var ol = $('history');
    ol.textContent = '';
    (v.history || []).forEach(function (h) {
      var li = el('li', null, words(h.stage) + (h.findings ? ' (' + h.findings + ' findings)' : ''));
      li.appendChild(el('time', { datetime: h.at }, when(h.at)));
      ol.appendChild(li);
    });
  }

  function loadVisit(id, keepResult) {
    show('visit-view');
    say('Loading the visit…');
    if (!keepResult) $('action-result').hidden = true;
    return call('GET', '/visits/' + encodeURIComponent(id))
      .then(function (v) {
        state.current = id;
        var fromQueue = state.queueItems[id];
        $('visit-title').textContent = 'Visit ' + (v.visitId || id);
        // The next step in words; the REST call it names is what the buttons below send.
        $('next-step').textContent = (v.nextStep || '').replace(/ \((GET|POST) \/[^)]*\)$/, '');
        renderFindings(v);
        renderFacts(v);
        renderDeadlines(v, fromQueue);
        renderHistory(v);
        var link = $('temporal-link');
        var url = (fromQueue && fromQueue.temporalUiUrl) || (state.temporalUiBase && state.temporalUiBase + 'visit-' + encodeURIComponent(id));
        link.hidden = !url;
        if (url) link.querySelector('a').href = url;
        var open = !v.outcome && v.stage !== 'closed';
        $('actions-card').hidden = !open;
        $('retry-form').hidden = v.stage !== 'needs_attention' && !v.failure;
        document.body.dataset.stage = v.stage;
        say('');
        done('visit');
      })
      .catch(failed);
  }

  var CONFLICT = {
    INVALID_STAGE: 'Someone else has already acted on this visit, or it has moved on: it no longer waits for this decision. The page now shows it as it is.',
    VISIT_CLOSED: 'This visit is closed: nothing more can be done to it.',
  };

  /** Sends one decision, the same POST a REST client sends, and shows its answer in words. */
  function act(path, body, success) {
    var id = state.current;
    var out = $('action-result');
    var buttons = Array.prototype.slice.call(document.querySelectorAll('#visit-view button'));
    buttons.forEach(function (b) {
      b.disabled = true;
    });
    say('Sending…');
    return call('POST', '/visits/' + encodeURIComponent(id) + '/' + path, body)
      .then(
        function (v) {
          out.className = 'result';
          out.textContent = success + ' The visit is now at: ' + words(v.stage) + '.';
          out.dataset.outcome = 'ok';
        },
        function (err) {
          if (err.signedOut) throw err;
          out.className = 'result error';
          var text =
            CONFLICT[err.code] ||
            (err.status === 403
              ? 'Your role may not do this: ' + err.message + '.'
              : err.message +
                (err.issues && err.issues.length
                  ? ' (' +
                    err.issues
                      .map(function (i) {
                        return i.path + ': ' + i.message;
                      })
                      .join('; ') +
                    ')'
                  : '') +
                '.');
          out.textContent = text;
          out.dataset.outcome = err.code || String(err.status);
        },
      )
      .then(function () {
        out.hidden = false;
        buttons.forEach(function (b) {
          b.disabled = false;
        });
        return loadVisit(id, true);
      })
      .catch(failed);
  }

  // ---- wiring -------------------------------------------------------------------------

  function route() {
    var hash = location.hash.replace(/^#/, '');
    try {
      hash = decodeURIComponent(hash);
    } catch (e) {
      /* a malformed link: read it as written */
    }
    var m;
    if ((m = /^queue\/(.+)$/.exec(hash))) {
      $('queue-view').dataset.queue = m[1];
      $('back').href = '#queues';
      return loadQueue(m[1]);
    }
    if ((m = /^visit\/(.+)$/.exec(hash))) {
      var q = $('queue-view').dataset.queue;
      $('back').href = q ? '#queue/' + q : '#queues';
      return loadVisit(m[1]).then(function () {
        if (!$('visit-view').hidden) $('visit-title').focus();
      });
    }
    return loadQueues();
  }

  $('payer').addEventListener('change', function () {
    loadQueue($('queue-view').dataset.queue);
  });
  $('queue-filter').addEventListener('submit', function (e) {
    e.preventDefault();
  });
  $('open-visit').addEventListener('submit', function (e) {
    e.preventDefault();
    location.hash = '#visit/' + encodeURIComponent($('visit-id').value.trim());
  });
  $('retry-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var note = $('retry-note').value.trim();
    act('retry', note ? { note: note } : {}, 'Sent to be retried.');
  });
  $('write-off-form').addEventListener('submit', function (e) {
    e.preventDefault();
    act('write-off', { reason: $('write-off-reason').value.trim() }, 'Written off.');
  });
  window.addEventListener('hashchange', route);
  route();
})();
