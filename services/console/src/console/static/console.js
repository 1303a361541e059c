// Progressive enhancement: every page works without this file.
// - live: server-sent events about incidents re-fetch the open incident's fragment (htmx);
// - countdowns tick; the dashboard's trend becomes an ECharts chart (again after a live swap).
(function () {
  "use strict";

  const lang = document.body.dataset.lang || "zh";

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

  // Lists, counts and rates: fetch the page again, once, and swap in just those parts (each
  // `[data-live-list]` by its id), at most twice a second.
  let listTimer = null, listsInFlight = false, listsAgain = false;
  function refreshLists() {
    if (listsInFlight) { listsAgain = true; return; }
    if (listTimer) return;
    listTimer = setTimeout(function () {
      listTimer = null;
      listsInFlight = true;
      fetch(window.location.href)
        .then(function (answer) { return answer.ok ? answer.text() : Promise.reject(answer.status); })
        .then(function (html) {
          const fresh = new DOMParser().parseFromString(html, "text/html");
          document.querySelectorAll("[data-live-list]").forEach(function (el) {
            const next = fresh.getElementById(el.id);
            if (!next || typing(el)) return;
            el.replaceWith(next);
            if (window.htmx) htmx.process(next);
          });
          tick();
          charts();  // a fresh rates card brings an undrawn chart
        })
        .catch(function () { /* the next event tries again */ })
        .finally(function () {
          listsInFlight = false;
          if (listsAgain) { listsAgain = false; refreshLists(); }
        });
    }, 500);
  }

  function listen() {
    if (!window.EventSource || !(liveIncident() || document.querySelector("[data-live-list]"))) return;
    const source = new EventSource("/events");
    source.addEventListener("open", function () { document.body.classList.add("live"); });
    source.addEventListener("error", function () { document.body.classList.remove("live"); });
    source.addEventListener("incident", function (message) {
      const event = JSON.parse(message.data);
      const el = liveIncident();
      if (el && el.dataset.liveIncident === event.incident_id) refresh(el);
      if (document.querySelector("[data-live-list]")) refreshLists();
    });
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

  window.addEventListener("resize", function () {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart][data-drawn]").forEach(function (el) {
      const chart = echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });

  function charts() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart=trend]:not([data-drawn])").forEach(function (el) {
      el.dataset.drawn = "1";
      const data = JSON.parse(el.dataset.series);
      const chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
        legend: { top: 0 },
        grid: { left: 40, right: 16, top: 36, bottom: 28 },
        xAxis: { type: "category", data: data.labels },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        color: ["#c8102e", "#0969da", "#1a7f37"],
        series: data.series.map(function (s) {
          return { name: s.name, type: "line", data: s.data, connectNulls: true, symbolSize: 8 };
        }),
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    listen();
    tick();
    setInterval(tick, 30000);
    charts();
  });
})();
