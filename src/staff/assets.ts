/**
 * The dashboard's stylesheet and script, served by Haven (no external assets). Colours meet WCAG
 * AA contrast on their backgrounds; focus is always visible.
 */
export const STAFF_CSS = `
:root { --ink:#1b1b1f; --muted:#4a4a55; --bg:#f6f5fb; --card:#fff; --brand:#3b2d8f; --line:#cfcbe3;
  --urgent:#9b1111; --high:#8a4500; --medium:#3d4a5c; --ok:#1d6b35; --focus:#ffbf47; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--brand); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; top: .5rem; }
header.top { background: var(--brand); color: #fff; padding: .5rem 1rem; display: flex; flex-wrap: wrap; align-items: center; gap: .25rem 1.25rem; }
header.top a, header.top .link { color: #fff; }
.brand { margin: 0; font-weight: 700; font-size: 1.1rem; }
.brand a { text-decoration: none; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem .9rem; margin: 0; padding: 0; }
nav a { display: inline-block; padding: .35rem 0; }
nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.signout { margin-left: auto; display: flex; gap: .6rem; align-items: center; font-size: .9rem; }
.who { opacity: .95; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
main:focus { outline: none; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.25rem 0 .5rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: .85rem 1rem; margin: 0 0 .75rem; }
.card h2, .card h3 { margin: 0 0 .35rem; font-size: 1.05rem; }
.meta { color: var(--muted); font-size: .92rem; margin: .15rem 0; }
.quote { white-space: pre-wrap; overflow-wrap: anywhere; border-left: 4px solid var(--line); padding: .25rem .75rem; margin: .5rem 0; background: #faf9fd; }
.badge { display: inline-block; font-size: .8rem; font-weight: 700; padding: .05rem .5rem; border-radius: 1rem; color: #fff; background: var(--medium); text-transform: uppercase; letter-spacing: .02em; }
.badge.urgent { background: var(--urgent); } .badge.high { background: var(--high); } .badge.medium { background: var(--medium); }
.badge.ok { background: var(--ok); } .badge.open { background: var(--urgent); }
.list { list-style: none; margin: 0; padding: 0; }
form.stack { display: grid; gap: .75rem; max-width: 30rem; }
form.stack.wide { max-width: none; }
form.inline { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .5rem 0 0; }
label { font-weight: 600; display: block; }
.hint { font-weight: 400; color: var(--muted); font-size: .9rem; display: block; }
input[type=text], input[type=email], input[type=password], input[type=date], input[type=time], input[type=url], select, textarea {
  font: inherit; width: 100%; padding: .5rem .6rem; border: 2px solid var(--muted); border-radius: .35rem; background: #fff; color: var(--ink); }
textarea { min-height: 5rem; }
.field { min-width: 10rem; flex: 1; }
.form-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: .75rem; margin-bottom: .75rem; align-items: end; }
form.card > .field { margin-bottom: .75rem; }
fieldset { border: 1px solid var(--line); border-radius: .35rem; padding: .5rem .75rem; margin: 0 0 .75rem; }
fieldset label, label.check { font-weight: 400; display: flex; gap: .5rem; align-items: center; margin: .2rem 0; }
input[type=radio], input[type=checkbox] { width: 1.2rem; height: 1.2rem; }
.joincode { font: 700 2rem/1.2 ui-monospace, "SFMono-Regular", Menlo, monospace; letter-spacing: .2em; margin: .25rem 0 .75rem; }
.toolbar form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
button, .button { font: inherit; font-weight: 600; padding: .5rem 1rem; border-radius: .35rem; border: 2px solid var(--brand); background: var(--brand); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary { background: #fff; color: var(--brand); }
button.danger { background: var(--urgent); border-color: var(--urgent); }
button.link { background: none; border: 0; padding: 0; text-decoration: underline; font-weight: 400; }
#live-status:not(:empty) { background: #e8f3ec; border: 1px solid #9cc9aa; color: var(--ok); font-weight: 600; padding: .2rem .6rem; border-radius: .35rem; display: inline-block; }
.error { color: var(--urgent); font-weight: 600; }
.notice { background: #fff8e1; border: 1px solid #e0c46c; padding: .5rem .75rem; border-radius: .35rem; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.toolbar { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin-bottom: .75rem; }
.history { list-style: none; padding: 0; margin: 0; }
.history li { border-top: 1px solid var(--line); padding: .4rem 0; }
.qr { background: #fff; padding: .5rem; width: 100%; max-width: 280px; height: auto; image-rendering: pixelated; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
@media (max-width: 600px) {
  main { padding: .75rem; }
  .signout { margin-left: 0; width: 100%; justify-content: space-between; }
  dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: .35rem; }
  form.inline { flex-direction: column; align-items: stretch; }
}
`;

/**
 * Live updates: an element with `data-live="<events url>"` and `data-refresh="<fragment url>"`
 * is re-fetched whenever the stream says something changed; `data-reload-every` reloads a page
 * (the WhatsApp pairing QR changes every few seconds).
 */
export const STAFF_JS = `
(function () {
  'use strict';
  var region = document.querySelector('[data-live]');
  var status = document.getElementById('live-status');
  var quiet;
  function say(t) {
    if (!status) return;
    status.textContent = t;
    clearTimeout(quiet);
    quiet = setTimeout(function () { status.textContent = ''; }, 15000);
  }
  if (region && window.EventSource) {
    var busy = false, again = false;
    function refresh(reason) {
      if (busy) { again = true; return; }
      busy = true;
      fetch(region.getAttribute('data-refresh'), { credentials: 'same-origin', headers: { 'accept': 'text/html', 'x-haven-background': '1' } })
        .then(function (r) { if (r.status === 401) { location.href = '/staff/login'; return null; } return r.ok ? r.text() : null; })
        .then(function (t) { if (t !== null) { region.innerHTML = t; if (reason) say(reason); } })
        .catch(function () {})
        .then(function () { busy = false; if (again) { again = false; refresh(); } });
    }
    var es = new EventSource(region.getAttribute('data-live'));
    es.addEventListener('change', function (e) {
      var d = {}; try { d = JSON.parse(e.data); } catch (x) {}
      refresh(d.say || 'Updated');
    });
    es.addEventListener('open', function () { document.body.setAttribute('data-live-ready', '1'); });
  }
  var every = document.body.querySelector('[data-reload-every]');
  if (every) setTimeout(function () { location.reload(); }, Number(every.getAttribute('data-reload-every')) * 1000);
})();
`;
