// Progressive enhancement: every page works without this file.
// - live: server-sent events about incidents re-fetch the open incident's fragment (htmx), and
//   those about incidents and resources (needs, wishes, meetings, one meeting, …) the page's
//   live parts;
// - countdowns tick; the dashboard's trend is drawn as an SVG chart (again after a live swap);
// - every POST carries the session's CSRF token (the server refuses one without it).
(function () {
  "use strict";

  const lang = document.body.dataset.lang || "zh";

  // The CSRF token the page was rendered with (base.html): added to every POST form that lacks
  // it when it is sent (a form a template or a fragment forgot), and as a header to htmx's and
  // fetch's own requests. See console/entrypoints/protection.py.
  const csrfMeta = document.querySelector("meta[name=csrf-token]");
  const csrfToken = csrfMeta ? csrfMeta.content : "";
  const UNSAFE = /^(POST|PUT|PATCH|DELETE)$/i;

  function carryToken(form) {
    if (!csrfToken || !UNSAFE.test(form.method) || form.elements.namedItem("csrf_token")) return;
    const field = document.createElement("input");
    field.type = "hidden";
    field.name = "csrf_token";
    field.value = csrfToken;
    form.prepend(field);
  }
  // Capture phase: before any other submit handler reads the form's fields.
  document.addEventListener("submit", function (event) { carryToken(event.target); }, true);
  document.addEventListener("htmx:configRequest", function (event) {
    if (UNSAFE.test(event.detail.verb)) event.detail.headers["X-CSRF-Token"] = csrfToken;
  });
  const plainFetch = window.fetch;
  window.fetch = function (resource, options) {
    const method = (options && options.method) || (resource instanceof Request ? resource.method : "GET");
    if (csrfToken && UNSAFE.test(method)) {
      const url = new URL(resource instanceof Request ? resource.url : resource, window.location.href);
      if (url.origin === window.location.origin) {
        const headers = new Headers((options && options.headers) || (resource instanceof Request ? resource.headers : undefined));
        headers.set("X-CSRF-Token", csrfToken);
        options = Object.assign({}, options, { headers: headers });
      }
    }
    return plainFetch.call(this, resource, options);
  };

  function liveIncident() {
    return document.querySelector("[data-live-incident]");
  }

  // One fetch at a time: a second event while one is in flight asks for one more afterwards
  // (two swaps racing would put the older answer into a page the newer one had replaced).
  let inFlight = false, again = false;
  function refresh(el) {
    if (inFlight) { again = true; return; }
    // Never swap a form out from under someone typing in it: wait until they leave it.
    if (typing(el)) {
      el.dataset.stale = "1";
      return;
    }
    delete el.dataset.stale;
    inFlight = true;
    htmx.ajax("GET", el.dataset.fragment, { target: el, swap: "outerHTML" }).finally(function () {
      inFlight = false;
      const current = liveIncident();
      if (again && current) { again = false; refresh(current); }
    });
  }

  document.addEventListener("focusout", function () {
    setTimeout(function () {
      const el = liveIncident();
      if (el && el.dataset.stale) refresh(el);
    }, 0);
  });

  function typing(el) {
    const active = document.activeElement;
    return active && el.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
  }

  // The page to fetch again: its own address, or the one it names (`data-live-page`): a page
  // shown in answer to a refused form is at the form's address, which has nothing to GET.
  function livePage() {
    const named = document.querySelector("[data-live-page]");
    return named ? new URL(named.dataset.livePage, window.location.href).href : window.location.href;
  }

  // Lists, counts and rates: fetch the page again, once, and swap in just those parts (each
  // `[data-live-list]`, and each `[data-live-resources]`, by its id), at most twice a second.
  const LIVE_PARTS = "[data-live-list], [data-live-resources]";
  let listTimer = null, listsInFlight = false, listsAgain = false;
  function refreshLists() {
    if (listsInFlight) { listsAgain = true; return; }
    if (listTimer) return;
    listTimer = setTimeout(function () {
      listTimer = null;
      listsInFlight = true;
      fetch(livePage())
        .then(function (answer) { return answer.ok ? answer.text() : Promise.reject(answer.status); })
        .then(function (html) {
          const fresh = new DOMParser().parseFromString(html, "text/html");
          document.querySelectorAll(LIVE_PARTS).forEach(function (el) {
            const next = fresh.getElementById(el.id);
            if (!next || typing(el)) return;
            el.replaceWith(next);
            if (window.htmx) htmx.process(next);
          });
          tick();
          charts();  // a fresh rates card brings an undrawn chart
          // A record whose status moved on meanwhile (a meeting another coordinator closed) is
          // read again whole, for its forms have gone; not while someone types in one of them.
          const shown = document.querySelector("[data-live-status]");
          const now = fresh.querySelector("[data-live-status]");
          if (shown && now && shown.dataset.liveStatus !== now.dataset.liveStatus
              && !typing(document.body)) window.location.replace(livePage());
        })
        .catch(function () { /* the next event tries again */ })
        .finally(function () {
          listsInFlight = false;
          if (listsAgain) { listsAgain = false; refreshLists(); }
        });
    }, 500);
  }

  // What the page follows: the incidents, and the resources lists its parts name
  // (`data-live-resources="needs"`) or the meeting whose page it is (`meeting:<id>`); the
  // server sends only events of those.
  function topics() {
    const found = new Set();
    if (liveIncident() || document.querySelector("[data-live-list]")) found.add("incidents");
    document.querySelectorAll("[data-live-resources]").forEach(function (el) {
      el.dataset.liveResources.split(" ").forEach(function (name) { if (name) found.add(name); });
    });
    return Array.from(found);
  }

  function listen() {
    const followed = topics();
    if (!window.EventSource || !followed.length) return;
    const query = followed.map(function (name) { return "topic=" + encodeURIComponent(name); });
    const source = new EventSource("/events?" + query.join("&"));
    source.addEventListener("open", function () { document.body.classList.add("live"); });
    source.addEventListener("error", function () { document.body.classList.remove("live"); });
    source.addEventListener("incident", function (message) {
      const event = JSON.parse(message.data);
      const el = liveIncident();
      if (el && el.dataset.liveIncident === event.incident_id) refresh(el);
      if (document.querySelector("[data-live-list]")) refreshLists();
    });
    source.addEventListener("resources", refreshLists);
  }

  // Record each status the incident shows, so one can see it changed in place.
  document.addEventListener("htmx:afterSwap", function () {
    const status = document.querySelector("[data-live-incident] .state [data-status]");
    if (status) (window.lianxinStatuses = window.lianxinStatuses || []).push(status.dataset.status);
    tick();
  });

  function words(seconds) {
    const abs = Math.abs(seconds);
    const d = Math.floor(abs / 86400), h = Math.floor((abs % 86400) / 3600), m = Math.floor((abs % 3600) / 60);
    const zh = d ? d + " 天 " + h + " 小时" : h ? h + " 小时 " + m + " 分" : m + " 分";
    const en = d ? d + " d " + h + " h" : h ? h + " h " + m + " min" : m + " min";
    if (seconds < 0) return lang === "en" ? en + " overdue" : "已超时 " + zh;
    return lang === "en" ? en + " left" : "剩余 " + zh;
  }

  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      const seconds = Math.round((Date.parse(el.dataset.deadline) - Date.now()) / 1000);
      const left = el.querySelector(".left");
      if (left && !Number.isNaN(seconds)) left.textContent = words(seconds);
      el.classList.toggle("bad", seconds < 0);
    });
  }

  // The trend of the three rates as a small SVG line chart (0–100 %, one line per rate, a
  // point per period; a gap where a period had nothing to measure). It replaced a 715 KB
  // charting library that this one chart was all it drew.
  const COLOURS = ["#c8102e", "#0969da", "#1a7f37"];
  const SVG = "http://www.w3.org/2000/svg";

  function node(name, attrs, text) {
    const el = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text != null) el.textContent = text;
    return el;
  }

  function draw(el) {
    const data = JSON.parse(el.dataset.series);
    const w = 600, h = 260, left = 40, right = 12, top = 34, bottom = 26;
    const n = data.labels.length;
    const x = function (i) { return left + (n > 1 ? i * (w - left - right) / (n - 1) : (w - left - right) / 2); };
    const y = function (v) { return top + (100 - v) * (h - top - bottom) / 100; };
    const svg = node("svg", { viewBox: "0 0 " + w + " " + h, width: "100%", height: "100%", role: "presentation" });
    [0, 50, 100].forEach(function (v) {
      svg.appendChild(node("line", { x1: left, x2: w - right, y1: y(v), y2: y(v), stroke: "#d0d7de" }));
      svg.appendChild(node("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11, fill: "#636c76" }, v + "%"));
    });
    data.labels.forEach(function (label, i) {
      svg.appendChild(node("text", { x: x(i), y: h - 8, "text-anchor": "middle", "font-size": 11, fill: "#636c76" }, label));
    });
    data.series.forEach(function (s, k) {
      const colour = COLOURS[k % COLOURS.length];
      const points = s.data.map(function (v, i) { return v == null ? null : [x(i), y(v), v]; }).filter(Boolean);
      if (points.length > 1) {
        svg.appendChild(node("polyline", { points: points.map(function (p) { return p[0] + "," + p[1]; }).join(" "), fill: "none", stroke: colour, "stroke-width": 2 }));
      }
      points.forEach(function (p) {
        const dot = node("circle", { cx: p[0], cy: p[1], r: 4, fill: colour });
        dot.appendChild(node("title", {}, s.name + " " + p[2] + "%"));
        svg.appendChild(dot);
      });
      const lx = left + k * 150;
      svg.appendChild(node("rect", { x: lx, y: 6, width: 12, height: 12, fill: colour, rx: 2 }));
      svg.appendChild(node("text", { x: lx + 16, y: 16, "font-size": 12, fill: "#1f2328" }, s.name));
    });
    el.replaceChildren(svg);
  }

  function charts() {
    document.querySelectorAll("[data-chart=trend]:not([data-drawn])").forEach(function (el) {
      el.dataset.drawn = "1";
      draw(el);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    listen();
    tick();
    setInterval(tick, 30000);
    charts();
  });
})();
