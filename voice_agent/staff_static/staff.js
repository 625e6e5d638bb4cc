/* The staff page: the clinic's live handoffs, re-read on every server-sent event. Plain JavaScript.
 * Every POST is a form post carrying the session's CSRF token; the session is an HttpOnly cookie. */
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf");
  var list = document.getElementById("handoffs");
  var empty = document.getElementById("empty");
  var live = document.getElementById("live");
  var drafts = {};

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function post(id, action, fields) {
    var body = new URLSearchParams();
    body.set("csrf", csrf);
    Object.keys(fields || {}).forEach(function (k) { body.set(k, fields[k]); });
    return fetch("/staff/handoffs/" + encodeURIComponent(id) + "/" + action, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          live.textContent = (data.error && data.error.message) || "That did not work.";
        } else {
          live.textContent = action === "reply" ? "Reply sent." : "Done.";
        }
        return refresh();
      });
    });
  }

  function actionForm(h, action, label, field) {
    var form = el("form", { "class": "act-" + action, "data-action": action });
    var input = null;
    if (field) {
      input = el("input", { type: "text", name: field, "aria-label": label, placeholder: label });
      input.value = drafts[h.id + action] || "";
      input.addEventListener("input", function () { drafts[h.id + action] = input.value; });
      form.appendChild(input);
    }
    form.appendChild(el("button", { type: "submit" }, label.split(" (")[0]));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var fields = {};
      if (input) { fields[field] = input.value; delete drafts[h.id + action]; }
      post(h.id, action, fields);
    });
    return form;
  }

  function place(parent, nodes) {
    /* Puts `nodes` in `parent` in order, moving only what is out of place: a node moved or removed
     * loses the keyboard focus, and staff may be typing in it. */
    Array.prototype.slice.call(parent.children).forEach(function (child) {
      if (nodes.indexOf(child) < 0) { parent.removeChild(child); }
    });
    nodes.forEach(function (node, i) {
      if (parent.children[i] !== node) { parent.insertBefore(node, parent.children[i] || null); }
    });
  }

  function fill(item, h) {
    item.setAttribute("data-id", h.id);
    item.setAttribute("data-status", h.status);
    item.setAttribute("data-channel", h.channel);
    var actions = item.querySelector(".actions") || el("div", { "class": "actions" });
    var forms = {};
    Array.prototype.forEach.call(actions.querySelectorAll("form"), function (f) { forms[f.getAttribute("data-action")] = f; });
    function form(action, label, field) { return forms[action] || actionForm(h, action, label, field); }

    var title = el("h2", {}, (h.patient_name || "Unknown patient") + " · " + h.channel + " ");
    title.appendChild(el("span", { "class": "status" }, h.status));
    var summary = el("p", { "class": "summary" }, h.summary);
    var meta = el("p", { "class": "meta" }, "Why: " + h.reason + " · " + new Date(h.created_at).toLocaleString() +
                                            (h.claimed_by ? " · claimed by " + h.claimed_by : ""));
    var transcript = el("div", { "class": "transcript" });
    (h.transcript || []).forEach(function (t) { transcript.appendChild(el("p", {}, t.role + ": " + t.text)); });

    var wanted = [];
    if (h.callback_number) {
      wanted.push(el("a", { href: "tel:" + h.callback_number, "class": "call" }, "Call " + h.callback_number));
    }
    if (h.status === "open" || h.status === "missed" || h.status === "connected") { wanted.push(form("claim", "Claim")); }
    if (h.channel === "webchat" || h.channel === "sms") { wanted.push(form("reply", "Reply to the patient", "text")); }
    if (h.status !== "ringing") { wanted.push(form("close", "Close (note)", "note")); }
    place(actions, wanted);
    place(item, [title, summary, meta, transcript, actions]);
  }

  function render(handoffs) {
    /* Updates the list in place: a card already shown keeps its forms, so a reply being typed keeps
     * its text, caret and focus when another handoff arrives or this one changes. */
    var focused = document.activeElement;
    var shown = {};
    Array.prototype.forEach.call(list.children, function (li) { shown[li.getAttribute("data-id")] = li; });
    place(list, handoffs.map(function (h) {
      var item = shown[h.id] || el("li", { "class": "handoff" });
      fill(item, h);
      return item;
    }));
    empty.hidden = handoffs.length > 0;
    if (focused && focused !== document.activeElement && list.contains(focused)) { focused.focus(); }
  }

  function refresh() {
    return fetch("/staff/handoffs", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.json();
      })
      .then(function (data) { if (data) { render(data.handoffs || []); } })
      .catch(function () { live.textContent = "Could not load handoffs; retrying."; });
  }

  function listen() {
    var source = new EventSource("/staff/events");
    source.addEventListener("open", function () { live.textContent = "Live."; refresh(); });
    source.addEventListener("handoff", function () { refresh(); });
    source.addEventListener("error", function () { live.textContent = "Reconnecting…"; });
  }

  refresh().then(function () { document.body.setAttribute("data-ready", "true"); });
  listen();
}());
