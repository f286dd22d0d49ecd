/** Where "Quick exit" goes: a neutral page that says nothing about Haven (as UK support sites do). */
export const QUICK_EXIT_URL = 'https://www.bbc.co.uk/weather';

/**
 * The web chat page: one self-contained HTML document (no external assets, no framework),
 * mobile-first and usable by keyboard and screen reader. Replies arrive over SSE. On a first
 * visit the page asks Haven for its welcome (a `start`), so it never opens blank. "Quick exit"
 * leaves at once for a neutral site, replacing this page in the history; "Clear this chat"
 * deletes the replies kept for this device and forgets its chat id.
 */
export function chatPage(opts: { charityName: string; maxChars: number }): string {
  const name = escapeHtml(opts.charityName);
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat with Haven</title>
<style>
  :root { --ink:#1b1b1f; --muted:#4a4a55; --bg:#f6f5fb; --me:#3b2d8f; --bot:#ffffff; --line:#d6d3e6; --focus:#ffbf47; }
  * { box-sizing: border-box; }
  html, body { height: 100%; margin: 0; }
  body { font: 17px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); display: flex; flex-direction: column; }
  header { background: var(--me); color: #fff; padding: .6rem 1rem; display: flex; flex-wrap: wrap; align-items: flex-start; gap: .5rem; }
  header .intro { flex: 1 1 12rem; }
  #exit { font: inherit; font-weight: 700; font-size: 1rem; padding: .45rem .9rem; border: 2px solid #fff; border-radius: .5rem; background: #fff; color: #8a1c1c; cursor: pointer; }
  .tools { display: flex; justify-content: flex-end; gap: .5rem; padding: .3rem .8rem 0; font-size: .85rem; }
  .tools button { font: inherit; background: none; border: 0; color: var(--muted); text-decoration: underline; cursor: pointer; padding: .2rem; }
  #confirm-clear { display: none; background: #fff; border: 1px solid var(--line); border-radius: .6rem; padding: .6rem .8rem; margin: .3rem .8rem 0; font-size: .9rem; }
  #confirm-clear.open { display: block; }
  #confirm-clear button { font: inherit; margin: .4rem .4rem 0 0; padding: .35rem .8rem; border-radius: .6rem; border: 2px solid var(--me); background: #fff; color: var(--me); cursor: pointer; }
  #confirm-clear button.yes { background: var(--me); color: #fff; }
  .bot a { color: var(--me); font-weight: 600; }
  header h1 { margin: 0; font-size: 1.15rem; }
  header p { margin: .15rem 0 0; font-size: .85rem; }
  header a { color: #fff; }
  main { flex: 1; overflow-y: auto; padding: 1rem; display: flex; flex-direction: column; gap: .5rem; }
  .msg { max-width: 85%; padding: .55rem .8rem; border-radius: 1rem; white-space: pre-wrap; overflow-wrap: anywhere; }
  .bot { align-self: flex-start; background: var(--bot); border: 1px solid var(--line); border-bottom-left-radius: .25rem; }
  .me { align-self: flex-end; background: var(--me); color: #fff; border-bottom-right-radius: .25rem; }
  .choices { display: flex; flex-wrap: wrap; gap: .4rem; }
  .choices button { font: inherit; font-size: .95rem; padding: .45rem .8rem; border-radius: 1.2rem; border: 2px solid var(--me); background: #fff; color: var(--me); cursor: pointer; }
  form { display: flex; gap: .5rem; padding: .6rem; background: #fff; border-top: 1px solid var(--line); }
  label.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  textarea { flex: 1; font: inherit; padding: .5rem .7rem; border: 2px solid var(--muted); border-radius: .8rem; resize: none; min-height: 2.6rem; max-height: 8rem; }
  #send { font: inherit; font-weight: 600; padding: 0 1rem; border: 0; border-radius: .8rem; background: var(--me); color: #fff; cursor: pointer; }
  #status { font-size: .85rem; color: #8a1c1c; padding: 0 .8rem; min-height: 1.2em; background: #fff; margin: 0; }
  :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
  @media (min-width: 700px) { main, form, #status { width: 100%; max-width: 44rem; margin-left: auto; margin-right: auto; } }
</style>
</head>
<body>
<header>
  <div class="intro">
    <h1>Haven · ${name}</h1>
    <p>Not an emergency service. In danger now? Call <a href="tel:999">999</a>. Childline: <a href="tel:08001111">0800 1111</a>.</p>
  </div>
  <button id="exit" type="button" aria-describedby="exit-hint">Quick exit</button>
  <span id="exit-hint" hidden>Leaves this page at once for the BBC weather page.</span>
</header>
<div class="tools"><button id="clear" type="button" aria-expanded="false" aria-controls="confirm-clear">Clear this chat</button></div>
<div id="confirm-clear" role="group" aria-labelledby="confirm-clear-text">
  <p id="confirm-clear-text" style="margin:0">Clear this chat from this device? The messages here go, and Haven starts a new chat with you. To delete what Haven keeps about you as well, send <strong>delete my data</strong> first.</p>
  <button type="button" class="yes" id="clear-yes">Yes, clear it</button><button type="button" id="clear-no">No, keep it</button>
</div>
<main id="log" role="log" aria-live="polite" aria-label="Conversation"></main>
<p id="status" role="status"></p>
<form id="form" autocomplete="off">
  <label class="sr" for="text">Your message</label>
  <textarea id="text" name="text" rows="1" placeholder="Type a message" aria-describedby="status" required></textarea>
  <button id="send" type="submit">Send</button>
</form>
<script>
(function () {
  var MAX = ${opts.maxChars};
  var EXIT = ${JSON.stringify(QUICK_EXIT_URL)};
  var log = document.getElementById('log');
  var form = document.getElementById('form');
  var box = document.getElementById('text');
  var status = document.getElementById('status');
  var id = localStorage.getItem('haven.clientId');
  // crypto.randomUUID exists only on HTTPS and localhost; getRandomValues everywhere.
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  if (!id || !/^[A-Za-z0-9-]{16,64}$/.test(id)) { id = uuid(); localStorage.setItem('haven.clientId', id); }
  var TOO_LONG = 'That message is too long. Please keep it under ' + MAX + ' characters.';
  // Said while typing or pasting, not only on send: nothing is cut off without a word.
  box.addEventListener('input', function () {
    if (box.value.length > MAX) status.textContent = TOO_LONG + ' (' + box.value.length + ' now)';
    else if (status.textContent.indexOf(TOO_LONG) === 0) status.textContent = '';
  });
  // A fresh page shows the whole backlog kept for this device (a reload must not open blank);
  // within the page, lastSeen stops a reconnect from showing a reply twice.
  var lastSeen = 0;

  // Links in Haven's replies become clickable: only http(s), opened apart from this page, and
  // built as DOM nodes (never innerHTML), so a reply cannot inject markup.
  var URL_RE = /https?:\\/\\/[^\\s<>"']+/g;
  function fill(div, text) {
    var at = 0, m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(text))) {
      var url = m[0].replace(/[.,;:!?)\\]]+$/, '');
      var ok = false;
      try { var u = new URL(url); ok = u.protocol === 'https:' || u.protocol === 'http:'; } catch (e) { ok = false; }
      if (!ok) continue;
      div.appendChild(document.createTextNode(text.slice(at, m.index)));
      var a = document.createElement('a');
      a.href = url; a.textContent = url; a.target = '_blank'; a.rel = 'noopener noreferrer';
      div.appendChild(a);
      at = m.index + url.length;
      URL_RE.lastIndex = at;
    }
    div.appendChild(document.createTextNode(text.slice(at)));
  }

  function add(text, who, choices) {
    var div = document.createElement('div');
    div.className = 'msg ' + who;
    if (who === 'bot') fill(div, text); else div.textContent = text;
    log.appendChild(div);
    var old = log.querySelectorAll('.choices');
    for (var i = 0; i < old.length; i++) old[i].remove();
    if (choices && choices.length) {
      var row = document.createElement('div');
      row.className = 'choices';
      row.setAttribute('role', 'group');
      row.setAttribute('aria-label', 'Choices');
      choices.forEach(function (c) {
        var b = document.createElement('button');
        b.type = 'button';
        b.textContent = c.title;
        b.addEventListener('click', function () { send(c.title, c.payload); });
        row.appendChild(b);
      });
      log.appendChild(row);
    }
    // A reply taller than most of the screen (the safety tips) is shown from its start, where it is
    // read from, and replies right behind it do not scroll it away; anything else, the newest at the bottom.
    if (who === 'bot' && div.offsetHeight > log.clientHeight * 0.8) {
      div.scrollIntoView({ block: 'start' });
      pinnedUntil = Date.now() + 2000;
    } else if (who !== 'bot' || Date.now() > pinnedUntil) {
      log.scrollTop = log.scrollHeight;
    }
  }
  var pinnedUntil = 0;

  // False when nothing was sent (empty, or too long: kept in the box so they can shorten it).
  function send(text, payload) {
    if (!text.trim()) return false;
    if (text.length > MAX) { status.textContent = TOO_LONG; return false; }
    status.textContent = '';
    add(text, 'me');
    var body = { clientId: id, id: uuid(), text: text };
    if (payload) body.payload = payload;
    var attempt = 0;
    (function post() {
      fetch('/chat/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        .then(function (r) {
          if (r.ok) return;
          return r.json().then(function (j) {
            if (r.status >= 500 && attempt++ < 5) { setTimeout(post, 1000 * attempt); return; }
            status.textContent = (j && j.error) || 'Sorry, that did not send. Please try again.';
          });
        })
        .catch(function () { if (attempt++ < 5) setTimeout(post, 1000 * attempt); else status.textContent = 'No connection. Please try again.'; });
    })();
    return true;
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (send(box.value)) box.value = '';
    box.focus();
  });
  box.addEventListener('keydown', function (e) { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });

  var es;
  function connect() {
    es = new EventSource('/chat/api/events?clientId=' + encodeURIComponent(id) + '&after=' + lastSeen);
    es.addEventListener('reply', function (e) {
      var m = JSON.parse(e.data);
      if (m.seq <= lastSeen) return;
      lastSeen = m.seq;
      add(m.text, 'bot', m.choices);
    });
    es.onerror = function () { status.textContent = 'Reconnecting…'; };
    es.onopen = function () { if (status.textContent === 'Reconnecting…') status.textContent = ''; };
  }

  // A first visit asks Haven for its welcome, once per chat id (the fixed message id folds retries).
  function greet() {
    if (localStorage.getItem('haven.greeted') === id) return;
    var forId = id, attempt = 0;
    (function post() {
      fetch('/chat/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: forId, id: 'start', start: true }) })
        .then(function (r) {
          if (r.ok) { if (forId === id) localStorage.setItem('haven.greeted', forId); return; }
          if (r.status >= 500 && attempt++ < 5) setTimeout(post, 1000 * attempt);
        })
        .catch(function () { if (attempt++ < 5) setTimeout(post, 1000 * attempt); });
    })();
  }

  // Quick exit: gone at once, and this page is replaced in the history so Back does not return to it.
  document.getElementById('exit').addEventListener('click', function () {
    try { if (es) es.close(); log.textContent = ''; box.value = ''; document.title = 'Weather'; } catch (e) { /* leave anyway */ }
    location.replace(EXIT);
  });

  var clearBtn = document.getElementById('clear');
  var confirmBox = document.getElementById('confirm-clear');
  function showConfirm(open) {
    confirmBox.className = open ? 'open' : '';
    clearBtn.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open) document.getElementById('clear-yes').focus();
  }
  clearBtn.addEventListener('click', function () { showConfirm(confirmBox.className !== 'open'); });
  document.getElementById('clear-no').addEventListener('click', function () { showConfirm(false); clearBtn.focus(); });
  document.getElementById('clear-yes').addEventListener('click', function () {
    fetch('/chat/api/clear', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: id }) })
      .then(function (r) {
        if (!r.ok) { status.textContent = 'Sorry, that did not work. Please try again.'; return; }
        if (es) es.close();
        log.textContent = '';
        localStorage.removeItem('haven.greeted');
        lastSeen = 0;
        id = uuid(); localStorage.setItem('haven.clientId', id);
        showConfirm(false);
        status.textContent = 'Cleared. This chat is gone from this device.';
        connect(); greet(); box.focus();
      })
      .catch(function () { status.textContent = 'No connection. Please try again.'; });
  });

  connect();
  greet();
  box.focus();
})();
</script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}
