/* The billing dashboard: reads /reports/kpis and /work-queues and draws them with Chart.js (served from node_modules). */
(function () {
  'use strict';
  var charts = {};
  var payersSeen = new Set();
  var money = function (cents) {
    return '$' + Math.round(cents / 100).toLocaleString('en-US');
  };
  var pct = function (r) {
    return r === null || r === undefined ? '–' : (r * 100).toFixed(1) + '%';
  };
  var num = function (v, unit) {
    return v === null || v === undefined ? '–' : v + (unit || '');
  };
  var palette = ['#2f6fed', '#5fb0ff', '#f5b83d', '#f08a4b', '#d64545'];

  function params() {
    var form = document.getElementById('filters');
    var q = new URLSearchParams();
    ['from', 'to', 'payerId'].forEach(function (k) {
      var v = form.elements[k].value;
      if (v) q.set(k, v);
    });
    return q;
  }

  /** Not signed in (or the session ended): say so and offer the sign-in page, instead of an error about headers. */
  function signedOut() {
    document.getElementById('signed-out').hidden = false;
    document.getElementById('sign-out').hidden = true;
    var err = new Error('not signed in');
    err.signedOut = true;
    return err;
  }

  /** The session cookie (HttpOnly, set by signing in) goes with every same-origin request; the page never sees a key. */
  function getJson(url) {
    return fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' }).then(function (r) {
      if (r.status === 401) throw signedOut();
      if (!r.ok)
        return r.json().then(function (b) {
          throw new Error(b.message || r.statusText);
        });
      document.getElementById('sign-out').hidden = false;
      return r.json();
    });
  }

  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } } },
      config.options || {},
    );
    charts[id] = new Chart(document.getElementById(id), config);
    document.getElementById(id).dataset.points = String(
      config.data.datasets.reduce(function (n, d) {
        return (
          n +
          d.data.filter(function (v) {
            return v !== null;
          }).length
        );
      }, 0),
    );
  }

  function tiles(k) {
    var items = [
      ['First-pass acceptance', pct(k.firstPassAcceptance.rate), k.firstPassAcceptance.accepted + ' of ' + k.firstPassAcceptance.decided + ' claims'],
      ['Clean-claim rate', pct(k.cleanClaimRate.rate), k.cleanClaimRate.clean + ' of ' + k.cleanClaimRate.submitted],
      ['Denial rate', pct(k.denialRate.rate), k.denialRate.denied + ' of ' + k.denialRate.adjudicated + ' adjudicated'],
      ['Open AR', money(k.arAging.totalCents), pct(k.arAging.shareOver90) + ' over 90 days'],
      ['Days in AR', num(k.daysInAr), 'open AR / average daily charges'],
      ['Net collection', pct(k.netCollectionRate.rate), money(k.netCollectionRate.paidCents) + ' paid'],
      ['Charge lag', num(k.chargeLagDays.median, ' d'), 'median · p90 ' + num(k.chargeLagDays.p90, ' d')],
      ['Claim lag', num(k.claimLagHours.median, ' h'), 'median · p90 ' + num(k.claimLagHours.p90, ' h')],
      [
        'Patient share collected',
        pct(k.patientResponsibility.rate),
        money(k.patientResponsibility.collectedCents) + ' of ' + money(k.patientResponsibility.responsibilityCents),
      ],
    ];
    var el = document.getElementById('tiles');
    el.textContent = '';
    items.forEach(function (t, i) {
      var div = document.createElement('div');
      div.className = 'tile';
      div.dataset.kpi = String(i);
      [
        ['label', t[0]],
        ['value', t[1]],
        ['sub', t[2]],
      ].forEach(function (p) {
        var s = document.createElement('div');
        s.className = p[0];
        s.textContent = p[1];
        div.appendChild(s);
      });
      el.appendChild(div);
    });
  }

  function render(k) {
    tiles(k);
    var ar = k.arAging;
    draw('chart-ar', {
      type: 'bar',
      data: {
        labels: ar.byPayer.map(function (p) {
          return p.payerId;
        }),
        datasets: ar.buckets.map(function (b, i) {
          return {
            label: b + ' days',
            data: ar.byPayer.map(function (p) {
              return p.buckets[b] / 100;
            }),
            backgroundColor: palette[i],
          };
        }),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'USD' } } } },
    });
    var weeks = k.weekly.map(function (w) {
      return w.week;
    });
    draw('chart-denials', {
      type: 'line',
      data: {
        labels: weeks,
        datasets: [
          {
            label: 'Denial rate %',
            data: k.weekly.map(function (w) {
              return w.denialRate === null ? null : +(w.denialRate * 100).toFixed(1);
            }),
            borderColor: '#d64545',
            backgroundColor: '#d6454533',
            fill: true,
            tension: 0.25,
            spanGaps: true,
          },
          {
            label: 'Denied claims',
            data: k.weekly.map(function (w) {
              return w.denied;
            }),
            type: 'bar',
            yAxisID: 'y1',
            backgroundColor: '#f5b83d88',
          },
        ],
      },
      options: {
        scales: {
          y: { min: 0, title: { display: true, text: '%' } },
          y1: { position: 'right', min: 0, grid: { drawOnChartArea: false }, title: { display: true, text: 'claims' } },
        },
      },
    });
    var cpt = k.cptRevenue.slice(0, 12);
    draw('chart-cpt', {
      type: 'bar',
      data: {
        labels: cpt.map(function (c) {
          return c.code;
        }),
        datasets: [
          {
            label: 'Billed',
            data: cpt.map(function (c) {
              return c.billedCents / 100;
            }),
            backgroundColor: '#c9d7f8',
          },
          {
            label: 'Paid',
            data: cpt.map(function (c) {
              return c.paidCents / 100;
            }),
            backgroundColor: '#2f6fed',
          },
          {
            label: 'Denied',
            data: cpt.map(function (c) {
              return c.deniedCents / 100;
            }),
            backgroundColor: '#d64545',
          },
        ],
      },
      options: { scales: { y: { title: { display: true, text: 'USD' } } } },
    });
    draw('chart-firstpass', {
      type: 'line',
      data: {
        labels: weeks,
        datasets: [
          {
            label: 'First-pass acceptance %',
            data: k.weekly.map(function (w) {
              return w.firstPassRate === null ? null : +(w.firstPassRate * 100).toFixed(1);
            }),
            borderColor: '#1f9d63',
            backgroundColor: '#1f9d6333',
            fill: true,
            tension: 0.25,
            spanGaps: true,
          },
        ],
      },
      options: { scales: { y: { min: 0, max: 100, title: { display: true, text: '%' } } } },
    });
    var payers = document.getElementById('payer');
    ar.byPayer
      .map(function (p) {
        return p.payerId;
      })
      .concat(
        k.denialRate.byPayer.map(function (p) {
          return p.key;
        }),
      )
      .forEach(function (id) {
        if (payersSeen.has(id)) return;
        payersSeen.add(id);
        var o = document.createElement('option');
        o.value = id;
        o.textContent = id;
        payers.appendChild(o);
      });
  }

  function renderQueues(list, oldest) {
    var body = document.querySelector('#queues tbody');
    body.textContent = '';
    list.queues.forEach(function (q, i) {
      var tr = document.createElement('tr');
      tr.dataset.queue = q.id;
      var name = document.createElement('td');
      var a = document.createElement('a');
      a.href = q.temporalUiUrl;
      a.textContent = q.title;
      a.target = '_blank';
      a.rel = 'noopener';
      name.appendChild(a);
      var count = document.createElement('td');
      count.className = 'count';
      count.textContent = String(q.count);
      var visits = document.createElement('td');
      var items = oldest[i] ? oldest[i].visits : [];
      if (!items.length) {
        visits.className = 'empty';
        visits.textContent = '—';
      }
      items.forEach(function (v) {
        var title = v.ageHours + ' h waiting' + (v.overdue ? ' (overdue)' : '');
        // An analyst's key gets no visit id nor Temporal UI page (api/views.ts): the visit shows as its age only.
        if (!v.visitId) {
          var age = document.createElement('span');
          age.className = 'age';
          age.textContent = v.ageHours + ' h' + (v.overdue ? ' (overdue)' : '');
          age.title = title;
          visits.appendChild(age);
          return;
        }
        var link = document.createElement('a');
        link.href = v.temporalUiUrl;
        link.textContent = v.visitId;
        link.target = '_blank';
        link.rel = 'noopener';
        link.title = title;
        visits.appendChild(link);
      });
      var action = document.createElement('td');
      action.innerHTML = '';
      var s = document.createElement('span');
      s.className = 'action';
      s.textContent = q.action;
      action.appendChild(s);
      [name, count, visits, action].forEach(function (td) {
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function load() {
    var q = params();
    document.body.dataset.loading = 'true';
    var payer = q.get('payerId');
    return Promise.all([
      getJson('/reports/kpis?' + q.toString()).then(render),
      getJson('/work-queues').then(function (list) {
        return Promise.all(
          list.queues.map(function (wq) {
            return wq.count ? getJson('/work-queues/' + wq.id + '?limit=5' + (payer ? '&payerId=' + encodeURIComponent(payer) : '')) : null;
          }),
        ).then(function (oldest) {
          renderQueues(list, oldest);
        });
      }),
    ]).then(
      function () {
        document.body.dataset.loading = 'false';
        document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
      },
      function (err) {
        document.body.dataset.loading = err.signedOut ? 'signed-out' : 'error';
        if (!err.signedOut) document.getElementById('tiles').textContent = 'Could not load the reports: ' + err.message;
      },
    );
  }

  var today = new Date();
  var from = new Date(today.getTime() - 89 * 86400000);
  document.getElementById('to').value = today.toISOString().slice(0, 10);
  document.getElementById('from').value = from.toISOString().slice(0, 10);
  document.getElementById('filters').addEventListener('submit', function (e) {
    e.preventDefault();
    load();
  });
  document.getElementById('payer').addEventListener('change', load);
  load();
})();
