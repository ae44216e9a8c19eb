/* cryptokg network views: draws every [data-ckg-network] section with vis-network.
 *
 * The section carries its data as JSON (nodes, edges, options). Layout is seeded by the
 * server's options; once stabilisation is done physics is switched off, so the picture
 * stays still. Clicking a node (or a "Show" button of the text version) opens the side
 * panel, fetched as server-rendered HTML; its "Expand" button adds the node's neighbours
 * in place. Nothing here talks to any host but the one that served the page.
 */
(function () {
  "use strict";

  var registry = {};
  window.cryptokg = window.cryptokg || {};
  window.cryptokg.networks = registry;
  var HIGHLIGHT = "#d62728";
  var FADED = 0.18;
  // Node labels are never drawn smaller than this on screen (CSS pixels), and never on top
  // of each other: at each zoom level the labels that fit are shown, most important first.
  var MIN_LABEL_PX = 12;
  var LABEL_FACE = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";

  function closest(node, selector) {
    while (node && node.nodeType === 1) {
      if (node.matches(selector)) return node;
      node = node.parentNode;
    }
    return null;
  }

  function say(entry, text) {
    if (entry.status) entry.status.textContent = text;
  }

  function whiteBackground(ctx) {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
  }

  function markReady(entry) {
    if (entry.ready) return;
    entry.ready = true;
    entry.network.setOptions({ physics: { enabled: false } });
    if (entry.clusters.length) foldCommunities(entry);
    entry.network.fit({ animation: false });
    layoutLabels(entry);
    entry.section.setAttribute("data-ready", "true");
    say(entry, "");
  }

  function selectNode(entry, id, focus) {
    if (!entry.nodes.get(id)) return;
    entry.network.selectNodes([id]);
    applyLabels(entry);
    if (focus) {
      entry.network.focus(id, { scale: Math.max(entry.network.getScale(), 1.0), animation: { duration: 300 } });
    }
  }

  // When the panel lies over the canvas and hides the node, pan the node into the free part.
  function revealBesidePanel(entry, id) {
    if (window.getComputedStyle(entry.panel).position !== "absolute") return;
    var pos = entry.network.getPositions([id])[id];
    if (!pos) return;
    var dom = entry.network.canvasToDOM(pos);
    var free = entry.canvas.clientWidth - entry.panel.offsetWidth - 16;
    if (dom.x < free - 24) return;
    entry.network.moveTo({
      position: pos,
      scale: entry.network.getScale(),
      offset: { x: -entry.panel.offsetWidth / 2, y: 0 },
      animation: { duration: 250 }
    });
  }

  function closePanel(entry) {
    entry.panel.hidden = true;
    entry.panel.innerHTML = "";
    entry.section.removeAttribute("data-panel");
    entry.network.unselectAll();
    applyLabels(entry);
    if (entry.returnFocus) entry.returnFocus.focus();
  }

  function openPanel(entry, id, returnFocus) {
    var base = entry.section.getAttribute("data-panel-url");
    selectNode(entry, id, false);
    if (!base) return;
    entry.returnFocus = returnFocus || entry.canvas;
    var url = base + encodeURIComponent(id);
    var target = entry.section.getAttribute("data-link-target");
    var expand = entry.section.getAttribute("data-expand-url") ? "1" : "0";
    url += "?expand=" + expand + (target ? "&target=" + encodeURIComponent(target) : "");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (html) {
        // The panel is HTML rendered (and escaped) by the server.
        entry.panel.innerHTML = html;
        entry.panel.hidden = false;
        entry.section.setAttribute("data-panel", id);
        revealBesidePanel(entry, id);
        var heading = entry.panel.querySelector("h2, h3");
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus({ preventScroll: true });
        }
      })
      .catch(function (err) {
        say(entry, "Could not load the details: " + err.message);
      });
  }

  function addText(entry, data) {
    var ents = entry.section.querySelector(".ckg-text-entities");
    var rels = entry.section.querySelector(".ckg-text-relations");
    var base = entry.section.getAttribute("data-entity-url") || "/entity/";
    (data.entities || []).forEach(function (n) {
      if (!ents || ents.querySelector('[data-node="' + CSS.escape(n.id) + '"]')) return;
      var li = document.createElement("li");
      li.setAttribute("data-node", n.id);
      var a = document.createElement("a");
      a.href = base + encodeURIComponent(n.id);
      a.textContent = n.name;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" " + n.kind_label + ", added by expanding "));
      var b = document.createElement("button");
      b.type = "button";
      b.className = "ckg-show";
      b.setAttribute("data-ckg-show", n.id);
      b.textContent = "Show";
      li.appendChild(b);
      ents.appendChild(li);
    });
    (data.relations || []).forEach(function (e) {
      if (!rels || rels.querySelector('[data-edge="' + CSS.escape(e.id) + '"]')) return;
      var li = document.createElement("li");
      li.setAttribute("data-edge", e.id);
      li.className = "ckg-rel ckg-status-" + e.status;
      li.textContent = e.sentence + " (sources on the entity's page)";
      rels.appendChild(li);
    });
    var summary = entry.section.querySelector(".ckg-text summary");
    if (summary && ents && rels) {
      summary.textContent = summary.textContent.replace(
        /^Text version: \d+ entities, \d+ relationships/,
        "Text version: " + ents.children.length + " entities, " + rels.children.length + " relationships"
      );
    }
  }

  // New nodes go around the expanded one, in the server's (sorted) order, each in the first
  // free spot of rings of growing radius: never on top of a node already drawn.
  function placeAround(entry, origin, fresh) {
    var taken = [];
    var all = entry.network.getPositions();
    Object.keys(all).forEach(function (nid) {
      var n = entry.nodes.get(nid);
      taken.push({ x: all[nid].x, y: all[nid].y, r: (n && n.size) || 12 });
    });
    var gap = 28;
    var ring = 0;
    var slot = 0;
    fresh.forEach(function (n) {
      var r = n.size || 12;
      for (var tries = 0; tries < 2000; tries++) {
        var radius = 140 + ring * 90;
        var slots = Math.max(8, Math.floor((2 * Math.PI * radius) / 80));
        if (slot >= slots) { ring += 1; slot = 0; continue; }
        var angle = (2 * Math.PI * slot) / slots + ring * 0.35;
        slot += 1;
        var x = origin.x + radius * Math.cos(angle);
        var y = origin.y + radius * Math.sin(angle);
        var free = taken.every(function (t) {
          var dx = t.x - x, dy = t.y - y;
          return Math.sqrt(dx * dx + dy * dy) >= t.r + r + gap;
        });
        if (free) {
          n.x = x;
          n.y = y;
          taken.push({ x: x, y: y, r: r });
          break;
        }
      }
      delete n.opacity;
    });
  }

  // Keyboard on the canvas (its first tab stop): arrows pan, + and - zoom, 0 fits.
  function onCanvasKey(entry, ev) {
    var net = entry.network;
    if (!net || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var step = 80 / net.getScale();
    var view = net.getViewPosition();
    var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[ev.key]) {
      net.moveTo({ position: { x: view.x + moves[ev.key][0], y: view.y + moves[ev.key][1] }, scale: net.getScale() });
    } else if (ev.key === "+" || ev.key === "=") {
      net.moveTo({ scale: net.getScale() * 1.25 });
    } else if (ev.key === "-" || ev.key === "_") {
      net.moveTo({ scale: net.getScale() / 1.25 });
    } else if (ev.key === "0") {
      net.fit({ animation: false });
    } else return;
    ev.preventDefault();
    scheduleLabels(entry);
  }

  // The tooltip never lies over the open side panel: it moves to the panel's left.
  function keepTooltipBesidePanel(entry) {
    if (!entry.panel || entry.panel.hidden) return;
    var tip = entry.canvas.querySelector("div.vis-tooltip");
    if (!tip || tip.style.visibility === "hidden") return;
    var t = tip.getBoundingClientRect();
    var p = entry.panel.getBoundingClientRect();
    if (t.right <= p.left || t.left >= p.right || t.bottom <= p.top || t.top >= p.bottom) return;
    var host = tip.offsetParent ? tip.offsetParent.getBoundingClientRect() : entry.canvas.getBoundingClientRect();
    var room = p.left - host.left - 8;
    tip.style.maxWidth = Math.max(160, room) + "px";
    var width = Math.min(tip.offsetWidth, Math.max(160, room));
    tip.style.left = Math.max(0, room - width) + "px";
  }

  function expand(entry, id, button) {
    var base = entry.section.getAttribute("data-expand-url");
    if (!base) return;
    var query = entry.section.getAttribute("data-expand-query") || "";
    // aria-disabled rather than disabled: a disabled button would lose the keyboard focus.
    if (button) {
      if (button.getAttribute("aria-disabled") === "true") return;
      button.setAttribute("aria-disabled", "true");
    }
    say(entry, "Loading the neighbours…");
    fetch(base + encodeURIComponent(id) + (query ? "?" + query : ""), { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        var origin = entry.network.getPositions([id])[id] || { x: 0, y: 0 };
        var fresh = data.nodes.filter(function (n) { return !entry.nodes.get(n.id); });
        placeAround(entry, origin, fresh);
        rememberLabels(entry, fresh);
        entry.nodes.add(fresh);
        var newEdges = data.edges.filter(function (e) { return !entry.edges.get(e.id); });
        newEdges.forEach(function (e) { entry.labelOf[e.id] = e.label || ""; });
        entry.edges.add(newEdges);
        remember(entry);
        applyLabels(entry);
        layoutLabels(entry);
        addText(entry, data);
        say(entry, "Added " + fresh.length + " entities and " + newEdges.length + " relationships.");
        if (button) {
          button.textContent = "Neighbours shown";
        }
        entry.section.setAttribute("data-expanded", String(Number(entry.section.getAttribute("data-expanded") || 0) + 1));
      })
      .catch(function (err) {
        if (button) button.removeAttribute("aria-disabled");
        say(entry, "Could not expand: " + err.message);
      });
  }

  // Edge labels: all shown, or (large views) only those of highlighted relationships (a path)
  // and of the selected entity's relationships.
  function applyLabels(entry) {
    var selected = {};
    entry.keepLabels.forEach(function (eid) { selected[eid] = true; });
    if (!entry.labels && entry.network) {
      entry.network.getSelectedNodes().forEach(function (id) {
        entry.network.getConnectedEdges(id).forEach(function (eid) { selected[eid] = true; });
      });
    }
    var updates = [];
    entry.edges.forEach(function (e) {
      var want = entry.labels || selected[e.id] ? entry.labelOf[e.id] : "";
      if (e.label !== want) updates.push({ id: e.id, label: want });
    });
    if (updates.length) entry.edges.update(updates);
  }

  function toggleLabels(entry, button) {
    entry.labels = !entry.labels;
    applyLabels(entry);
    button.setAttribute("aria-pressed", entry.labels ? "true" : "false");
  }

  // -- legible labels -------------------------------------------------------------------

  function baseFont(entry, n) {
    var f = entry.fontOf[n.id];
    return f || { size: entry.defaultFont, bold: false };
  }

  function labelPriority(entry, n) {
    if (n.id === entry.hoverId) return 0;
    if (entry.network.getSelectedNodes().indexOf(n.id) >= 0) return 1;
    if (entry.keepNodes[n.id]) return 2;
    return 3;
  }

  // Sizes every node label to at least MIN_LABEL_PX on screen and hides those that would
  // overlap a more important one (hovered, selected, highlighted, then bigger nodes). A
  // hidden label is still in the tooltip, the side panel and the text version.
  function layoutLabels(entry) {
    if (!entry.network || !entry.ready) return;
    var net = entry.network;
    var scale = net.getScale();
    var ctx = entry.measure || (entry.measure = document.createElement("canvas").getContext("2d"));
    var order = entry.nodes.get();
    order.sort(function (a, b) {
      return labelPriority(entry, a) - labelPriority(entry, b) || (b.size || 0) - (a.size || 0) || (a.id < b.id ? -1 : 1);
    });
    var positions = net.getPositions(order.map(function (n) { return n.id; }));
    var placed = [];
    var updates = [];
    order.forEach(function (n) {
      var font = baseFont(entry, n);
      var px = Math.max(font.size * scale, MIN_LABEL_PX);
      var text = entry.nameOf[n.id] || "";
      if (n.id === entry.hoverId || labelPriority(entry, n) === 1) text = entry.fullNameOf[n.id] || text;
      var pos = positions[n.id];
      var show = false;
      // an entity folded into a community is not drawn
      if (entry.clusters.length && net.findNode(n.id).length > 1) pos = null;
      if (text && pos && !n.hidden) {
        ctx.font = (font.bold ? "bold " : "") + px + "px " + LABEL_FACE;
        var w = ctx.measureText(text).width + 6;
        var h = px * 1.3 + 2;
        var c = net.canvasToDOM(pos);
        var top = c.y + (n.size || 10) * scale + 1;
        var box = { l: c.x - w / 2, r: c.x + w / 2, t: top, b: top + h };
        show = !placed.some(function (o) { return box.l < o.r && o.l < box.r && box.t < o.b && o.t < box.b; });
        if (show) placed.push(box);
      }
      var want = show ? text : "";
      var size = px / scale;
      var current = n.font && n.font.size;
      if (n.label !== want || Math.abs((current || 0) - size) > 0.01) {
        updates.push({ id: n.id, label: want, font: { size: size, bold: font.bold, face: LABEL_FACE } });
      }
    });
    if (updates.length) entry.nodes.update(updates);
    entry.section.setAttribute("data-labels-shown", String(placed.length));
  }

  function scheduleLabels(entry) {
    if (entry.labelTimer) return;
    entry.labelTimer = setTimeout(function () {
      entry.labelTimer = null;
      layoutLabels(entry);
    }, 60);
  }

  function rememberLabels(entry, nodes) {
    nodes.forEach(function (n) {
      if (entry.nameOf[n.id] !== undefined) return;
      entry.nameOf[n.id] = n.label || "";
      entry.fullNameOf[n.id] = n.name || n.label || "";
      if (n.font && n.font.size) entry.fontOf[n.id] = { size: n.font.size, bold: !!n.font.bold };
    });
  }

  // -- communities ---------------------------------------------------------------------------

  function foldCommunities(entry) {
    var net = entry.network;
    var member = {};
    entry.nodes.forEach(function (n) { member[n.id] = n.community; });
    var size = Math.max(18, MIN_LABEL_PX / net.getScale());
    entry.clusters.forEach(function (c) {
      if (isFolded(net, c.id)) return;
      net.cluster({
        joinCondition: function (o) { return member[o.id] === c.community; },
        clusterNodeProperties: {
          id: c.id, label: c.label, title: c.title, shape: "dot", size: 22 + 3 * Math.sqrt(c.size),
          borderWidth: 2, color: { background: "#dde3ea", border: "#57606a" },
          font: { size: size, bold: true, face: LABEL_FACE, strokeWidth: 4, strokeColor: "#ffffff" }
        }
      });
    });
    entry.folded = true;
    setFolded(entry);
  }

  function isFolded(net, id) {
    return net.body.nodes[id] !== undefined && net.isCluster(id);
  }

  function openCommunities(entry) {
    entry.clusters.forEach(function (c) {
      if (isFolded(entry.network, c.id)) entry.network.openCluster(c.id);
    });
    entry.folded = false;
    setFolded(entry);
  }

  function setFolded(entry) {
    var ids = entry.clusters.filter(function (c) { return isFolded(entry.network, c.id); }).map(function (c) { return c.id; });
    var open = ids.length;
    entry.section.setAttribute("data-clusters", ids.join(" "));
    var b = entry.section.querySelector("[data-ckg=clusters]");
    if (b) {
      b.setAttribute("aria-pressed", open ? "true" : "false");
      b.textContent = open ? "Open all communities" : "Fold communities";
    }
    scheduleLabels(entry);
  }

  // -- time --------------------------------------------------------------------------------

  function holds(e, day) {
    return (!e.from_day || e.from_day <= day) && (!e.until_day || e.until_day >= day);
  }

  // Shows what held on ``day`` (ISO; null: everything). Nothing moves: leaving elements fade
  // out and are hidden, entering ones fade in where they always were.
  function applyAsOf(entry, day) {
    entry.asOf = day;
    var edgeUpd = [];
    var keepNode = {};
    Object.keys(entry.keepNodes).forEach(function (id) { keepNode[id] = true; });
    entry.edges.forEach(function (e) {
      var on = !day || holds(e, day);
      if (on) { keepNode[e.from] = true; keepNode[e.to] = true; }
      if (!!e.hidden === on) edgeUpd.push({ id: e.id, hidden: !on });
    });
    var entering = [], leaving = [];
    entry.nodes.forEach(function (n) {
      var on = !day || !!keepNode[n.id];
      if (on && n.hidden) entering.push(n.id);
      if (!on && !n.hidden) leaving.push(n.id);
    });
    var base = function (id) { return (entry.baseNodes[id] || { opacity: 1 }).opacity; };
    entry.nodes.update(leaving.map(function (id) { return { id: id, opacity: 0.15 }; }));
    entry.nodes.update(entering.map(function (id) { return { id: id, hidden: false, opacity: 0.15 }; }));
    entry.edges.update(edgeUpd);
    clearTimeout(entry.fadeTimer);
    entry.fadeTimer = setTimeout(function () {
      entry.nodes.update(leaving.map(function (id) { return { id: id, hidden: true, opacity: base(id) }; }));
      entry.nodes.update(entering.map(function (id) { return { id: id, opacity: base(id) }; }));
      entry.section.setAttribute("data-as-of", day || "");
      scheduleLabels(entry);
    }, 250);
  }

  function onSlider(entry, input) {
    var year = Number(input.value);
    var all = year > Number(input.getAttribute("max")) - 1;
    var out = entry.section.querySelector(".ckg-asof-out");
    var text = all ? "all dates" : String(year);
    if (out) out.textContent = text;
    input.setAttribute("aria-valuetext", text);
    applyAsOf(entry, all ? null : year + "-12-31");
  }

  // One path (or any set of entities and relationships) drawn strongly, the rest faded;
  // with no ids, every element gets back the look the server gave it.
  function showOnly(entry, nodeIds, edgeIds) {
    var onN = {}, onE = {};
    (nodeIds || []).forEach(function (id) { onN[id] = true; });
    (edgeIds || []).forEach(function (id) { onE[id] = true; });
    var all = !nodeIds;
    var nodes = [], edges = [];
    entry.nodes.forEach(function (n) {
      var base = entry.baseNodes[n.id];
      if (!base) return;
      if (all) nodes.push({ id: n.id, opacity: base.opacity, color: base.color, borderWidth: base.borderWidth });
      else if (onN[n.id]) {
        nodes.push({ id: n.id, opacity: 1, borderWidth: 4, color: Object.assign({}, base.color, { border: HIGHLIGHT }) });
      } else nodes.push({ id: n.id, opacity: FADED, borderWidth: base.borderWidth, color: base.color });
    });
    entry.edges.forEach(function (e) {
      var base = entry.baseEdges[e.id];
      if (!base) return;
      if (all) edges.push({ id: e.id, color: base.color, width: base.width });
      else if (onE[e.id]) {
        edges.push({ id: e.id, width: Math.max(base.width, 3), color: Object.assign({}, base.color, { color: HIGHLIGHT, hover: HIGHLIGHT, opacity: 1 }) });
      } else edges.push({ id: e.id, width: base.width, color: Object.assign({}, base.color, { color: "#8c959f", hover: "#8c959f", opacity: FADED }) });
    });
    entry.nodes.update(nodes);
    entry.edges.update(edges);
    entry.keepLabels = all ? entry.baseKeepLabels : Object.keys(onE);
    applyLabels(entry);
    entry.section.setAttribute("data-only", all ? "" : String(Object.keys(onN).length));
  }

  // The server's look of every element not yet remembered (for showOnly's "show all").
  function remember(entry) {
    entry.baseNodes = entry.baseNodes || {};
    entry.baseEdges = entry.baseEdges || {};
    entry.nodes.forEach(function (n) {
      if (entry.baseNodes[n.id]) return;
      entry.baseNodes[n.id] = { opacity: n.opacity === undefined ? 1 : n.opacity, color: n.color, borderWidth: n.borderWidth };
    });
    entry.edges.forEach(function (e) {
      if (!entry.baseEdges[e.id]) entry.baseEdges[e.id] = { color: e.color, width: e.width };
    });
  }

  function pathButton(button) {
    var entry = registry[button.getAttribute("aria-controls")];
    if (!entry || !entry.network) return;
    var pressed = button.getAttribute("aria-pressed") === "true";
    var buttons = document.querySelectorAll("[data-ckg-path][aria-controls='" + entry.section.id + "']");
    for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute("aria-pressed", "false");
    if (pressed) {
      showOnly(entry);
      say(entry, "");
      return;
    }
    button.setAttribute("aria-pressed", "true");
    var ids = (button.getAttribute("data-nodes") || "").split(" ").filter(Boolean);
    var edges = (button.getAttribute("data-edges") || "").split(" ").filter(Boolean);
    if (!edges.length) {
      // a step that names only entities shows the relationships among them
      var on = {};
      ids.forEach(function (id) { on[id] = true; });
      entry.edges.forEach(function (e) { if (on[e.from] && on[e.to]) edges.push(e.id); });
    }
    showOnly(entry, ids, edges);
    entry.network.fit({ nodes: ids, animation: { duration: 300 } });
  }

  function shapePath(ctx, shape, x, y, r) {
    ctx.beginPath();
    if (shape === "square") ctx.rect(x - r, y - r, 2 * r, 2 * r);
    else if (shape === "triangle") { ctx.moveTo(x, y - r); ctx.lineTo(x + r, y + r); ctx.lineTo(x - r, y + r); ctx.closePath(); }
    else if (shape === "triangleDown") { ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y - r); ctx.lineTo(x, y + r); ctx.closePath(); }
    else if (shape === "diamond") { ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath(); }
    else if (shape === "hexagon" || shape === "star") {
      for (var i = 0; i < 6; i++) {
        var a = Math.PI / 3 * i - Math.PI / 2;
        ctx[i ? "lineTo" : "moveTo"](x + r * Math.cos(a), y + r * Math.sin(a));
      }
      ctx.closePath();
    } else ctx.arc(x, y, r, 0, 2 * Math.PI);
  }

  // What the picture needs to stand alone: the kinds and statuses it shows.
  function legendItems(entry) {
    var kinds = {}, statuses = {};
    entry.nodes.forEach(function (n) {
      if (n.hidden || !n.kind || kinds[n.kind]) return;
      var label = n.kind.charAt(0).toUpperCase() + n.kind.slice(1);
      kinds[n.kind] = { label: label, colour: (n.color && n.color.background) || "#bab0ac", border: (n.color && n.color.border) || "#6e6663", shape: n.shape };
    });
    entry.edges.forEach(function (e) {
      if (e.hidden || !e.status || statuses[e.status]) return;
      statuses[e.status] = { label: e.status, dashes: e.dashes };
    });
    return { kinds: kinds, statuses: statuses };
  }

  // The PNG download: title on top, then the picture, its legend and the credit line.
  function composePng(entry) {
    var canvas = entry.canvas.querySelector("canvas");
    var ratio = canvas.width / Math.max(canvas.clientWidth, 1);
    var w = canvas.width;
    var pad = 12 * ratio;
    var titleH = 36 * ratio, legendH = 30 * ratio, creditH = 40 * ratio;
    var out = document.createElement("canvas");
    out.width = w;
    out.height = titleH + canvas.height + legendH + creditH;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = "#1f2328";
    ctx.textBaseline = "middle";
    ctx.font = "bold " + 18 * ratio + "px " + LABEL_FACE;
    ctx.fillText(entry.section.getAttribute("data-title") || document.title, pad, titleH / 2);
    ctx.drawImage(canvas, 0, titleH);
    var y = titleH + canvas.height + legendH / 2;
    var x = pad;
    var items = legendItems(entry);
    ctx.font = 12 * ratio + "px " + LABEL_FACE;
    Object.keys(items.kinds).sort().forEach(function (k) {
      var it = items.kinds[k];
      ctx.fillStyle = it.colour;
      ctx.strokeStyle = it.border;
      ctx.lineWidth = 1.5 * ratio;
      shapePath(ctx, it.shape, x + 6 * ratio, y, 6 * ratio);
      ctx.fill();
      ctx.stroke();
      ctx.fillStyle = "#1f2328";
      ctx.fillText(it.label, x + 16 * ratio, y);
      x += 24 * ratio + ctx.measureText(it.label).width;
    });
    x += 10 * ratio;
    Object.keys(items.statuses).sort().forEach(function (k) {
      var it = items.statuses[k];
      ctx.strokeStyle = "#3d434b";
      ctx.lineWidth = 2 * ratio;
      ctx.setLineDash(it.dashes ? it.dashes.map(function (d) { return d * ratio; }) : []);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 28 * ratio, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillText(it.label, x + 34 * ratio, y);
      x += 44 * ratio + ctx.measureText(it.label).width;
    });
    ctx.fillStyle = "#57606a";
    ctx.font = 11 * ratio + "px " + LABEL_FACE;
    var credit = entry.section.getAttribute("data-credit") || "Made with cryptokg.";
    ctx.fillText(credit, pad, titleH + canvas.height + legendH + creditH * 0.3);
    ctx.fillText(window.location.href + " · " + new Date().toISOString().slice(0, 10), pad, titleH + canvas.height + legendH + creditH * 0.72);
    return out;
  }

  function xml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function svgShape(shape, x, y, r, fill, stroke) {
    var paint = ' fill="' + xml(fill) + '" stroke="' + xml(stroke) + '" stroke-width="1.5"';
    var pts = function (list) {
      return '<polygon points="' + list.map(function (p) { return (x + p[0] * r).toFixed(1) + "," + (y + p[1] * r).toFixed(1); }).join(" ") + '"' + paint + "/>";
    };
    if (shape === "square") return '<rect x="' + (x - r).toFixed(1) + '" y="' + (y - r).toFixed(1) + '" width="' + (2 * r).toFixed(1) + '" height="' + (2 * r).toFixed(1) + '"' + paint + "/>";
    if (shape === "triangle") return pts([[0, -1], [1, 1], [-1, 1]]);
    if (shape === "triangleDown") return pts([[-1, -1], [1, -1], [0, 1]]);
    if (shape === "diamond") return pts([[0, -1], [1, 0], [0, 1], [-1, 0]]);
    if (shape === "hexagon" || shape === "star") {
      var hex = [];
      for (var i = 0; i < 6; i++) hex.push([Math.cos(Math.PI / 3 * i - Math.PI / 2), Math.sin(Math.PI / 3 * i - Math.PI / 2)]);
      return pts(hex);
    }
    return '<circle cx="' + x.toFixed(1) + '" cy="' + y.toFixed(1) + '" r="' + r.toFixed(1) + '"' + paint + "/>";
  }

  // The SVG download: the drawn network (as laid out now), its title, legend and credit line.
  function composeSvg(entry) {
    var net = entry.network;
    var shown = [];
    entry.nodes.forEach(function (n) {
      if (!n.hidden && !(entry.clusters.length && net.findNode(n.id).length > 1)) shown.push(n);
    });
    entry.clusters.forEach(function (c) {
      if (isFolded(net, c.id)) shown.push({ id: c.id, label: c.label, size: 24, shape: "dot", color: { background: "#dde3ea", border: "#57606a" } });
    });
    var pos = net.getPositions(shown.map(function (n) { return n.id; }));
    var at = {};
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    shown.forEach(function (n) {
      var p = pos[n.id];
      if (!p) return;
      at[n.id] = p;
      minX = Math.min(minX, p.x); maxX = Math.max(maxX, p.x); minY = Math.min(minY, p.y); maxY = Math.max(maxY, p.y);
    });
    if (minX === Infinity) { minX = 0; minY = 0; maxX = 0; maxY = 0; }
    var margin = 120, top = 60, bottom = 90;
    var w = Math.max(480, maxX - minX + 2 * margin), h = maxY - minY + 2 * margin + top + bottom;
    var ox = margin - minX, oy = margin + top - minY;
    var drawnId = function (id) {
      if (at[id]) return id;
      var path = entry.clusters.length ? net.findNode(id) : [];
      return path.length > 1 && at[path[0]] ? path[0] : null;
    };
    var out = ['<svg xmlns="http://www.w3.org/2000/svg" width="' + Math.round(w) + '" height="' + Math.round(h) + '" viewBox="0 0 ' + Math.round(w) + " " + Math.round(h) + '" font-family="' + xml(LABEL_FACE) + '">'];
    var title = entry.section.getAttribute("data-title") || document.title;
    out.push("<title>" + xml(title) + "</title>");
    out.push('<rect width="100%" height="100%" fill="#ffffff"/>');
    out.push('<text class="ckg-svg-title" x="16" y="34" font-size="22" font-weight="bold" fill="#1f2328">' + xml(title) + "</text>");
    out.push('<g class="ckg-svg-edges">');
    entry.edges.forEach(function (e) {
      var a = drawnId(e.from), b = drawnId(e.to);
      if (e.hidden || !a || !b || a === b) return;
      var c = e.color || {};
      var dash = e.dashes && e.dashes.length ? ' stroke-dasharray="' + e.dashes.join(" ") + '"' : "";
      out.push('<line x1="' + (at[a].x + ox).toFixed(1) + '" y1="' + (at[a].y + oy).toFixed(1) + '" x2="' + (at[b].x + ox).toFixed(1) + '" y2="' + (at[b].y + oy).toFixed(1) +
        '" stroke="' + xml(c.color || "#8c959f") + '" stroke-opacity="' + (c.opacity === undefined ? 1 : c.opacity) + '" stroke-width="' + (e.width || 1.5) + '"' + dash + "/>");
    });
    out.push("</g>", '<g class="ckg-svg-nodes">');
    shown.forEach(function (n) {
      var p = at[n.id];
      if (!p) return;
      var r = n.size || 12, x = p.x + ox, y = p.y + oy;
      var col = n.color || {};
      out.push('<g class="ckg-svg-node" data-id="' + xml(n.id) + '"' + (n.opacity !== undefined && n.opacity < 1 ? ' opacity="' + n.opacity + '"' : "") + ">");
      out.push(svgShape(n.shape, x, y, r, col.background || "#bab0ac", col.border || "#6e6663"));
      var label = entry.fullNameOf[n.id] || n.label || "";
      if (label) {
        out.push('<text x="' + x.toFixed(1) + '" y="' + (y + r + 16).toFixed(1) + '" font-size="14" text-anchor="middle" fill="#1f2328" stroke="#ffffff" stroke-width="4" paint-order="stroke">' + xml(label) + "</text>");
      }
      out.push("</g>");
    });
    out.push("</g>");
    var ly = h - bottom + 28, lx = 16;
    var items = legendItems(entry);
    out.push('<g class="ckg-svg-legend" font-size="13" fill="#1f2328">');
    Object.keys(items.kinds).sort().forEach(function (k) {
      var it = items.kinds[k];
      out.push(svgShape(it.shape, lx + 7, ly, 7, it.colour, it.border));
      out.push('<text x="' + (lx + 18) + '" y="' + (ly + 4) + '">' + xml(it.label) + "</text>");
      lx += 30 + 7.5 * it.label.length;
    });
    Object.keys(items.statuses).sort().forEach(function (k) {
      var it = items.statuses[k];
      var dash = it.dashes && it.dashes.length ? ' stroke-dasharray="' + it.dashes.join(" ") + '"' : "";
      out.push('<line x1="' + lx + '" y1="' + ly + '" x2="' + (lx + 30) + '" y2="' + ly + '" stroke="#3d434b" stroke-width="2"' + dash + "/>");
      out.push('<text x="' + (lx + 36) + '" y="' + (ly + 4) + '">' + xml(it.label) + "</text>");
      lx += 50 + 7.5 * it.label.length;
    });
    out.push("</g>");
    var credit = entry.section.getAttribute("data-credit") || "Made with cryptokg.";
    out.push('<text class="ckg-svg-credit" x="16" y="' + (h - 30) + '" font-size="12" fill="#57606a">' + xml(credit) + "</text>");
    out.push('<text class="ckg-svg-credit" x="16" y="' + (h - 12) + '" font-size="12" fill="#57606a">' + xml(window.location.href + " · " + new Date().toISOString().slice(0, 10)) + "</text>");
    out.push("</svg>");
    return out.join("\n");
  }

  function save(blob, ext) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = (document.title.split(" — ")[0] || "cryptokg").replace(/[^\w.-]+/g, "-") + "." + ext;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function downloadSvg(entry) {
    save(new Blob([composeSvg(entry)], { type: "image/svg+xml" }), "svg");
  }

  function downloadPng(entry) {
    var canvas = entry.canvas.querySelector("canvas");
    if (!canvas) return;
    entry.network.redraw();
    composePng(entry).toBlob(function (blob) {
      if (blob) save(blob, "png");
    }, "image/png");
  }

  function init(section) {
    var script = section.querySelector("script.ckg-data");
    var data = JSON.parse(script.textContent);
    var canvas = section.querySelector(".ckg-canvas");
    var entry = {
      section: section,
      canvas: canvas,
      panel: section.querySelector(".ckg-panel"),
      status: section.querySelector(".ckg-status"),
      nodes: new vis.DataSet(data.nodes),
      edges: new vis.DataSet(data.edges),
      ready: false,
      labels: data.labels !== false,
      keepLabels: data.highlight_edges || [],
      labelOf: {},
      nameOf: {},
      fullNameOf: {},
      fontOf: {},
      keepNodes: {},
      hoverId: null,
      clusters: data.clusters || [],
      defaultFont: (data.options.nodes && data.options.nodes.font && data.options.nodes.font.size) || 14,
      returnFocus: null
    };
    (data.highlight || []).forEach(function (id) { entry.keepNodes[id] = true; });
    rememberLabels(entry, data.nodes);
    registry[section.id] = entry;
    entry.baseKeepLabels = entry.keepLabels;
    remember(entry);
    data.edges.forEach(function (e) { entry.labelOf[e.id] = e.label || ""; });
    applyLabels(entry);
    if (!data.nodes.length) {
      section.setAttribute("data-ready", "true");
      return;
    }
    var network = new vis.Network(canvas, { nodes: [], edges: [] }, data.options);
    entry.network = network;
    network.on("beforeDrawing", whiteBackground);
    network.once("stabilizationIterationsDone", function () { markReady(entry); });
    network.on("stabilizationProgress", function (p) {
      say(entry, "Laying out… " + Math.round((100 * p.iterations) / p.total) + "%");
    });
    network.on("selectNode", function () { applyLabels(entry); scheduleLabels(entry); });
    network.on("deselectNode", function () { applyLabels(entry); scheduleLabels(entry); });
    network.on("zoom", function () { scheduleLabels(entry); });
    network.on("animationFinished", function () { scheduleLabels(entry); });
    network.on("showPopup", function () {
      requestAnimationFrame(function () { keepTooltipBesidePanel(entry); });
    });
    canvas.addEventListener("keydown", function (ev) { onCanvasKey(entry, ev); });
    var slider = section.querySelector(".ckg-asof");
    if (slider) slider.addEventListener("input", function () { onSlider(entry, slider); });
    network.on("hoverNode", function (p) { entry.hoverId = p.node; scheduleLabels(entry); });
    network.on("blurNode", function () { entry.hoverId = null; scheduleLabels(entry); });
    network.on("click", function (params) {
      if (params.nodes.length && isFolded(network, params.nodes[0])) {
        network.openCluster(params.nodes[0]);
        setFolded(entry);
        return;
      }
      if (params.nodes.length) openPanel(entry, params.nodes[0]);
      else if (entry.panel && !entry.panel.hidden) closePanel(entry);
    });
    network.setData({ nodes: entry.nodes, edges: entry.edges });
    // A saved arrangement (a story map) is drawn as it is: no layout to wait for.
    if (data.positioned) network.once("afterDrawing", function () { markReady(entry); });
    // A safety net: a graph without edges may settle before stabilisation starts.
    setTimeout(function () { markReady(entry); }, 15000);

    section.addEventListener("click", function (ev) {
      var t = ev.target;
      var action = closest(t, "[data-ckg]");
      if (action && section.contains(action)) {
        var what = action.getAttribute("data-ckg");
        if (what === "fit") network.fit({ animation: { duration: 300 } });
        else if (what === "zoom-in") { network.moveTo({ scale: network.getScale() * 1.3 }); scheduleLabels(entry); }
        else if (what === "zoom-out") { network.moveTo({ scale: network.getScale() / 1.3 }); scheduleLabels(entry); }
        else if (what === "labels") toggleLabels(entry, action);
        else if (what === "png") downloadPng(entry);
        else if (what === "svg") downloadSvg(entry);
        else if (what === "clusters") {
          if (action.getAttribute("aria-pressed") === "true") openCommunities(entry);
          else foldCommunities(entry);
        }
        else if (what === "close") closePanel(entry);
        else if (what === "expand") expand(entry, action.getAttribute("data-id"), action);
        return;
      }
      var show = closest(t, "[data-ckg-show]");
      if (show) {
        var id = show.getAttribute("data-ckg-show");
        selectNode(entry, id, true);
        canvas.scrollIntoView({ block: "nearest" });
        openPanel(entry, id, show);
      }
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape" || !entry.panel || entry.panel.hidden) return;
      var inside = section.contains(document.activeElement) || document.activeElement === document.body;
      if (inside) closePanel(entry);
    });
  }

  function start() {
    if (typeof vis === "undefined") return;
    var sections = document.querySelectorAll("[data-ckg-network]");
    for (var i = 0; i < sections.length; i++) init(sections[i]);
    document.addEventListener("click", function (ev) {
      var button = closest(ev.target, "[data-ckg-path]");
      if (button) pathButton(button);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
