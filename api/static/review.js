/* cryptokg proposals: the "propose a fact" form of entity pages and the review queue's buttons.
 * Talks only to this site (POST /api/v1/proposals, /api/v1/proposals/{id}/approve|reject); the
 * API key stays in this tab's sessionStorage. */
(function () {
  "use strict";

  var KEY = "cryptokg-api-key";

  function problem(r) {
    return r.json().then(function (body) {
      var lines = (body.errors || []).map(function (e) {
        return (e.field ? e.field + ": " : "") + e.message;
      });
      throw new Error((body.detail || body.title || ("HTTP " + r.status)).split("\n")[0] + (lines.length ? " — " + lines.join("; ") : ""));
    }, function () { throw new Error("HTTP " + r.status); });
  }

  function post(url, key, reason, body) {
    if (key) sessionStorage.setItem(KEY, key);
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-API-Key": key, "X-Change-Reason": reason },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      if (!r.ok) return problem(r);
      return r.json();
    });
  }

  function value(form, name) {
    var el = form.elements[name];
    return el && el.value ? el.value.trim() : "";
  }

  function setIf(obj, key, v) { if (v) obj[key] = v; }

  function proposeForm(form) {
    var out = form.querySelector(".propose-status");
    var stored = sessionStorage.getItem(KEY);
    if (stored && form.elements.key) form.elements.key.value = stored;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var me = form.getAttribute("data-entity");
      var other = value(form, "other");
      var source = { kind: value(form, "kind"), title: value(form, "title"), url: value(form, "url") };
      setIf(source, "publisher", value(form, "publisher"));
      setIf(source, "date", value(form, "date"));
      var rel = {
        source: value(form, "direction") === "target" ? other : me,
        target: value(form, "direction") === "target" ? me : other,
        type: value(form, "type"),
        status: value(form, "status")
      };
      setIf(rel, "start", value(form, "start"));
      setIf(rel, "end", value(form, "end"));
      setIf(rel, "role", value(form, "role"));
      out.textContent = "Sending…";
      post(form.getAttribute("action") || "/api/v1/proposals", value(form, "key"), value(form, "reason"),
           { action: "add", sources: [source], relationships: [rel] })
        .then(function (p) {
          out.textContent = "Proposal #" + p.id + " sent for review.";
          out.setAttribute("data-proposal", String(p.id));
        }, function (err) { out.textContent = "Not sent: " + err.message; });
    });
  }

  function reviewQueue() {
    var out = document.querySelector(".review-status");
    var keyInput = document.getElementById("r-key");
    var stored = sessionStorage.getItem(KEY);
    if (stored && keyInput) keyInput.value = stored;
    document.querySelectorAll("[data-decide]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var id = btn.getAttribute("data-id");
        var verb = btn.getAttribute("data-decide");
        var reason = document.getElementById("r-reason").value.trim();
        out.textContent = "Sending…";
        var root = document.querySelector("[data-review-key]").getAttribute("data-root") || "";
        post(root + "/api/v1/proposals/" + encodeURIComponent(id) + "/" + verb, keyInput.value.trim(), reason)
          .then(function (p) {
            out.textContent = "Proposal #" + p.id + " " + p.status + ".";
            var item = document.querySelector('[data-proposal="' + id + '"]');
            if (item) item.setAttribute("data-status", p.status);
            if (item) item.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
          }, function (err) { out.textContent = "Not done: " + err.message; });
      });
    });
  }

  document.querySelectorAll("[data-propose]").forEach(proposeForm);
  if (document.querySelector("[data-review-key]")) reviewQueue();
})();
