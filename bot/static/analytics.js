// The shop owner's analytics (admins only): the figures come from /api/desk/analytics for the
// chosen period and are drawn as plain bars; each table downloads as CSV.
(function () {
  "use strict";
  const T = window.ShopSenseText;
  const $ = function (id) { return document.getElementById(id); };

  function isoDay(date) { return date.toISOString().slice(0, 10); }

  function query() {
    return "since=" + encodeURIComponent($("since").value) + "&until=" + encodeURIComponent($("until").value);
  }

  function duration(seconds) {
    if (seconds === null) return "n/a";
    if (seconds < 90) return Math.round(seconds) + " s";
    return Math.round(seconds / 60) + " min";
  }

  function percent(x) { return x === null ? "n/a" : Math.round(x * 100) + "%"; }

  function tile(label, value, testid) {
    const box = T.el("div", "tile");
    box.dataset.testid = testid;
    box.append(T.el("strong", "", value), T.el("small", "", label));
    return box;
  }

  function bars(element, counts, labelOf) {
    element.replaceChildren();
    const entries = Object.entries(counts);
    const top = Math.max(1, ...entries.map(function (e) { return e[1]; }));
    entries.forEach(function (entry) {
      const row = T.el("div", "row");
      row.dataset.testid = "bar";
      const bar = T.el("div", "bar");
      bar.style.width = Math.max(2, Math.round((entry[1] / top) * 100)) + "%";
      const track = T.el("div");
      track.append(bar);
      row.append(T.el("span", "", labelOf ? labelOf(entry[0]) : entry[0]), track, T.el("span", "", entry[1]));
      element.append(row);
    });
    if (!entries.length) element.append(T.el("small", "", "None in this period."));
  }

  function days(element, rows) {
    element.replaceChildren();
    const top = Math.max(1, ...rows.map(function (d) { return d.conversations; }));
    rows.forEach(function (d) {
      const column = T.el("div", "day");
      column.title = d.day + ": " + d.conversations + " conversations, " + d.handed_over + " handed over";
      const kept = T.el("div", "kept");
      kept.style.height = ((d.conversations - d.handed_over) / top) * 100 + "%";
      const handed = T.el("div", "handed");
      handed.style.height = (d.handed_over / top) * 100 + "%";
      column.append(kept, handed);
      element.append(column);
    });
    element.after(T.el("p", "legend", "green: kept by the assistant · amber: handed to a person"));
  }

  async function load() {
    $("status").textContent = "";
    const response = await fetch("/api/desk/analytics?" + query(), { credentials: "same-origin" });
    if (!response.ok) {
      $("figures").hidden = true;
      $("status").textContent = response.status === 401 ? "Log in at the desk first."
        : response.status === 403 ? "The analytics are for admins." : "Could not load the figures.";
      return;
    }
    const stats = await response.json();
    $("figures").hidden = false;
    document.querySelectorAll(".legend").forEach(function (node) { node.remove(); });
    $("figures").querySelector(".tiles").replaceChildren(
      tile("conversations", stats.conversations, "tile-conversations"),
      tile("resolved by the assistant", percent(stats.containment), "tile-containment"),
      tile("CSAT (mean of " + Object.values(stats.csat).reduce(function (a, b) { return a + b; }, 0) + ")",
        stats.csat_mean === null ? "n/a" : stats.csat_mean.toFixed(2), "tile-csat"),
      tile("median first response", duration(stats.first_response_s), "tile-first-response"),
      tile("median conversation length", duration(stats.duration_s), "tile-duration"),
      tile("retention offers issued", stats.retention_offers, "tile-retention-offers"));
    days($("days"), stats.days);
    bars($("handovers"), stats.handovers);
    bars($("csat"), stats.csat, function (score) { return score + " ★"; });
    $("csat-weekly").textContent = Object.keys(stats.csat_weekly).length
      ? "Weekly mean: " + Object.entries(stats.csat_weekly).map(function (e) { return "week of " + e[0] + ": " + e[1]; }).join(" · ")
      : "";
    bars($("emotions"), stats.emotions);
    $("gaps").replaceChildren();
    stats.gaps.forEach(function (gap) {
      const li = T.el("li", "", "“" + gap.example + "”" + (gap.size > 1 ? " and " + (gap.size - 1) + " alike" : ""));
      li.dataset.testid = "gap";
      $("gaps").append(li);
    });
    if (!stats.gaps.length) $("gaps").append(T.el("li", "", "Every question got an answer."));
    document.querySelectorAll("a[data-table]").forEach(function (link) {
      link.href = "/api/desk/analytics.csv?table=" + link.dataset.table + "&" + query();
    });
  }

  const params = new URLSearchParams(window.location.search);
  const until = new Date(Date.now() + 86400000);
  $("until").value = params.get("until") || isoDay(until);
  $("since").value = params.get("since") || isoDay(new Date(until.getTime() - 30 * 86400000));
  $("period").addEventListener("submit", function (event) { event.preventDefault(); load(); });
  load();
})();
