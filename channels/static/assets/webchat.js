/* The clinic chat page: plain JavaScript, no build step, no API key.
 * The conversation is identified by an HttpOnly cookie the server sets; this script never sees it. */
(function () {
  "use strict";

  var body = document.body;
  var slug = body.getAttribute("data-slug");
  var timeZone = body.getAttribute("data-timezone") || undefined;
  var clinicName = body.getAttribute("data-clinic") || "The clinic";
  var embedded = body.getAttribute("data-embed") === "1" || window.top !== window.self;
  var base = "/webchat/" + encodeURIComponent(slug);

  var log = document.getElementById("log");
  var typing = document.getElementById("typing");
  var slotsBox = document.getElementById("slots");
  var slotButtons = document.getElementById("slot-buttons");
  var statusLine = document.getElementById("status");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var sendButton = document.getElementById("send");
  var busy = false;
  var staffSeen = null;       /* set by load(): "" or the time of the newest staff reply shown */
  var staffWatch = false;     /* once handed to the front desk: ask for their replies every second */

  var timeFormat;
  try {
    timeFormat = new Intl.DateTimeFormat("en-US", {
      weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZone: timeZone
    });
  } catch (e) {
    timeFormat = new Intl.DateTimeFormat("en-US", {
      weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit"
    });
  }

  function headers() {
    var h = { "Content-Type": "application/json", "Accept": "application/json" };
    if (embedded) { h["X-Webchat-Embed"] = "1"; }
    return h;
  }

  function addMessage(role, text) {
    var item = document.createElement("li");
    item.className = "msg " + (role === "patient" ? "from-patient" : role === "staff" ? "from-clinic from-staff"
                                                                                      : "from-clinic");
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = role === "patient" ? "You: " : role === "staff" ? clinicName + " front desk: "
                                                                       : clinicName + ": ";
    var bubble = document.createElement("p");
    bubble.className = "bubble";
    bubble.textContent = text;
    item.appendChild(who);
    item.appendChild(bubble);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function slotLabel(slot, index) {
    var when = slot.start;
    try { when = timeFormat.format(new Date(slot.start)); } catch (e) { /* keep ISO text */ }
    return (index + 1) + ". " + when + " — " + slot.provider_name;
  }

  function showSlots(slots) {
    slotButtons.textContent = "";
    if (!slots || !slots.length) {
      slotsBox.hidden = true;
      return;
    }
    slots.forEach(function (slot, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "slot";
      button.textContent = slotLabel(slot, index);
      button.setAttribute("data-choice", String(index + 1));
      button.addEventListener("click", function () {
        send(String(index + 1), button.textContent);
      });
      slotButtons.appendChild(button);
    });
    slotsBox.hidden = false;
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    log.setAttribute("aria-busy", value ? "true" : "false");
    typing.hidden = !value;
    Array.prototype.forEach.call(slotButtons.querySelectorAll("button"), function (b) { b.disabled = value; });
  }

  function problem(response, data) {
    if (response.status === 429) {
      var wait = response.headers.get("Retry-After");
      return "You're sending messages quickly. Please wait " + (wait || "a few") + " seconds and try again.";
    }
    if (response.status === 403) { return "This chat can't be used from this page."; }
    if (data && data.error && data.error.message) { return data.error.message; }
    return "Sorry, something went wrong. Please try again.";
  }

  function post(path, payload) {
    return fetch(base + path, {
      method: "POST", credentials: "same-origin", headers: headers(),
      body: JSON.stringify(payload || {})
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) { throw new Error(problem(response, data)); }
        return data;
      });
    });
  }

  function handleReply(data) {
    if (data.state === "handed_off") { staffWatch = true; }
    addMessage("assistant", data.message);
    showSlots(data.available_slots);
  }

  function send(text, shown) {
    if (busy) { return; }
    text = (text || "").trim();
    if (!text) {
      statusLine.textContent = "Type a message first.";
      input.focus();
      return;
    }
    statusLine.textContent = "";
    addMessage("patient", shown || text);
    showSlots([]);
    input.value = "";
    setBusy(true);
    post("/messages", { message: text })
      .then(handleReply)
      .catch(function (err) { statusLine.textContent = err.message; })
      .then(function () {
        setBusy(false);
        input.focus();   // keyboard users land back in the message box
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value);
  });

  function load() {
    setBusy(true);
    fetch(base + "/history", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { messages: [] }; })
      .then(function (data) {
        staffSeen = data.staff_seen || "";
        if (data.state === "handed_off" || data.staff_seen) { staffWatch = true; }
        if (data.messages && data.messages.length) {
          data.messages.forEach(function (m) { addMessage(m.role, m.text); });
          showSlots(data.available_slots);
          return null;
        }
        return post("/start").then(handleReply);
      })
      .catch(function (err) { statusLine.textContent = err.message || "Sorry, the chat could not start."; })
      .then(function () {
        if (staffSeen === null) { staffSeen = ""; }
        setBusy(false);
        body.setAttribute("data-ready", "true");
        if (!embedded) { input.focus(); }
      });
  }

  /* Replies typed by the front desk after a handoff: polled, each shown once. The history load
   * says which staff replies it already showed (staffSeen: the newest one's time). */
  var STAFF_POLL_MS = 1000;
  var STAFF_IDLE_POLLS = 15;  /* before any handoff: every 15 s (staff may still write first) */
  var idlePolls = 0;
  function pollStaff() {
    if (staffSeen === null || (!staffWatch && ++idlePolls % STAFF_IDLE_POLLS !== 0)) {
      window.setTimeout(pollStaff, STAFF_POLL_MS);
      return;
    }
    var query = staffSeen ? "?after=" + encodeURIComponent(staffSeen) : "";
    fetch(base + "/staff" + query, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { messages: [] }; })
      .then(function (data) {
        (data.messages || []).forEach(function (m) {
          if (!staffSeen || m.at > staffSeen) { addMessage("staff", m.text); staffSeen = m.at; }
        });
      })
      .catch(function () { /* try again on the next tick */ })
      .then(function () { window.setTimeout(pollStaff, STAFF_POLL_MS); });
  }

  load();
  window.setTimeout(pollStaff, STAFF_POLL_MS);
}());
