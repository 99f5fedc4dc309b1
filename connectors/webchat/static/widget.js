/* Intake resident chat: one <script> tag on the landlord's site; everything else comes from here.
 *
 * Text from the server or the resident is only ever set with textContent, never as HTML.
 * Turns the server has not confirmed stay in an outbox and are sent again after a reconnect;
 * the server stores each turn once (by its id), so a resend never duplicates it.
 */
(function (CONFIG) {
  "use strict";
  var script = document.currentScript;
  if (!script || !CONFIG) { return; }
  var base = new URL(script.src, window.location.href);
  var wsUrl = (base.protocol === "https:" ? "wss:" : "ws:") + "//" + base.host + CONFIG.ws;
  var mode = script.getAttribute("data-mode") === "page" ? "page" : "widget";
  var storeKey = "intake-chat:" + base.host;
  var ui = CONFIG.ui;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function saved() {
    try { return JSON.parse(window.sessionStorage.getItem(storeKey) || "null"); }
    catch (e) { return null; }
  }

  function save(value) {
    try {
      if (value) { window.sessionStorage.setItem(storeKey, JSON.stringify(value)); }
      else { window.sessionStorage.removeItem(storeKey); }
    } catch (e) { /* private browsing: the chat works, it just cannot resume */ }
  }

  // --- the widget's parts, in a shadow root so the landlord's styles and ours never mix ---
  var host = el("div", { "class": "intake-chat-host" });
  var targetId = script.getAttribute("data-target");
  var target = targetId ? document.getElementById(targetId) : null;
  (target || document.body).appendChild(host);
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("link", { rel: "stylesheet", href: new URL(CONFIG.css, base).href }));

  var shell = el("div", { "class": "chat mode-" + mode });
  var launcher = null;
  var panel = el("section", { "class": "panel", id: "panel", "aria-labelledby": "title" });
  var header = el("div", { "class": "header" });
  var title = el("h2", { id: "title" }, ui.title);
  var restart = el("button", { type: "button", "class": "restart" }, ui.new_chat);
  header.appendChild(title);
  header.appendChild(restart);
  var closer = null;
  if (mode === "widget") {
    launcher = el("button", {
      type: "button", "class": "launcher", "aria-expanded": "false", "aria-controls": "panel"
    }, ui.launcher);
    closer = el("button", { type: "button", "class": "close", "aria-label": ui.close }, "\u00d7");
    header.appendChild(closer);
    panel.hidden = true;
    shell.appendChild(launcher);
  }
  var status = el("p", { "class": "status", role: "status" });
  // role=log announces each new line to screen readers (politely, after what they are reading).
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", tabindex: "0",
                        "aria-label": ui.title });
  var list = el("ol", { "class": "lines" });
  log.appendChild(list);
  var choices = el("div", { "class": "choices", role: "group" });
  var alertBox = el("p", { "class": "alert", role: "alert" });
  var form = el("form", { "class": "composer" });
  var label = el("label", { "for": "input" }, ui.input_label);
  var input = el("textarea", {
    id: "input", rows: "2", maxlength: String(CONFIG.maxChars), placeholder: ui.placeholder,
    autocomplete: "off"
  });
  var send = el("button", { type: "submit", "class": "send" }, ui.send);
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);
  [header, status, log, choices, alertBox, form].forEach(function (part) {
    panel.appendChild(part);
  });
  shell.appendChild(panel);
  root.appendChild(shell);

  // --- the conversation ---
  var socket = null;
  var conversation = null;
  var outbox = [];          // turns sent but not yet confirmed: {id, text, choice}
  var lineFor = {};         // turn id -> its <li>, to mark it sent or not sent
  var retryDelay = 500;
  var stopped = false;      // refused for good (wrong site): no reconnecting
  var started = false;

  function setStatus(text) { status.textContent = text || ""; }
  function showAlert(text) { alertBox.textContent = text || ""; }

  function addLine(from, text, id) {
    var item = el("li", { "class": "line " + from });
    item.appendChild(el("span", { "class": "who" }, from === "bot" ? ui.bot : ui.you));
    item.appendChild(el("p", { "class": "text" }, text));
    list.appendChild(item);
    if (id) { lineFor[id] = item; }
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function markLine(id, note) {
    var item = lineFor[id];
    if (!item) { return; }
    var old = item.querySelector(".note");
    if (old) { item.removeChild(old); }
    if (note) { item.appendChild(el("span", { "class": "note" }, note)); }
  }

  function showChoices(list) {
    choices.textContent = "";
    (list || []).forEach(function (choice) {
      var button = el("button", { type: "button", "class": "choice" }, choice.label);
      button.addEventListener("click", function () { say(choice.label, choice.value); });
      choices.appendChild(button);
    });
  }

  function render(lines) {
    list.textContent = "";
    lineFor = {};
    (lines || []).forEach(function (line) { addLine(line.from, line.text, line.id); });
    var last = lines && lines.length ? lines[lines.length - 1] : null;
    showChoices(last && last.from === "bot" ? last.choices : []);
  }

  function transmit(turn) {
    if (socket && socket.readyState === WebSocket.OPEN && conversation) {
      var frame = { type: "say", id: turn.id, text: turn.text };
      if (turn.choice) { frame.choice = turn.choice; }
      socket.send(JSON.stringify(frame));
    }
  }

  function say(text, choice) {
    text = (text || "").trim();
    if (!text) { return; }
    showAlert("");
    showChoices([]);
    var turn = { id: newId(), text: text, choice: choice || null };
    outbox.push(turn);
    addLine("resident", text, turn.id);
    markLine(turn.id, ui.sending);
    transmit(turn);
  }

  function confirmed(id) {
    outbox = outbox.filter(function (turn) { return turn.id !== id; });
    markLine(id, "");
  }

  function refused(id, text) {
    var turn = outbox.filter(function (t) { return t.id === id; })[0];
    outbox = outbox.filter(function (t) { return t.id !== id; });
    markLine(id, ui.not_sent);
    showAlert(text);
    if (turn && !turn.choice && !input.value) { input.value = turn.text; }
  }

  function onFrame(frame) {
    if (frame.type === "welcome") {
      conversation = frame.conversation;
      var keep = saved();
      save({ conversation: frame.conversation,
             token: frame.token || (keep && keep.token) || "" });
      retryDelay = 500;
      setStatus(ui.connected);
      render(frame.lines);
      if (frame.notice) { addLine("bot", frame.notice); }
      var seen = {};
      (frame.lines || []).forEach(function (line) { if (line.id) { seen[line.id] = true; } });
      outbox = outbox.filter(function (turn) { return !seen[turn.id]; });
      outbox.forEach(function (turn) {
        addLine("resident", turn.text, turn.id);
        markLine(turn.id, ui.sending);
        transmit(turn);
      });
    } else if (frame.type === "receipt") {
      confirmed(frame.id);
    } else if (frame.type === "replies") {
      (frame.lines || []).forEach(function (line) { addLine("bot", line.text); });
      var lines = frame.lines || [];
      showChoices(lines.length ? lines[lines.length - 1].choices : []);
    } else if (frame.type === "error") {
      if (frame.id) { refused(frame.id, frame.text); }
      else { showAlert(frame.text); }
      if (frame.code === "origin" || frame.code === "too_many_chats") { stopped = true; }
    }
  }

  function connect() {
    if (stopped) { return; }
    setStatus(conversation ? ui.reconnecting : ui.connecting);
    try { socket = new WebSocket(wsUrl); }
    catch (e) { setStatus(ui.cannot_connect); return; }
    socket.addEventListener("open", function () {
      var keep = saved();
      var hello = { type: "hello" };
      if (keep && keep.conversation && keep.token) {
        hello.conversation = keep.conversation;
        hello.token = keep.token;
      }
      socket.send(JSON.stringify(hello));
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    });
    socket.addEventListener("close", function () {
      socket = null;
      conversation = null;
      if (stopped) { setStatus(""); return; }
      setStatus(ui.reconnecting);
      window.setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 8000);
    });
  }

  function start() {
    if (!started) { started = true; connect(); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    say(input.value);
    input.value = "";
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  restart.addEventListener("click", function () {
    save(null);
    outbox = [];
    render([]);
    showAlert("");
    if (socket) { socket.close(); } else { connect(); }
    input.focus();
  });

  function openPanel() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    start();
    input.focus();
  }

  function closePanel() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  if (mode === "widget") {
    launcher.addEventListener("click", function () {
      if (panel.hidden) { openPanel(); } else { closePanel(); }
    });
    closer.addEventListener("click", closePanel);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closePanel(); }
    });
    if (saved()) { openPanel(); }  // a reload mid-chat reopens it
  } else {
    start();
  }
})(/*CONFIG*/null);
