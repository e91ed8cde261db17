// Renders message text without ever parsing it as HTML: every piece becomes a DOM text node.
// Understood: line breaks, **bold** and bare http(s) links; anything else shows as typed.
(function () {
  "use strict";
  const PIECES = /(\*\*[^*\n]+\*\*|https?:\/\/[^\s<>"']+)/g;

  function render(element, text) {
    String(text || "").split("\n").forEach(function (line, index) {
      if (index > 0) element.appendChild(document.createElement("br"));
      line.split(PIECES).forEach(function (piece) {
        if (!piece) return;
        if (piece.length > 4 && piece.startsWith("**") && piece.endsWith("**")) {
          const strong = document.createElement("strong");
          strong.textContent = piece.slice(2, -2);
          element.appendChild(strong);
        } else if (/^https?:\/\//.test(piece)) {
          const link = document.createElement("a");
          link.href = piece;
          link.textContent = piece;
          link.target = "_blank";
          link.rel = "noopener noreferrer nofollow";
          element.appendChild(link);
        } else {
          element.appendChild(document.createTextNode(piece));
        }
      });
    });
    return element;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  window.ShopSenseText = { render: render, el: el };
})();
