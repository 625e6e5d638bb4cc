/* Embed the clinic's chat on another site:
 *   <script src="https://YOUR-RECEPTIONIST-HOST/chat/CLINIC-SLUG/embed.js" async></script>
 * Adds a "Chat with us" button that opens the chat page in an iframe. The embedding site must be
 * listed in the clinic's allowed_origins, or the browser refuses to show the frame. */
(function () {
  "use strict";
  var slug = __CLINIC_SLUG__;
  var name = __CLINIC_NAME__;
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : "";
  if (!origin || document.getElementById("va-chat-launcher")) { return; }

  var panelId = "va-chat-panel";
  var button = document.createElement("button");
  button.id = "va-chat-launcher";
  button.type = "button";
  button.textContent = "Chat with us";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", panelId);
  button.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:2147483000;padding:.75rem 1rem;" +
    "border:0;border-radius:999px;background:#0b5fa5;color:#fff;font:600 1rem system-ui,sans-serif;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.25);cursor:pointer;min-height:44px";

  var panel = document.createElement("div");
  panel.id = panelId;
  panel.hidden = true;
  panel.style.cssText = "position:fixed;right:1rem;bottom:4.5rem;z-index:2147483000;width:min(26rem,calc(100vw - 2rem));" +
    "height:min(38rem,calc(100vh - 6rem));border:1px solid #c7d0da;border-radius:.75rem;overflow:hidden;" +
    "box-shadow:0 4px 24px rgba(0,0,0,.25);background:#fff";

  var frame = null;
  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = origin + "/chat/" + encodeURIComponent(slug) + "?embed=1";
      frame.title = "Chat with " + name;
      frame.style.cssText = "width:100%;height:100%;border:0";
      panel.appendChild(frame);
    }
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    button.textContent = "Close chat";
    frame.focus();
  }
  function close() {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.textContent = "Chat with us";
    button.focus();
  }
  button.addEventListener("click", function () { if (panel.hidden) { open(); } else { close(); } });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && !panel.hidden) { close(); } });

  document.body.appendChild(panel);
  document.body.appendChild(button);
}());
