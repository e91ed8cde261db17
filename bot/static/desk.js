// The agent desk: log in, watch the queue live, take a conversation over, reply, leave private
// notes and hand the conversation back to the assistant (optionally with a task for it).
// Actions go through the HTTP API (/api/desk/…); socket.io namespace /desk pushes what changed.
(function () {
  "use strict";
  const T = window.ShopSenseText;
  const $ = function (id) { return document.getElementById(id); };
  const TASKS = [
    ["back_to_assistant", "Back to the assistant", null],
    ["start_return", "Assistant: start the return form", "order_number"],
    ["send_suggestions", "Assistant: send product suggestions", "category"],
    ["check_order", "Assistant: show the order status", "order_number"],
  ];
  let me = null;
  let openId = null;
  let socket = null;
  let refreshTimer = null;
  let listsVersion = 0;
  const shownMessages = new Set();

  async function api(method, path, body) {
    const response = await fetch(path, {
      method: method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: "same-origin",
    });
    const data = response.status === 204 ? null : await response.json().catch(function () { return null; });
    if (!response.ok) throw new Error((data && data.detail) || response.statusText);
    return data;
  }

  function age(seconds) {
    if (seconds < 60) return Math.round(seconds) + " s";
    return Math.round(seconds / 60) + " min";
  }

  async function boot() {
    try {
      me = await api("GET", "/api/desk/me");
    } catch (error) {
      $("login").hidden = false;
      return;
    }
    $("login").hidden = true;
    $("desk").hidden = false;
    $("me").textContent = me.display_name;
    $("analytics-link").hidden = !me.is_admin;
    connect();
    await refreshLists();
  }

  $("login-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    try {
      await api("POST", "/api/desk/login", { username: $("username").value, password: $("password").value });
      $("login-error").textContent = "";
      await boot();
    } catch (error) {
      $("login-error").textContent = error.message;
    }
  });

  $("logout").addEventListener("click", async function () {
    await api("POST", "/api/desk/logout");
    window.location.reload();
  });

  function connect() {
    socket = window.io("/desk", { transports: ["websocket", "polling"] });
    socket.on("agents", function (data) { $("online").textContent = data.online + " online"; });
    socket.on("queue", scheduleRefresh);
    socket.on("tickets", scheduleRefresh);
    socket.on("conversation", function (conversation) {
      scheduleRefresh();
      if (conversation.id === openId) openConversation(openId);
    });
    socket.on("message", function (data) {
      scheduleRefresh();
      if (data.conversation_id === openId) appendMessage(data.message);
    });
    socket.on("note", function (data) {
      if (data.conversation_id === openId) appendNote(data.note);
    });
    socket.on("connect", function () {
      scheduleRefresh();
      if (openId) openConversation(openId);
    });
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refreshLists, 150);
  }

  async function refreshLists() {
    // overlapping refreshes: only the latest one may draw, or an older answer could win
    const version = ++listsVersion;
    const lists = await api("GET", "/api/desk/queue");
    const tickets = await api("GET", "/api/desk/tickets");
    if (version !== listsVersion) return;
    $("queue-count").textContent = lists.queue.length || "";
    fill($("queue"), lists.queue, function (entry) {
      return [
        [entry.customer ? entry.customer.name : "Guest", entry.score.toFixed(2)],
        (entry.reason || "") + " · waiting " + age(entry.waited_s),
        entry.last_message,
      ];
    });
    fill($("mine"), lists.mine, function (c) { return [[c.customer_name || "Guest", ""], c.reason || "", ""]; });
    fill($("with-assistant"), lists.with_assistant, function (c) {
      return [[c.customer_name || "Guest", ""], "conversation " + c.id.slice(0, 8), ""];
    });
    $("tickets").replaceChildren();
    tickets.forEach(function (ticket) {
      const li = T.el("li", "item ticket");
      li.dataset.testid = "ticket";
      li.append(T.el("strong", "", "#" + ticket.id + " " + ticket.email));
      li.append(T.el("small", "", ticket.message));
      $("tickets").append(li);
    });
  }

  function fill(list, items, describe) {
    list.replaceChildren();
    items.forEach(function (item) {
      const lines = describe(item);
      const li = T.el("li", "item" + (item.id === openId ? " selected" : ""));
      li.dataset.testid = "conversation-item";
      li.dataset.id = item.id;
      const top = T.el("div", "top");
      top.append(T.el("strong", "", lines[0][0]));
      if (lines[0][1]) top.append(T.el("span", "score", lines[0][1]));
      li.append(top);
      if (lines[1]) li.append(T.el("small", "", lines[1]));
      if (lines[2]) li.append(T.el("small", "", "“" + lines[2] + "”"));
      li.addEventListener("click", function () { openConversation(item.id); });
      list.append(li);
    });
  }

  function messageItem(message) {
    const li = T.el("li", message.sender);
    li.dataset.id = message.id;
    li.dataset.testid = "desk-msg-" + message.sender;
    const who = { shopper: "Shopper", bot: "Assistant", system: "", agent: (message.payload && message.payload.agent) || "Agent" }[message.sender];
    if (who) li.append(T.el("span", "who", who + ":"));
    const text = message.text || (message.payload && message.payload.custom ? "[card: " + Object.keys(message.payload.custom).join(", ") + "]" : "");
    T.render(li, text);
    if (message.emotion) {
      const tag = T.el("span", "tag " + message.emotion, message.emotion + " " + Math.round((message.emotion_confidence || 0) * 100) + "%");
      li.append(tag);
    }
    return li;
  }

  function appendMessage(message) {
    if (shownMessages.has(message.id)) return;
    shownMessages.add(message.id);
    const transcript = document.querySelector("[data-testid=transcript]");
    if (!transcript) return;
    transcript.append(messageItem(message));
    transcript.scrollTop = transcript.scrollHeight;
    if (message.emotion) addTimelineBar({ label: message.emotion, confidence: message.emotion_confidence });
  }

  function appendNote(note) {
    const notes = document.querySelector("[data-testid=notes]");
    if (!notes || notes.querySelector('[data-id="' + note.id + '"]')) return;
    const li = T.el("li", "", note.agent + ": " + note.text);
    li.dataset.id = note.id;
    notes.append(li);
  }

  function addTimelineBar(point) {
    const timeline = document.querySelector("[data-testid=emotion-timeline]");
    if (!timeline) return;
    const bar = T.el("span", point.label);
    bar.style.height = Math.max(10, Math.round((point.confidence || 0) * 100)) + "%";
    bar.title = point.label + " " + Math.round((point.confidence || 0) * 100) + "%";
    timeline.append(bar);
  }

  function panel(title, testid) {
    const box = T.el("section", "panel");
    if (title) box.append(T.el("h3", "", title));
    if (testid) box.dataset.testid = testid;
    return box;
  }

  async function openConversation(id) {
    openId = id;
    let detail;
    try {
      detail = await api("GET", "/api/desk/conversations/" + encodeURIComponent(id));
    } catch (error) {
      return;
    }
    if (openId !== id) return;
    document.querySelectorAll(".item").forEach(function (li) { li.classList.toggle("selected", li.dataset.id === id); });
    const c = detail.conversation;
    const mineNow = c.owner === "agent" && c.agent_id === me.id;
    const root = $("conversation");
    root.replaceChildren();
    shownMessages.clear();

    const head = T.el("div", "head");
    const title = T.el("h2", "", detail.customer ? detail.customer.name : "Guest shopper");
    const owner = T.el("span", "owner", c.owner === "agent" ? "with " + c.agent : c.owner === "queued" ? "waiting (#" + detail.queue_position + ")" : "with the assistant");
    owner.dataset.testid = "owner";
    head.append(title, owner);
    if (c.owner === "queued" || c.owner === "bot") {
      const take = T.el("button", "", "Take over");
      take.dataset.testid = "take-over";
      take.addEventListener("click", async function () {
        take.disabled = true;
        try { await api("POST", "/api/desk/conversations/" + encodeURIComponent(id) + "/take"); } catch (error) { alert(error.message); }
        await openConversation(id);
        scheduleRefresh();
      });
      head.append(take);
    }
    root.append(head);

    const mainCol = T.el("div", "main-col");
    const chat = panel("Conversation");
    const transcript = T.el("ol", "transcript");
    transcript.dataset.testid = "transcript";
    chat.append(transcript);
    if (mineNow) chat.append(replyForm(id), handbackForm(id));
    mainCol.append(chat);
    root.append(mainCol);

    const side = T.el("div", "side");
    side.append(assistPanel(id, mineNow));
    const why = panel("Why escalated", "why");
    why.append(T.el("p", "", c.reason ? c.reason + " (" + c.source + ")" : "Not escalated."));
    if (c.reason) why.append(T.el("small", "", "priority " + Number(c.priority).toFixed(2)));
    side.append(why);
    side.append(profileCard(detail.customer));
    const emotions = panel("Emotion timeline");
    const timeline = T.el("div", "timeline");
    timeline.dataset.testid = "emotion-timeline";
    emotions.append(timeline);
    if (!detail.emotions.length) emotions.append(T.el("small", "", "No emotion readings yet."));
    side.append(emotions);
    const notesPanel = panel("Private notes");
    const notes = T.el("ul", "notes");
    notes.dataset.testid = "notes";
    notesPanel.append(notes, noteForm(id));
    side.append(notesPanel);
    root.append(side);

    detail.messages.forEach(appendMessage);
    detail.notes.forEach(appendNote);
  }

  // Agent assist: the conversation so far in four lines, and replies to start from. A
  // suggestion goes into the reply box for the agent to edit; it is never sent by itself.
  function assistPanel(id, mineNow) {
    const box = panel("Assist", "assist");
    box.append(T.el("small", "", "Reading the conversation…"));
    api("GET", "/api/desk/conversations/" + encodeURIComponent(id) + "/assist").then(function (assist) {
      if (openId !== id) return;
      box.replaceChildren(T.el("h3", "", "Assist"));
      const summary = T.el("dl", "card");
      summary.dataset.testid = "assist-summary";
      [["Who", assist.summary.who], ["Wants", assist.summary.wants],
        ["Tried", assist.summary.tried.join("; ")], ["Mood", assist.summary.mood]]
        .forEach(function (row) { summary.append(T.el("dt", "", row[0]), T.el("dd", "", row[1])); });
      box.append(summary);
      const list = T.el("ul", "suggestions");
      assist.replies.forEach(function (reply) {
        const li = T.el("li", "suggestion " + reply.kind);
        li.dataset.testid = "assist-suggestion";
        li.append(T.el("strong", "", reply.label), T.el("p", "", reply.text));
        const insert = T.el("button", "secondary", mineNow ? "Insert" : "Take over to use");
        insert.type = "button";
        insert.disabled = !mineNow;
        insert.dataset.testid = "assist-insert";
        insert.addEventListener("click", function () {
          const input = document.querySelector("[data-testid=reply-input]");
          if (!input) return;
          input.value = input.value ? input.value + " " + reply.text : reply.text;
          input.focus();
        });
        li.append(insert);
        list.append(li);
      });
      if (!assist.replies.length) list.append(T.el("li", "", "No suggestions for this conversation."));
      box.append(list);
    }).catch(function () {
      box.replaceChildren(T.el("h3", "", "Assist"), T.el("small", "", "Assist is not available right now."));
    });
    return box;
  }

  function profileCard(customer) {
    const box = panel("Customer", "profile-card");
    if (!customer) {
      box.append(T.el("p", "", "Guest (not logged in)."));
      return box;
    }
    const card = T.el("dl", "card");
    [["Name", customer.name], ["Email", customer.email], ["Country", customer.country],
      ["Customer since", customer.customer_since], ["Orders", customer.orders],
      ["Total spent", customer.total_spent], ["Last order", customer.last_order ? customer.last_order + " (" + customer.last_order_status + ")" : "none"]]
      .concat(profileRows(customer.profile))
      .concat([["Retention offers", retentionOffers(customer.retention_offers || [])]])
      .forEach(function (row) { card.append(T.el("dt", "", row[0]), T.el("dd", "", row[1])); });
    box.append(card);
    return box;
  }

  // Goodwill codes the assistant already gave this customer (at most one per policy period).
  function retentionOffers(offers) {
    if (!offers.length) return "none";
    return offers.map(function (offer) {
      return offer.code + " on " + offer.issued_on + (offer.used ? " (used)" : " (valid until " + offer.valid_until + ")");
    }).join("; ");
  }

  // The fused profile (built nightly or refreshed on events): how the shop sees this customer.
  function profileRows(profile) {
    if (!profile) {
      return [["Profile", "not built yet"]];
    }
    const percent = function (x) { return x === null ? "n/a" : Math.round(x * 100) + "%"; };
    return [
      ["Segment", profile.segment],
      ["Churn risk", percent(profile.churn_risk)],
      ["Expected next 12 months", profile.predicted_value_12m.toFixed(2)],
      ["Likes", profile.top_categories.join(", ") || "n/a"],
      ["Review sentiment", profile.review_sentiment === null ? "no reviews"
        : profile.review_sentiment.toFixed(2) + " (" + profile.review_count + " reviews)"],
      ["Suggested tone", profile.tone],
    ];
  }

  function replyForm(id) {
    const form = T.el("form", "reply");
    const input = T.el("input");
    input.placeholder = "Reply to the shopper…";
    input.dataset.testid = "reply-input";
    const send = T.el("button", "", "Send");
    send.type = "submit";
    send.dataset.testid = "reply-send";
    let lastTyping = 0;
    input.addEventListener("input", function () {
      if (Date.now() - lastTyping > 1500) {
        lastTyping = Date.now();
        socket.emit("typing", { conversation_id: id });
      }
    });
    form.append(input, send);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      const clientId = window.crypto.randomUUID ? window.crypto.randomUUID() : String(Date.now());
      try {
        appendMessage(await api("POST", "/api/desk/conversations/" + encodeURIComponent(id) + "/messages", { text: text, client_id: clientId }));
      } catch (error) {
        input.value = text;
        alert(error.message);
      }
    });
    return form;
  }

  function noteForm(id) {
    const form = T.el("form", "note-form");
    const input = T.el("input");
    input.placeholder = "Private note (the shopper never sees it)";
    input.dataset.testid = "note-input";
    const add = T.el("button", "secondary", "Add note");
    add.type = "submit";
    add.dataset.testid = "note-add";
    form.append(input, add);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (!input.value.trim()) return;
      appendNote(await api("POST", "/api/desk/conversations/" + encodeURIComponent(id) + "/notes", { text: input.value }));
      input.value = "";
    });
    return form;
  }

  function handbackForm(id) {
    const form = T.el("form", "handback");
    form.dataset.testid = "handback-form";
    const task = T.el("select");
    task.dataset.testid = "handback-task";
    TASKS.forEach(function (t) {
      const option = T.el("option", "", t[1]);
      option.value = t[0];
      task.append(option);
    });
    const detail = T.el("input");
    detail.dataset.testid = "handback-detail";
    detail.hidden = true;
    const summary = T.el("input");
    summary.placeholder = "What happened (for the assistant)";
    summary.dataset.testid = "handback-summary";
    const go = T.el("button", "secondary", "Hand back");
    go.type = "submit";
    go.dataset.testid = "handback-submit";
    task.addEventListener("change", function () {
      const entity = TASKS.find(function (t) { return t[0] === task.value; })[2];
      detail.hidden = !entity;
      detail.placeholder = entity === "category" ? "Category (optional)" : "Order number (optional)";
    });
    form.append(task, detail, summary, go);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const entity = TASKS.find(function (t) { return t[0] === task.value; })[2];
      const details = {};
      if (entity && detail.value.trim()) details[entity] = detail.value.trim();
      try {
        await api("POST", "/api/desk/conversations/" + encodeURIComponent(id) + "/handback", { task: task.value, summary: summary.value, details: details });
      } catch (error) {
        alert(error.message);
      }
      await openConversation(id);
      scheduleRefresh();
    });
    return form;
  }

  boot();
})();
