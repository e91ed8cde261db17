// The ShopSense chat widget: vanilla JS over socket.io. The shop's page calls
// ShopSenseWidget.start({root, identity, token}) where identity is the shop's customer reference
// (or "guest") and token the signed customer token its backend issued (or null).
//
// The conversation id and any message not yet acknowledged live in localStorage, so a reload or a
// dropped connection resumes the same conversation and re-sends what was typed; the gateway
// stores each message once (by client_id) and serves the transcript from its database.
(function () {
  "use strict";
  const STORE = "shopsense.chat";
  const OPEN = "shopsense.chat.open";
  const T = window.ShopSenseText;

  function load() {
    try {
      return JSON.parse(localStorage.getItem(STORE)) || {};
    } catch (error) {
      return {};
    }
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function money(value, currency) {
    const amount = Number(value);
    if (!isFinite(amount)) return String(value || "");
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency: currency || "EUR" }).format(amount);
    } catch (error) {
      return amount.toFixed(2) + " " + (currency || "");
    }
  }

  // "2024-09-16T12:27:49" as the shopper's browser writes dates ("16 Sept 2024, 12:27");
  // a plain date ("2024-09-23") without a time. Anything unreadable is shown as it came.
  function when(value) {
    if (!value) return value;
    const text = String(value);
    const parsed = new Date(text.length === 10 ? text + "T00:00:00" : text);
    if (isNaN(parsed.getTime())) return text;
    const day = { day: "numeric", month: "short", year: "numeric" };
    const options = text.length === 10 ? day : Object.assign({ hour: "2-digit", minute: "2-digit" }, day);
    return new Intl.DateTimeFormat(undefined, options).format(parsed);
  }

  function start(options) {
    let state = load();
    if (state.identity !== options.identity) {
      state = { identity: options.identity, pending: [] };
    }
    state.pending = state.pending || [];
    const save = function () { localStorage.setItem(STORE, JSON.stringify(state)); };
    save();

    const seen = new Map();
    const ui = buildUi(options.root);
    const socket = window.io({ transports: ["websocket", "polling"] });

    socket.on("connect", hello);

    function hello() {
      ui.connection(true);
      socket.emit("hello", {
        conversation_id: state.conversationId || null,
        token: state.bound ? null : options.token,
      }, function (session) {
        if (!session || session.ok === false) {
          // too fast, or the shop's database is out for a moment: ask again a little later
          setTimeout(function () { if (socket.connected) hello(); }, 3000);
          return;
        }
        if (session.conversation_id !== state.conversationId) {
          ui.clear();
          seen.clear();
        }
        state.conversationId = session.conversation_id;
        state.bound = true;
        save();
        ui.identity(session.customer, session.identity_error);
        session.messages.forEach(show);
        ui.status(session.status);
        state.pending.forEach(function (pending) { ui.pending(pending); deliver(pending); });
      });
    }
    socket.on("disconnect", function () { ui.connection(false); });
    socket.on("message", show);
    socket.on("status", ui.status);
    socket.on("typing", ui.typing);

    function show(message) {
      if (seen.has(message.id)) return;
      seen.set(message.id, true);
      if (message.client_id) {
        state.pending = state.pending.filter(function (p) { return p.client_id !== message.client_id; });
        save();
        ui.settle(message.client_id);
      }
      ui.message(message, { click: click, leaveMessage: leaveMessage });
      if (message.sender !== "shopper") ui.typing({ on: false });
    }

    function deliver(pending) {
      if (!socket.connected || !state.conversationId) return;
      const event = pending.payload ? "button" : "message";
      socket.emit(event, pending, function (ack) {
        if (ack && ack.ok === false) {
          state.pending = state.pending.filter(function (p) { return p.client_id !== pending.client_id; });
          save();
          ui.settle(pending.client_id, ack.error);
        }
      });
    }

    function send(pending) {
      state.pending.push(pending);
      save();
      ui.pending(pending);
      deliver(pending);
    }

    function click(button) {
      send({ client_id: newId(), payload: button.payload, title: button.title });
    }

    function leaveMessage(email, text, done) {
      socket.emit("leave_message", { email: email, message: text }, done);
    }

    ui.onSend(function (text) { send({ client_id: newId(), text: text }); });
    ui.onAskAgent(function () { socket.emit("ask_agent", {}, function () {}); });
    ui.onLeaveMessage(leaveMessage);
  }

  function buildUi(root) {
    root.className = "ssw";
    const launcher = T.el("button", "ssw-launcher", "Chat with us");
    launcher.dataset.testid = "chat-launcher";
    const panel = T.el("section", "ssw-panel");
    panel.dataset.testid = "chat-panel";
    panel.setAttribute("aria-label", "chat");

    const header = T.el("header", "ssw-header");
    const title = T.el("div", "ssw-title");
    const who = T.el("strong", "", "ShopSense assistant");
    who.dataset.testid = "chat-with";
    const whoami = T.el("small", "ssw-whoami", "");
    whoami.dataset.testid = "chat-identity";
    title.append(who, whoami);
    const human = T.el("button", "ssw-human", "Talk to a person");
    human.dataset.testid = "ask-agent";
    const close = T.el("button", "ssw-close", "×");
    close.setAttribute("aria-label", "close chat");
    header.append(title, human, close);

    const banner = T.el("div", "ssw-banner");
    banner.dataset.testid = "queue-banner";
    banner.hidden = true;
    const offline = T.el("div", "ssw-offline", "Reconnecting…");
    offline.dataset.testid = "chat-offline";
    offline.hidden = true;
    const log = T.el("ol", "ssw-log");
    log.dataset.testid = "chat-log";
    log.setAttribute("aria-live", "polite");
    const typing = T.el("div", "ssw-typing", "");
    typing.dataset.testid = "typing";
    typing.hidden = true;

    const form = T.el("form", "ssw-form");
    const input = T.el("input", "ssw-input");
    input.placeholder = "Type your message…";
    input.maxLength = 2000;
    input.dataset.testid = "chat-input";
    input.setAttribute("aria-label", "message");
    const sendButton = T.el("button", "ssw-send", "Send");
    sendButton.type = "submit";
    sendButton.dataset.testid = "chat-send";
    form.append(input, sendButton);

    panel.append(header, banner, offline, log, typing, form);
    root.append(launcher, panel);

    const setOpen = function (open) {
      panel.hidden = !open;
      launcher.hidden = open;
      localStorage.setItem(OPEN, open ? "1" : "0");
      if (open) input.focus();
    };
    setOpen(localStorage.getItem(OPEN) === "1");
    launcher.addEventListener("click", function () { setOpen(true); });
    close.addEventListener("click", function () { setOpen(false); });

    let typingTimer = null;
    let leaveMessageHandler = null;

    function scroll() { log.scrollTop = log.scrollHeight; }

    function ticketForm() {
      const box = T.el("form", "ssw-ticket");
      box.dataset.testid = "ticket-form";
      const email = T.el("input");
      email.type = "email";
      email.required = true;
      email.placeholder = "Your email";
      email.dataset.testid = "ticket-email";
      const text = T.el("textarea");
      text.required = true;
      text.placeholder = "How can we help?";
      text.dataset.testid = "ticket-message";
      const submit = T.el("button", "", "Send message");
      submit.type = "submit";
      const result = T.el("small", "ssw-ticket-result", "");
      box.append(email, text, submit, result);
      box.addEventListener("submit", function (event) {
        event.preventDefault();
        submit.disabled = true;
        leaveMessageHandler(email.value, text.value, function (ack) {
          if (ack && ack.ok) {
            box.classList.add("ssw-done");
            Array.from(box.elements).forEach(function (field) { field.disabled = true; });
          } else {
            submit.disabled = false;
            result.textContent = (ack && ack.error) || "Could not send; try again.";
          }
        });
      });
      return box;
    }

    function productCards(products) {
      const row = T.el("div", "ssw-cards");
      products.forEach(function (product) {
        const card = T.el("article", "ssw-card ssw-product");
        card.dataset.testid = "product-card";
        const image = T.el("div", "ssw-card-image", (product.name || "?").slice(0, 1));
        image.setAttribute("aria-hidden", "true");
        card.append(image, T.el("strong", "ssw-card-name", product.name));
        card.append(T.el("span", "ssw-card-price", money(product.price, product.currency)));
        if (product.reason) card.append(T.el("small", "ssw-card-reason", product.reason));
        row.append(card);
      });
      return row;
    }

    function orderCard(order) {
      const card = T.el("article", "ssw-card ssw-order");
      card.dataset.testid = "order-card";
      const head = T.el("div", "ssw-order-head");
      head.append(T.el("strong", "", "Order " + (order.number || "")));
      const status = T.el("span", "ssw-order-status", String(order.status || "").replace(/_/g, " "));
      status.dataset.testid = "order-status";
      head.append(status);
      card.append(head);
      const facts = T.el("dl", "ssw-order-facts");
      [["Placed", when(order.placed_at)], ["Total", order.total ? money(order.total, order.currency) : null],
        ["Carrier", order.carrier], ["Tracking", order.tracking_number], ["Expected", when(order.eta)]]
        .forEach(function (fact) {
          if (!fact[1]) return;
          facts.append(T.el("dt", "", fact[0]), T.el("dd", "", fact[1]));
        });
      card.append(facts);
      if (Array.isArray(order.items) && order.items.length) {
        const items = T.el("ul", "ssw-order-items");
        order.items.forEach(function (item) {
          items.append(T.el("li", "", (item.quantity ? item.quantity + " × " : "") + (item.name || "")));
        });
        card.append(items);
      }
      if (Array.isArray(order.events) && order.events.length) {
        const events = T.el("ol", "ssw-order-events");
        order.events.forEach(function (event) {
          events.append(T.el("li", "", [when(event.when), event.where, event.what].filter(Boolean).join(" · ")));
        });
        card.append(events);
      }
      // a link the assistant signed for this shopper's order; nothing else becomes an href
      if (typeof order.invoice_url === "string" && /^\/invoices\/[A-Za-z0-9._-]+$/.test(order.invoice_url)) {
        const invoice = T.el("a", "ssw-order-invoice", "Invoice");
        invoice.href = order.invoice_url;
        invoice.target = "_blank";
        invoice.rel = "noopener noreferrer";
        invoice.dataset.testid = "order-invoice";
        card.append(invoice);
      }
      return card;
    }

    return {
      clear: function () { log.replaceChildren(); },
      connection: function (online) { offline.hidden = online; },
      identity: function (customer, error) {
        whoami.textContent = customer ? "Signed in as " + customer.name : "Guest";
        if (error) whoami.textContent += " (login not accepted: " + error + ")";
      },
      status: function (status) {
        if (status.owner === "queued") {
          banner.hidden = false;
          banner.replaceChildren(T.el("span", "", "Connecting you to an agent… you are number " +
            (status.queue_position || "?") + " in the queue."));
          const instead = T.el("button", "ssw-link", "Leave a message instead");
          instead.addEventListener("click", function () { banner.append(ticketForm()); instead.remove(); });
          banner.append(instead);
        } else {
          banner.hidden = true;
          banner.replaceChildren();
        }
        who.textContent = status.owner === "agent" && status.agent ? status.agent + " (support team)" : "ShopSense assistant";
        human.hidden = status.owner !== "bot";
      },
      typing: function (event) {
        clearTimeout(typingTimer);
        typing.hidden = !event.on;
        typing.textContent = event.on ? (event.who === "assistant" ? "The assistant" : event.who) + " is typing…" : "";
        if (event.on && event.who !== "assistant") {
          typingTimer = setTimeout(function () { typing.hidden = true; }, 3000);
        }
      },
      pending: function (pending) {
        if (log.querySelector('[data-client-id="' + CSS.escape(pending.client_id) + '"]')) return;
        const item = T.el("li", "ssw-msg ssw-shopper ssw-pending");
        item.dataset.clientId = pending.client_id;
        item.append(T.render(T.el("div", "ssw-bubble"), pending.title || pending.text));
        log.append(item);
        scroll();
      },
      settle: function (clientId, error) {
        const item = log.querySelector('.ssw-pending[data-client-id="' + CSS.escape(clientId) + '"]');
        if (!item) return;
        if (error) {
          item.classList.add("ssw-failed");
          item.append(T.el("small", "ssw-error", error));
          item.classList.remove("ssw-pending");
        } else {
          item.remove();
        }
      },
      message: function (message, actions) {
        const item = T.el("li", "ssw-msg ssw-" + message.sender);
        item.dataset.testid = "msg-" + message.sender;
        item.dataset.id = message.id;
        const payload = message.payload || {};
        if (message.sender === "agent" && payload.agent) item.append(T.el("small", "ssw-author", payload.agent));
        if (message.text) item.append(T.render(T.el("div", "ssw-bubble"), message.text));
        const custom = payload.custom || {};
        if (Array.isArray(custom.products)) item.append(productCards(custom.products));
        if (custom.order && typeof custom.order === "object") item.append(orderCard(custom.order));
        if (Array.isArray(payload.buttons) && payload.buttons.length) {
          const row = T.el("div", "ssw-quick");
          payload.buttons.forEach(function (button) {
            const quick = T.el("button", "ssw-quick-reply", button.title);
            quick.dataset.testid = "quick-reply";
            quick.addEventListener("click", function () {
              row.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
              actions.click(button);
            });
            row.append(quick);
          });
          item.append(row);
        }
        if (payload.ticket_form) item.append(ticketForm());
        if (message.client_id) {
          const mine = log.querySelector('.ssw-pending[data-client-id="' + CSS.escape(message.client_id) + '"]');
          if (mine) mine.remove();
        }
        log.append(item);
        scroll();
      },
      onSend: function (handler) {
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          const text = input.value.trim();
          if (!text) return;
          input.value = "";
          handler(text);
        });
      },
      onAskAgent: function (handler) { human.addEventListener("click", handler); },
      onLeaveMessage: function (handler) { leaveMessageHandler = handler; },
    };
  }

  window.ShopSenseWidget = { start: start };
})();
