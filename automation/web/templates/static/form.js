/* Progressive enhancement of the club's web forms (without this file the form is one long page, and the
   language switch and Send go to the server, which checks everything):
   - one section per page with Next/Back, required-answer checks in the page's language, a word counter,
     "other" texts that tick their box;
   - her answers are kept on the phone as she types (localStorage, one entry per link: the path holds the
     form's public id or her personal token), put back after a reload, a crash or a language switch, and
     removed once the server confirmed the submission;
   - Send without leaving the page: a submission that fails for lack of connection waits on the phone and
     is sent again when the connection returns (the "online" event, a timer, or the next time the link is
     opened), always with the same submission key while the answers are the same, so the server stores
     it once;
   - the language switch without asking the server: the page carries itself in the other language in a
     <template data-lang>. */
(function () {
  "use strict";
  var doc = document, root = doc.documentElement, main = doc.querySelector("main");
  if (!main || !doc.getElementById("answers")) return;
  root.classList.add("js");

  var STORE_KEY = "club-form:" + location.pathname;
  var canFetch = !!(window.fetch && window.FormData && window.URLSearchParams && window.DOMParser);
  var pristine = {}, titles = {};           /* each language's page as the server wrote it */
  var pages = [], current = 0, lastSubmitter = null;
  var pending = null;                       /* {key, sig}: the submission key and the answers it was made for */
  var queued = false, sending = false, csrfRetried = false;
  var retryTimer = null, retryDelay = 0, statusEl = null, statusKind = null, statusTimer = null;

  function form() { return doc.getElementById("answers"); }
  function lang() { return root.getAttribute("lang"); }
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function msg(name, vars) {
    var f = form(), text = f && f.getAttribute("data-msg-" + name) || "";
    Object.keys(vars || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(vars[k])); });
    return text;
  }
  function words(text) { var m = text.match(/\S+/g); return m ? m.length : 0; }

  /* --- the page in both languages ------------------------------------------------------------- */
  function capture() {
    pristine = {}; titles = {};
    pristine[lang()] = main.innerHTML; titles[lang()] = doc.title;
    each(doc.querySelectorAll("template[data-lang]"), function (t) {
      pristine[t.getAttribute("data-lang")] = t.innerHTML;
      titles[t.getAttribute("data-lang")] = t.getAttribute("data-title");
    });
  }

  /* --- her answers ----------------------------------------------------------------------------- */
  function fields(f) {
    var out = {};
    each(f.elements, function (el) {
      var n = el.name;
      if (!n || n.slice(0, 2) !== "q.") return;
      if (!out[n]) out[n] = [];
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) out[n].push(el.value); }
      else out[n].push(el.value);
    });
    return out;
  }
  function apply(f, vals) {
    each(f.elements, function (el) {
      var v = vals[el.name];
      if (!v) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = v.indexOf(el.value) >= 0;
      else el.value = v[0] || "";
    });
    each(f.querySelectorAll(".q[data-max-words]"), counter);
  }
  function sig(vals) {                      /* FNV-1a of the answers: did they change since the key was made? */
    var s = JSON.stringify(vals), h = 2166136261;
    for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; }
    return h.toString(36) + ":" + s.length;
  }
  function uuid() {
    var c = window.crypto;
    if (c && c.randomUUID) return c.randomUUID();
    var b = new Uint8Array(16);
    c.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(STORE_KEY) || "null"); } catch (e) { return null; }
  }
  function record() {
    var f = form();
    if (!f) return;
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify({ v: 1, at: Date.now(), lang: lang(), page: current,
        fields: fields(f), pending: pending, queued: queued }));
    } catch (e) { /* storage full or switched off: the form still works, nothing is kept */ }
  }
  function forget() { try { localStorage.removeItem(STORE_KEY); } catch (e) { /* nothing kept */ } }

  /* --- a message at the bottom of the screen --------------------------------------------------- */
  function status(kind, warn) {
    clearTimeout(statusTimer);
    statusKind = kind;
    if (!statusEl) {
      statusEl = doc.createElement("div");
      statusEl.className = "net-status";
      statusEl.setAttribute("role", "status");
      statusEl.setAttribute("aria-live", "polite");
      doc.body.appendChild(statusEl);
    }
    var text = kind ? msg(kind) : "";
    statusEl.textContent = text;
    statusEl.hidden = !text;
    statusEl.classList.toggle("warn", !!warn);
    root.classList.toggle("has-status", !!text);
    if (kind === "restored") statusTimer = setTimeout(function () { status(null); }, 8000);
  }

  /* --- pages and checks ------------------------------------------------------------------------ */
  function show(i, focus) {
    current = Math.max(0, Math.min(i, pages.length - 1));
    pages.forEach(function (p, j) { p.classList.toggle("current", j === current); });
    var pageField = doc.getElementById("page-field");
    if (pageField) pageField.value = String(current);
    if (focus) {
      window.scrollTo(0, 0);
      var h = pages[current].querySelector("h2");
      if (h) { h.setAttribute("tabindex", "-1"); h.focus({ preventScroll: true }); }
    }
  }

  function setError(q, text) {
    var el = q.querySelector(".error");
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
    q.classList.toggle("has-error", !!text);
  }

  /* The problem of one question as far as the browser can tell, or "". */
  function problem(q) {
    var kind = q.getAttribute("data-kind");
    var required = q.hasAttribute("data-required");
    if (kind === "grid") {
      var rows = q.querySelectorAll("tr.grid-row"), answered = 0;
      each(rows, function (r) { if (r.querySelector("input:checked")) answered++; });
      return required && answered < rows.length ? msg("required-grid") : "";
    }
    var other = q.querySelector(".other-choice");
    var otherText = q.querySelector(".other-text");
    if (other && other.checked && otherText && !otherText.value.trim()) return msg("other-empty");
    var empty;
    if (kind === "single_choice" || kind === "multiple_choice" || kind === "scale") {
      empty = !q.querySelector("input:checked") && !(otherText && otherText.value.trim());
    } else {
      var input = q.querySelector("input, select, textarea");
      empty = !input || !input.value.trim();
      var max = parseInt(q.getAttribute("data-max-words") || "0", 10);
      if (!empty && max && words(input.value) > max) return msg("too-many-words", { max: max, n: words(input.value) });
    }
    return required && empty ? msg("required") : "";
  }

  function checkPage(page) {
    var first = null;
    each(page.querySelectorAll(".q"), function (q) {
      var p = problem(q);
      setError(q, p);
      if (p && !first) first = q;
    });
    if (first) {
      first.scrollIntoView({ block: "start" });
      var focusable = first.querySelector("input, select, textarea");
      if (focusable) focusable.focus({ preventScroll: true });
    }
    return !first;
  }

  function counter(q) {
    var max = parseInt(q.getAttribute("data-max-words") || "0", 10), box = q.querySelector(".counter");
    var input = q.querySelector("textarea, input");
    if (!max || !box || !input) return;
    var n = words(input.value);
    box.querySelector(".count").textContent = String(n);
    box.classList.toggle("over", n > max);
  }

  function setup(page) {
    var f = form();
    pages = Array.prototype.slice.call(f.querySelectorAll("section.page"));
    show(page != null ? page : parseInt(f.getAttribute("data-page") || "0", 10) || 0, false);
  }

  /* --- the language switch --------------------------------------------------------------------- */
  function switchTo(code) {
    var f = form();
    if (!pristine[code] || !f) return false;
    var vals = fields(f), page = current, flagged = {}, y = window.scrollY;
    each(f.querySelectorAll(".q.has-error"), function (q) { flagged[q.id] = true; });
    main.innerHTML = pristine[code];
    root.setAttribute("lang", code);
    doc.title = titles[code];
    f = form();
    apply(f, vals);
    setup(page);
    each(f.querySelectorAll(".q"), function (q) {    /* the same problems, said in the other language */
      if (!flagged[q.id]) setError(q, "");
      else if (problem(q)) setError(q, problem(q));
    });
    try {
      var u = new URL(location.href);
      u.searchParams.set("lang", code);
      history.replaceState(history.state, "", u.toString());
    } catch (e) { /* the address keeps its language: a reload asks the server in the first one */ }
    if (statusKind) status(statusKind, statusEl.classList.contains("warn"));
    record();
    var back = f.querySelector("button.lang");
    if (back) back.focus({ preventScroll: true });
    window.scrollTo(0, y);                  /* she stays where she was reading */
    return true;
  }

  /* --- sending --------------------------------------------------------------------------------- */
  function later(kind) {                    /* not sent: try again in 5, 10, 20, 40, 60, 60… seconds */
    status(kind, true);
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 5000, 60000);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () { send(true); }, retryDelay);
  }

  function send(auto) {
    var f = form();
    if (!f || sending) return;
    clearTimeout(retryTimer);
    var vals = fields(f), s = sig(vals);
    if (!pending || pending.sig !== s) pending = { key: uuid(), sig: s };
    var keyField = f.querySelector("input[name=submission]");
    if (keyField) keyField.value = pending.key;
    queued = true;
    record();
    var body = new URLSearchParams();
    new FormData(f).forEach(function (v, k) { body.append(k, v); });
    body.set("action", "submit");
    body.set("submission", pending.key);
    sending = true;
    status("sending", false);
    var ctl = window.AbortController ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, 60000) : null;
    fetch(f.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin",
                                      signal: ctl ? ctl.signal : undefined })
      .then(function (r) {
        return r.text().then(function (html) { clearTimeout(timer); sending = false; answered(r, html, auto); });
      })
      .catch(function () { clearTimeout(timer); sending = false; later("queued"); });
  }

  function answered(r, html, auto) {
    if (r.status >= 500) { later("retry"); return; }   /* the server or its proxy is down: try again */
    retryDelay = 0;
    var page = new DOMParser().parseFromString(html, "text/html");
    var path = "";
    try { path = new URL(r.url).pathname; } catch (e) { /* keep "" */ }
    if (r.ok && /\/done$/.test(path)) {     /* stored now, or stored before under this key */
      forget();
      pending = null; queued = false;
      adopt(page);
      try { history.replaceState(null, "", r.url); } catch (e) { /* the address stays the form's */ }
      return;
    }
    queued = false;
    if (r.status === 400 && auto && !csrfRetried && page.getElementById("answers")) {
      /* a page kept since before a restart or a crash: the server gave fresh tokens, send once more */
      csrfRetried = true;
      adopt(page);
      send(true);
      return;
    }
    /* her answers with the server's note (a problem to fix, too many submissions: send again later), or
       a page without the form (closed: nothing can be sent any more) */
    if (r.status === 410) { forget(); pending = null; } else record();
    adopt(page);
  }

  function adopt(page) {                    /* the server's answer replaces the page, the script stays */
    var m = page.querySelector("main");
    if (!m) { location.reload(); return; }
    doc.title = page.title;
    root.setAttribute("lang", page.documentElement.getAttribute("lang") || lang());
    each(doc.querySelectorAll("template[data-lang]"), function (t) { t.parentNode.removeChild(t); });
    each(page.querySelectorAll("template[data-lang]"), function (t) {
      var n = doc.createElement("template");
      n.setAttribute("data-lang", t.getAttribute("data-lang"));
      n.setAttribute("data-title", t.getAttribute("data-title") || "");
      n.innerHTML = t.innerHTML;
      doc.body.insertBefore(n, main.nextSibling);
    });
    main.innerHTML = m.innerHTML;
    capture();
    status(null);
    window.scrollTo(0, 0);
    if (form()) {
      setup(null);
      var summary = doc.getElementById("error-summary");
      if (summary) summary.focus();
    }
  }

  /* --- events (on the document: the form is replaced by a switch or an answer) ----------------- */
  doc.addEventListener("click", function (e) {
    var f = form();
    if (!f || !f.contains(e.target)) return;
    var sub = e.target.closest("button[type=submit]");
    if (sub) lastSubmitter = sub;
    var btn = e.target.closest("[data-go]");
    if (btn) {
      e.preventDefault();
      if (btn.getAttribute("data-go") === "back") show(current - 1, true);
      else if (checkPage(pages[current])) show(current + 1, true);
      record();
      return;
    }
    var a = e.target.closest(".error-summary a");
    if (a) {
      var target = doc.getElementById(a.getAttribute("href").slice(1));
      var page = target && target.closest("section.page");
      if (page) { e.preventDefault(); show(pages.indexOf(page), false); target.scrollIntoView({ block: "start" }); }
    }
  });

  doc.addEventListener("submit", function (e) {
    if (e.target !== form()) return;
    var submitter = e.submitter || lastSubmitter;
    lastSubmitter = null;
    var action = submitter && submitter.value || "submit";
    if (action.indexOf("lang:") === 0) {      /* the switch: here if the page has that language */
      if (switchTo(action.slice(5))) e.preventDefault();
      return;
    }
    if (action !== "submit") return;
    if (pages.length > 1 && current < pages.length - 1) {  /* Enter pressed before the last page */
      e.preventDefault();
      if (checkPage(pages[current])) show(current + 1, true);
      return;
    }
    if (!checkPage(pages[current])) { e.preventDefault(); return; }
    if (!canFetch) return;                  /* an old browser: the page goes to the server */
    e.preventDefault();
    retryDelay = 0;
    csrfRetried = false;
    send(false);
  });

  doc.addEventListener("input", function (e) {
    var t = e.target, f = form();
    if (!f || !f.contains(t)) return;
    if (t.classList.contains("other-text")) {
      var box = t.closest(".other").querySelector(".other-choice");
      if (box && t.value.trim()) box.checked = true;
    }
    var q = t.closest(".q");
    if (q) {
      counter(q);
      if (q.classList.contains("has-error") && !problem(q)) setError(q, "");
    }
    record();
  });

  doc.addEventListener("change", function (e) {
    var t = e.target, f = form();
    if (!f || !f.contains(t)) return;
    var q = t.closest(".q");
    if (t.classList.contains("other-choice") && t.type === "checkbox" && !t.checked) {
      var text = t.closest(".other").querySelector(".other-text");
      if (text) text.value = "";              /* an unticked "other" is not sent */
    }
    if (q && q.classList.contains("has-error") && !problem(q)) setError(q, "");
    record();
  });

  function retryNow() { if (queued && !sending && form()) { retryDelay = 0; send(true); } }
  window.addEventListener("online", retryNow);
  doc.addEventListener("visibilitychange", function () { if (doc.visibilityState === "visible") retryNow(); });

  /* --- start: the page, then what the phone kept ------------------------------------------------ */
  capture();
  setup(null);
  var kept = load();
  if (kept && kept.fields) {
    var before = sig(fields(form())), asked = /[?&]lang=/.test(location.search);
    if (!asked && kept.lang && kept.lang !== lang() && pristine[kept.lang]) switchTo(kept.lang);
    apply(form(), kept.fields);
    pending = kept.pending || null;
    queued = !!kept.queued && canFetch;
    if (typeof kept.page === "number" && !doc.getElementById("error-summary")) show(kept.page, false);
    if (sig(fields(form())) !== before) status("restored", false);
    record();
    if (queued) send(true);
  }
  var summary = doc.getElementById("error-summary");
  if (summary) summary.focus();
})();
