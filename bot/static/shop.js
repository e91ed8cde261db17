// The demo shop's own script: who is logged in (demo only) and starting the widget.
// A real shop renders the signed customer token into its page from its own backend instead.
(function () {
  "use strict";
  const KEY = "shopsense.demo.identity";
  const select = document.getElementById("identity");
  const identity = localStorage.getItem(KEY) || "guest";

  async function demoCustomers() {
    const response = await fetch("/api/demo/customers");
    return response.ok ? response.json() : [];
  }

  async function tokenFor(ref) {
    const response = await fetch("/api/demo/tokens", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ customer_ref: ref }),
    });
    return response.ok ? (await response.json()).token : null;
  }

  select.addEventListener("change", function () {
    localStorage.setItem(KEY, select.value);
    window.location.reload();
  });

  (async function () {
    for (const customer of await demoCustomers()) {
      const option = document.createElement("option");
      option.value = customer.ref;
      option.textContent = customer.name + " (" + customer.orders + " orders)";
      select.appendChild(option);
    }
    select.value = identity;
    const token = identity === "guest" ? null : await tokenFor(identity);
    window.ShopSenseWidget.start({
      root: document.getElementById("shopsense-widget"),
      identity: token ? identity : "guest",
      token: token,
    });
  })();
})();
