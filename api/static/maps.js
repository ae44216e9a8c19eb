/* cryptokg story maps: the editor's save, its steps, and importing a map file.
 * Talks only to this site (POST /maps, PUT /maps/{id}); the API key stays in this tab's
 * sessionStorage. */
(function () {
  "use strict";

  var KEY = "cryptokg-api-key";

  function status(text) {
    var el = document.querySelector(".map-status");
    if (el) el.textContent = text;
  }

  function apiKey() {
    var input = document.querySelector("[data-map-key]");
    var key = input && input.value ? input.value : "";
    if (key) sessionStorage.setItem(KEY, key);
    return key;
  }

  function problem(r) {
    return r.json().then(function (body) {
      var lines = (body.errors || []).map(function (e) {
        return (e.field ? e.field + ": " : "") + e.message;
      });
      throw new Error((body.detail || body.title || ("HTTP " + r.status)).split("\n")[0] + (lines.length ? " — " + lines.join("; ") : ""));
    }, function () { throw new Error("HTTP " + r.status); });
  }

  function send(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-API-Key": apiKey() },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (!r.ok) return problem(r);
      return r.json();
    });
  }

  function ids(text) {
    return (text || "").split(/[\s,]+/).filter(Boolean);
  }

  function collect(form) {
    var entry = window.cryptokg && window.cryptokg.networks && window.cryptokg.networks.network;
    var positions = entry && entry.network ? entry.network.getPositions() : {};
    var items = function (kind) {
      return Array.prototype.map.call(form.querySelectorAll(".map-items[data-kind=" + kind + "] > li"), function (li) {
        var id = li.getAttribute("data-id");
        var item = {
          id: id,
          hidden: li.querySelector("[data-hide]").checked,
          caption: li.querySelector("[data-caption]").value
        };
        if (kind === "nodes" && positions[id]) {
          item.x = Math.round(positions[id].x * 10) / 10;
          item.y = Math.round(positions[id].y * 10) / 10;
        }
        return item;
      });
    };
    var steps = Array.prototype.map.call(form.querySelectorAll(".map-steps > li"), function (li) {
      return {
        title: li.querySelector("[data-step-title]").value,
        text: li.querySelector("[data-step-text]").value,
        nodes: ids(li.querySelector("[data-step-nodes]").value),
        edges: ids(li.querySelector("[data-step-edges]").value)
      };
    });
    return {
      title: form.querySelector("#map-title").value,
      description: form.querySelector("#map-description").value,
      nodes: items("nodes"),
      edges: items("edges"),
      steps: steps
    };
  }

  function hideOnCanvas(li) {
    var entry = window.cryptokg && window.cryptokg.networks && window.cryptokg.networks.network;
    if (!entry) return;
    var kind = li.parentNode.getAttribute("data-kind");
    var set = kind === "nodes" ? entry.nodes : entry.edges;
    set.update({ id: li.getAttribute("data-id"), hidden: li.querySelector("[data-hide]").checked });
  }

  function addStep(form) {
    var tpl = document.getElementById("step-template");
    var list = form.querySelector(".map-steps");
    var li = tpl.content.firstElementChild.cloneNode(true);
    var entry = window.cryptokg && window.cryptokg.networks && window.cryptokg.networks.network;
    if (entry && entry.network) {
      var sel = entry.network.getSelectedNodes();
      li.querySelector("[data-step-nodes]").value = sel.join(" ");
    }
    list.appendChild(li);
    li.querySelector("[data-step-title]").focus();
  }

  function init() {
    var stored = sessionStorage.getItem(KEY);
    var keyInput = document.querySelector("[data-map-key]");
    if (stored && keyInput && !keyInput.value) keyInput.value = stored;

    var form = document.getElementById("map-editor");
    if (form) {
      // The editor saves through the API; Enter in a field must not submit the form.
      form.addEventListener("submit", function (ev) { ev.preventDefault(); });
      form.addEventListener("change", function (ev) {
        if (ev.target.matches("[data-hide]")) hideOnCanvas(ev.target.closest("li"));
      });
      form.addEventListener("click", function (ev) {
        var t = ev.target;
        if (t.matches("[data-step-add]")) addStep(form);
        else if (t.matches("[data-step-remove]")) t.closest("li").remove();
        else if (t.matches("[data-map-save]")) {
          status("Saving…");
          send(form.getAttribute("data-method"), form.getAttribute("data-action"), collect(form))
            .then(function (saved) {
              status("Saved.");
              window.location.assign(saved.url);
            })
            .catch(function (err) { status("Not saved: " + err.message); });
        }
      });
    }

    var importButton = document.querySelector("[data-map-import]");
    if (importButton) {
      importButton.addEventListener("click", function () {
        var file = document.getElementById("import-file").files[0];
        if (!file) { status("Choose a map file first."); return; }
        file.text().then(function (text) {
          var data;
          try { data = JSON.parse(text); } catch (e) { throw new Error("the file is not JSON: " + e.message); }
          return send("POST", (document.body.getAttribute("data-root") || "") + "/maps", data);
        }).then(function (saved) {
          status("Imported.");
          window.location.assign(saved.url);
        }).catch(function (err) { status("Not imported: " + err.message); });
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
