/* A short SCORM 1.2 lesson: a few screens, then a quiz. Reports status, score and time to the LMS.
   Content comes from content.js (window.LESSON = {ar: {...}, fr: {...}}). No external resources. */
(function () {
  "use strict";
  var lesson = window.LESSON;
  var api = findAPI(window);
  var started = new Date();
  var finished = false;
  var state = { screen: 0, answers: {} };
  var lang = "ar";

  function findAPI(win) {
    var tries = 0;
    while (win && tries < 10) {
      if (win.API) { return win.API; }
      if (win.parent === win) { break; }
      win = win.parent; tries++;
    }
    if (window.opener && window.opener.API) { return window.opener.API; }
    return null;
  }
  function get(name) { try { return api ? String(api.LMSGetValue(name) || "") : ""; } catch (e) { return ""; } }
  function set(name, value) { try { if (api) { api.LMSSetValue(name, String(value)); } } catch (e) { /* ignore */ } }
  function commit() { try { if (api) { api.LMSCommit(""); } } catch (e) { /* ignore */ } }

  function sessionTime() {
    var s = Math.max(0, Math.round((new Date() - started) / 1000));
    function pad(n, w) { n = String(n); while (n.length < w) { n = "0" + n; } return n; }
    return pad(Math.floor(s / 3600), 4) + ":" + pad(Math.floor(s / 60) % 60, 2) + ":" + pad(s % 60, 2);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function render() {
    var t = lesson[lang];
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === "ar" ? "rtl" : "ltr";
    document.title = t.title;
    var main = document.getElementById("lesson");
    main.innerHTML = "";
    var header = el("header");
    header.appendChild(el("h1", {}, t.title));
    var switcher = el("div", { "class": "lang", role: "group", "aria-label": t.ui.language });
    ["ar", "fr"].forEach(function (code) {
      var b = el("button", { type: "button", "class": "secondary", lang: code, "aria-pressed": String(code === lang) },
                 code === "ar" ? "العربية" : "Français");
      b.addEventListener("click", function () { lang = code; render(); });
      switcher.appendChild(b);
    });
    header.appendChild(switcher);
    main.appendChild(header);
    var total = t.screens.length + 1;
    main.appendChild(el("p", { "class": "steps" }, t.ui.step.replace("%n", state.screen + 1).replace("%t", total)));
    var card = el("section", { "class": "card" });
    main.appendChild(card);
    if (state.screen < t.screens.length) {
      var screen = t.screens[state.screen];
      card.appendChild(el("h2", {}, screen.heading));
      screen.paragraphs.forEach(function (p) { card.appendChild(el("p", {}, p)); });
      set("cmi.core.lesson_location", String(state.screen));
      commit();
    } else {
      renderQuiz(card, t);
    }
    var nav = el("div", { "class": "nav" });
    if (state.screen > 0) {
      var prev = el("button", { type: "button", "class": "secondary" }, t.ui.previous);
      prev.addEventListener("click", function () { state.screen--; render(); });
      nav.appendChild(prev);
    } else { nav.appendChild(el("span")); }
    if (state.screen < t.screens.length) {
      var next = el("button", { type: "button", id: "next" }, t.ui.next);
      next.addEventListener("click", function () { state.screen++; render(); });
      nav.appendChild(next);
    }
    main.appendChild(nav);
    var heading = main.querySelector("h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  function renderQuiz(card, t) {
    card.appendChild(el("h2", {}, t.ui.quiz));
    var form = el("form", { id: "quiz" });
    t.questions.forEach(function (q, qi) {
      var fs = el("fieldset");
      fs.appendChild(el("legend", {}, (qi + 1) + ". " + q.text));
      q.choices.forEach(function (choice, ci) {
        var id = "q" + qi + "c" + ci;
        var label = el("label", { "for": id });
        var input = el("input", { type: "radio", name: "q" + qi, id: id, value: String(ci) });
        if (state.answers[qi] === ci) { input.checked = true; }
        input.addEventListener("change", function () { state.answers[qi] = ci; });
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + choice));
        fs.appendChild(label);
      });
      form.appendChild(fs);
    });
    var submit = el("button", { type: "submit", id: "submit-quiz" }, t.ui.submit);
    form.appendChild(submit);
    var result = el("p", { id: "quiz-result", role: "status" });
    form.appendChild(result);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var correct = 0;
      t.questions.forEach(function (q, qi) {
        var ok = state.answers[qi] === q.answer;
        if (ok) { correct++; }
        set("cmi.interactions." + qi + ".id", "q" + (qi + 1));
        set("cmi.interactions." + qi + ".type", "choice");
        set("cmi.interactions." + qi + ".student_response", state.answers[qi] === undefined ? "" : String(state.answers[qi]));
        set("cmi.interactions." + qi + ".result", ok ? "correct" : "wrong");
      });
      var score = Math.round(100 * correct / t.questions.length);
      var passed = score >= lesson.mastery;
      set("cmi.core.score.min", "0");
      set("cmi.core.score.max", "100");
      set("cmi.core.score.raw", String(score));
      set("cmi.core.lesson_status", passed ? "passed" : "failed");
      set("cmi.core.exit", "");
      commit();
      result.className = passed ? "feedback-ok" : "feedback-ko";
      result.textContent = (passed ? t.ui.passed : t.ui.failed).replace("%s", String(score));
    });
    card.appendChild(form);
  }

  function finish() {
    if (finished) { return; }
    finished = true;
    set("cmi.core.session_time", sessionTime());
    commit();
    try { if (api) { api.LMSFinish(""); } } catch (e) { /* ignore */ }
  }

  if (api) {
    try { api.LMSInitialize(""); } catch (e) { /* ignore */ }
    var pref = get("cmi.student_preference.language");
    if (pref.indexOf("fr") === 0) { lang = "fr"; }
    var status = get("cmi.core.lesson_status");
    if (status === "not attempted" || status === "") { set("cmi.core.lesson_status", "incomplete"); }
    var location = parseInt(get("cmi.core.lesson_location"), 10);
    if (!isNaN(location)) { state.screen = location; }
    commit();
  } else if ((navigator.language || "").indexOf("fr") === 0) {
    lang = "fr";
  }
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
  render();
})();
