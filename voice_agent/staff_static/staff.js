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

  function render(handoffs) {
    list.textContent = "";
    empty.hidden = handoffs.length > 0;
    handoffs.forEach(function (h) {
      var item = el("li", { "class": "handoff", "data-id": h.id, "data-status": h.status, "data-channel": h.channel });
      var title = el("h2", {}, (h.patient_name || "Unknown patient") + " · " + h.channel + " ");
      title.appendChild(el("span", { "class": "status" }, h.status));
      item.appendChild(title);
      item.appendChild(el("p", { "class": "summary" }, h.summary));
      item.appendChild(el("p", { "class": "meta" }, "Why: " + h.reason + " · " + new Date(h.created_at).toLocaleString() +
                                                    (h.claimed_by ? " · claimed by " + h.claimed_by : "")));
      var transcript = el("div", { "class": "transcript" });
      (h.transcript || []).forEach(function (t) { transcript.appendChild(el("p", {}, t.role + ": " + t.text)); });
      item.appendChild(transcript);
      var actions = el("div", { "class": "actions" });
      if (h.callback_number) {
        actions.appendChild(el("a", { href: "tel:" + h.callback_number, "class": "call" }, "Call " + h.callback_number));
      }
      if (h.status === "open" || h.status === "missed" || h.status === "connected") {
        actions.appendChild(actionForm(h, "claim", "Claim"));
      }
      if (h.channel === "webchat" || h.channel === "sms") {
        actions.appendChild(actionForm(h, "reply", "Reply to the patient", "text"));
      }
      if (h.status !== "ringing") {
        actions.appendChild(actionForm(h, "close", "Close (note)", "note"));
      }
      item.appendChild(actions);
      list.appendChild(item);
    });
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
