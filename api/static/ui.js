/* cryptokg pages: search suggestions, entity pickers, the embed snippet and copy buttons.
 * Talks only to this site (the JSON API's /api/v1/search). Results are inserted as text. */
(function () {
  "use strict";

  var root = document.body.getAttribute("data-root") || "";
  var counter = 0;

  function hasWord(q) {
    return /[0-9A-Za-z\u00C0-\uFFFF]/.test(q);
  }

  function setupSuggest(input) {
    var mode = input.getAttribute("data-suggest");
    var target = input.getAttribute("data-target");
    var list = document.createElement("ul");
    counter += 1;
    list.id = (input.id || "suggest") + "-list-" + counter;
    list.className = "suggest";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var hint = input.getAttribute("aria-describedby") ? document.getElementById(input.getAttribute("aria-describedby")) : null;
    var items = [];
    var active = -1;
    var seq = 0;
    var timer = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      var options = list.querySelectorAll("[role=option]");
      for (var j = 0; j < options.length; j++) options[j].setAttribute("aria-selected", j === i ? "true" : "false");
      active = i;
      if (i >= 0 && options[i]) {
        input.setAttribute("aria-activedescendant", options[i].id);
        options[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(i) {
      var hit = items[i];
      if (!hit) return;
      if (mode === "go") {
        var url = root + "/entity/" + encodeURIComponent(hit.id);
        if (target === "_top") window.open(url, "_top");
        else window.location.href = url;
        return;
      }
      input.value = hit.id;
      if (hint) hint.textContent = hit.name + " (" + hit.kind + ")";
      close();
    }

    function render() {
      list.textContent = "";
      items.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.className = "name";
        name.textContent = hit.name;
        var kind = document.createElement("span");
        kind.className = "kind kind-" + String(hit.kind).replace(/[^a-z]/g, "");
        kind.textContent = hit.kind;
        li.appendChild(name);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(kind);
        if (hit.match === "alias" || hit.match === "fuzzy") {
          var why = document.createElement("span");
          why.className = "muted";
          why.textContent = " " + hit.match;
          li.appendChild(why);
        }
        li.addEventListener("mousedown", function (ev) {
          ev.preventDefault();
          choose(i);
        });
        list.appendChild(li);
      });
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(-1);
      } else {
        close();
      }
    }

    function lookup() {
      var q = input.value.trim();
      if (!q || !hasWord(q)) {
        items = [];
        close();
        return;
      }
      var mine = ++seq;
      fetch(root + "/api/v1/search?limit=8&q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          if (mine !== seq) return;
          items = data.results || [];
          render();
        })
        .catch(function () { /* suggestions are optional: the form still works */ });
    }

    input.addEventListener("input", function () {
      if (hint && mode === "pick") hint.textContent = "";
      clearTimeout(timer);
      timer = setTimeout(lookup, 120);
    });
    input.addEventListener("keydown", function (ev) {
      if (list.hidden) {
        if (ev.key === "ArrowDown" && items.length) { render(); ev.preventDefault(); }
        return;
      }
      if (ev.key === "ArrowDown") { highlight(Math.min(active + 1, items.length - 1)); ev.preventDefault(); }
      else if (ev.key === "ArrowUp") { highlight(Math.max(active - 1, -1)); ev.preventDefault(); }
      else if (ev.key === "Enter" && active >= 0) { choose(active); ev.preventDefault(); }
      else if (ev.key === "Escape") { close(); ev.preventDefault(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function copyText(field, status) {
    var text = field.value;
    function done(ok) {
      if (status) status.textContent = ok ? "Copied." : "Select the text and copy it with Ctrl+C.";
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { fallback(); });
    } else {
      fallback();
    }
    function fallback() {
      field.focus();
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
  }

  function escapeAttr(s) {
    return String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function setupShare(box) {
    var base = box.getAttribute("data-embed-base");
    var title = box.getAttribute("data-embed-title") || "cryptokg";
    var code = box.querySelector("#embed-code");
    var status = box.querySelector(".copy-status");
    function update() {
      var url = new URL(base);
      box.querySelectorAll("[data-embed-opt]").forEach(function (cb) {
        var name = cb.getAttribute("data-embed-opt");
        var dflt = name !== "search";
        url.searchParams.delete(name);
        if (cb.checked !== dflt) url.searchParams.set(name, cb.checked ? "1" : "0");
      });
      if (code) {
        code.value = '<iframe src="' + escapeAttr(url.toString()) + '" title="' + escapeAttr(title) +
          '" width="100%" height="600" style="border:1px solid #d0d7de" loading="lazy"></iframe>';
      }
    }
    box.addEventListener("change", function (ev) {
      if (ev.target.hasAttribute("data-embed-opt")) update();
    });
    box.addEventListener("click", function (ev) {
      var btn = ev.target.closest("[data-copy]");
      if (!btn) return;
      var field = document.getElementById(btn.getAttribute("data-copy"));
      if (field) copyText(field, status);
    });
    update();
  }

  function start() {
    document.querySelectorAll("input[data-suggest]").forEach(setupSuggest);
    document.querySelectorAll("details.share[data-embed-base]").forEach(setupShare);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
