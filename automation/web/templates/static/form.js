/* Progressive enhancement of the club's web forms: one section per page with
   Next/Back, required-answer checks in the page's language, a word counter,
   and "other" texts that tick their box.  Without this file the form is one
   long page and the server checks everything. */
(function () {
  "use strict";
  var form = document.getElementById("answers");
  if (!form) return;
  document.documentElement.classList.add("js");
  var pages = Array.prototype.slice.call(form.querySelectorAll("section.page"));
  var pageField = document.getElementById("page-field");
  var current = parseInt(form.getAttribute("data-page") || "0", 10) || 0;

  function msg(name, vars) {
    var text = form.getAttribute("data-msg-" + name) || "";
    Object.keys(vars || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(vars[k])); });
    return text;
  }
  function words(text) { var m = text.match(/\S+/g); return m ? m.length : 0; }

  function show(i, focus) {
    current = Math.max(0, Math.min(i, pages.length - 1));
    pages.forEach(function (p, j) { p.classList.toggle("current", j === current); });
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
      rows.forEach(function (r) { if (r.querySelector("input:checked")) answered++; });
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
    page.querySelectorAll(".q").forEach(function (q) {
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

  var lastSubmitter = null;  /* for browsers without SubmitEvent.submitter (before Chrome 81, Safari 15.4) */
  form.addEventListener("click", function (e) {
    var sub = e.target.closest("button[type=submit]");
    if (sub) lastSubmitter = sub;
    var btn = e.target.closest("[data-go]");
    if (btn) {
      e.preventDefault();
      if (btn.getAttribute("data-go") === "back") show(current - 1, true);
      else if (checkPage(pages[current])) show(current + 1, true);
      return;
    }
    var a = e.target.closest(".error-summary a");
    if (a) {
      var target = document.getElementById(a.getAttribute("href").slice(1));
      var page = target && target.closest("section.page");
      if (page) { e.preventDefault(); show(pages.indexOf(page), false); target.scrollIntoView({ block: "start" }); }
    }
  });

  form.addEventListener("submit", function (e) {
    var submitter = e.submitter || lastSubmitter;
    lastSubmitter = null;
    var action = submitter && submitter.value || "submit";
    if (action !== "submit") return;          /* the language switch re-renders, it does not save */
    if (pages.length > 1 && current < pages.length - 1) {  /* Enter pressed before the last page */
      e.preventDefault();
      if (checkPage(pages[current])) show(current + 1, true);
      return;
    }
    if (!checkPage(pages[current])) e.preventDefault();
  });

  form.addEventListener("input", function (e) {
    var t = e.target;
    if (t.classList.contains("other-text")) {
      var box = t.closest(".other").querySelector(".other-choice");
      if (box && t.value.trim()) box.checked = true;
    }
    var q = t.closest(".q");
    if (!q) return;
    var max = parseInt(q.getAttribute("data-max-words") || "0", 10);
    if (max) {
      var n = words(t.value), counter = q.querySelector(".counter");
      if (counter) { counter.querySelector(".count").textContent = String(n); counter.classList.toggle("over", n > max); }
    }
    if (q.classList.contains("has-error") && !problem(q)) setError(q, "");
  });

  form.addEventListener("change", function (e) {
    var t = e.target, q = t.closest(".q");
    if (t.classList.contains("other-choice") && t.type === "checkbox" && !t.checked) {
      var text = t.closest(".other").querySelector(".other-text");
      if (text) text.value = "";              /* an unticked "other" is not sent */
    }
    if (q && q.classList.contains("has-error") && !problem(q)) setError(q, "");
  });

  show(current, false);
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
