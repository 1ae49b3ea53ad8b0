// Document page: a click on a highlighted clause opens its card in the side panel, filters act
// at once, and decisions are saved without reloading. Without this script the same page works
// with plain links (a mark jumps to its card) and forms (filters and decisions post normally).
"use strict";
(function () {
  document.body.classList.add("js");
  var panel = document.getElementById("panel");
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card"));
  var marks = Array.prototype.slice.call(document.querySelectorAll("a.hl"));
  var items = Array.prototype.slice.call(document.querySelectorAll("#flist li"));
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var filters = document.getElementById("filters");
  var byKey = {};
  cards.forEach(function (c) { byKey[c.getAttribute("data-f")] = c; });
  var current = null;

  function keysOf(el) { return (el.getAttribute("data-f") || "").split(" ").filter(Boolean); }
  function visible(key) { return byKey[key] && !byKey[key].hidden; }
  function shown() { return cards.filter(function (c) { return !c.hidden; }); }

  // Narrow screens stack the panel under the text: there a selected card must be scrolled to.
  function stacked() { return panel && getComputedStyle(panel).position !== "sticky"; }

  // scrollText: bring the marked clause into view (from the list, prev/next, a #card- link);
  // user: the reviewer asked for this card, so it gets focus (and, stacked, the view).
  function select(key, scrollText, user) {
    if (!byKey[key]) return;
    current = key;
    cards.forEach(function (c) { c.classList.toggle("active", c === byKey[key]); });
    items.forEach(function (li) { li.classList.toggle("active", li.getAttribute("data-f") === key); });
    var first = null;
    marks.forEach(function (a) {
      var on = keysOf(a).indexOf(key) >= 0;
      a.firstElementChild.classList.toggle("current", on);
      if (on && !first) first = a;
    });
    if (scrollText && first && !(user && stacked())) first.scrollIntoView({block: "center"});
    if (user) {
      byKey[key].focus({preventScroll: true});
      if (stacked()) byKey[key].scrollIntoView({block: "start"});
    }
    var item = document.querySelector('#flist li[data-f="' + key + '"]');
    if (item && panel && !stacked()) panel.scrollTop = Math.max(0, item.offsetTop - panel.offsetTop - 40);
    // Only on the reviewer's action: a fragment set while the page is still loading makes the
    // browser scroll to it (and focus it) when loading completes.
    if (user) history.replaceState(null, "", location.pathname + location.search + "#card-" + key);
    var list = shown();
    var i = list.indexOf(byKey[key]);
    if (prev) { prev.hidden = false; prev.disabled = i <= 0; }
    if (next) { next.hidden = false; next.disabled = i < 0 || i >= list.length - 1; }
  }

  marks.forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      var keys = keysOf(a).filter(visible);
      if (!keys.length) return;
      // Overlapping findings: clicking the same clause again steps through them.
      var at = keys.indexOf(current);
      select(keys[at >= 0 ? (at + 1) % keys.length : 0], false, true);
    });
  });
  items.forEach(function (li) {
    li.querySelector("a").addEventListener("click", function (e) {
      e.preventDefault();
      select(li.getAttribute("data-f"), true, true);
    });
  });
  function step(d) {
    var list = shown();
    var i = list.indexOf(byKey[current]) + d;
    if (i >= 0 && i < list.length) select(list[i].getAttribute("data-f"), true, true);
  }
  if (prev) prev.addEventListener("click", function () { step(-1); });
  if (next) next.addEventListener("click", function () { step(1); });

  // -- filters ---------------------------------------------------------------------------------
  // A card is hidden when the box of one of its values is unchecked; a value without a box (a
  // status just decided, not yet in the list) is never hidden.
  function unchecked(name) {
    var out = {};
    if (!filters) return out;
    Array.prototype.forEach.call(filters.querySelectorAll("input[name=" + name + "]"), function (b) {
      if (!b.checked) out[b.value] = true;
    });
    return out;
  }
  function applyFilters() {
    var cat = unchecked("category"), sev = unchecked("severity"), st = unchecked("status");
    cards.forEach(function (c) {
      c.hidden = !!(cat[c.getAttribute("data-category")] || sev[c.getAttribute("data-severity")] ||
                    st[c.getAttribute("data-status")]);
    });
    items.forEach(function (li) { li.hidden = byKey[li.getAttribute("data-f")].hidden; });
    marks.forEach(function (a) { a.firstElementChild.classList.toggle("off", !keysOf(a).some(visible)); });
    if (!visible(current)) {
      var first = shown()[0];
      if (first) select(first.getAttribute("data-f"), false);
    } else {
      select(current, false);
    }
    var params = new URLSearchParams(new FormData(filters));
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : "") + location.hash);
  }
  if (filters) filters.addEventListener("change", applyFilters);

  // After a decision: status counts follow, and a status new to this page gets its own box.
  function refreshStatusFacet(status, label) {
    var fs = filters && filters.querySelector("input[name=status]") ?
      filters.querySelector("input[name=status]").closest("fieldset") : null;
    if (!fs) return;
    if (!fs.querySelector('input[value="' + status + '"]')) {
      var l = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox"; box.name = "status"; box.value = status; box.checked = true;
      var n = document.createElement("span");
      n.className = "count";
      l.appendChild(box);
      l.appendChild(document.createTextNode(" " + label + " "));
      l.appendChild(n);
      fs.appendChild(l);
    }
    Array.prototype.forEach.call(fs.querySelectorAll("input[name=status]"), function (b) {
      var count = cards.filter(function (c) { return c.getAttribute("data-status") === b.value; }).length;
      b.parentNode.querySelector(".count").textContent = count;
    });
  }

  // -- decisions -------------------------------------------------------------------------------
  var STATUS_CLASS = /\bst-\S+/g;
  function refreshMarks() {
    marks.forEach(function (a) {
      var keys = keysOf(a);
      var all = keys.every(function (k) { return byKey[k].getAttribute("data-status") === "dismissed"; });
      a.firstElementChild.classList.toggle("dismissed", all);
    });
  }
  var remembered = "";
  try { remembered = localStorage.getItem("fcr-reviewer") || ""; } catch (e) { /* storage disabled */ }
  Array.prototype.forEach.call(document.querySelectorAll("form.decide"), function (form) {
    var by = form.querySelector("input[name=by]");
    var note = form.querySelector("textarea[name=note]");
    var msg = form.querySelector(".msg");
    if (by && !by.value && remembered) by.value = remembered;
    function syncRequired() {
      var s = form.querySelector("input[name=status]:checked");
      note.required = !!(s && s.value === "dismissed");
    }
    Array.prototype.forEach.call(form.querySelectorAll("input[name=status]"), function (r) {
      r.addEventListener("change", syncRequired);
    });
    syncRequired();
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      msg.className = "msg";
      msg.textContent = "正在保存……";
      var body = new URLSearchParams(new FormData(form));
      fetch(form.action, {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
      }).then(function (r) {
        return r.json().then(function (data) { return {ok: r.ok, data: data}; });
      }).then(function (res) {
        if (!res.ok) throw new Error(res.data.detail || "保存失败");
        var card = form.closest(".card");
        var d = res.data;
        card.setAttribute("data-status", d.status);
        var st = card.querySelector("[data-role=status]");
        st.textContent = d.status_zh;
        st.className = st.className.replace(STATUS_CLASS, "") + " st-" + d.status;
        card.querySelector("[data-role=note]").textContent = d.note ? "（" + d.note + "）" : "";
        var li = document.querySelector('#flist li[data-f="' + card.getAttribute("data-f") + '"] .st');
        if (li) { li.textContent = d.status_zh; li.className = "st st-" + d.status; }
        note.value = "";
        try { localStorage.setItem("fcr-reviewer", d.by); } catch (err) { /* storage disabled */ }
        refreshMarks();
        refreshStatusFacet(d.status, d.status_zh);
        msg.className = "msg good";
        msg.textContent = "已保存：" + d.status_zh;
      }).catch(function (err) {
        msg.className = "msg bad";
        msg.textContent = err.message;
      });
    });
  });

  // -- start -----------------------------------------------------------------------------------
  var start = location.hash.indexOf("#card-") === 0 ? location.hash.slice(6) : null;
  if (!visible(start)) start = shown().length ? shown()[0].getAttribute("data-f") : null;
  if (start) select(start, location.hash.indexOf("#card-") === 0);
})();
