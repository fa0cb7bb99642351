/* Shared helpers: the CSRF token, JSON posts, a tab id, small page conveniences. */
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.content : "";

  function tabId() {
    let id = sessionStorage.getItem("draftsmith-tab");
    if (!id) {
      id = Math.random().toString(36).slice(2) + Date.now().toString(36);
      sessionStorage.setItem("draftsmith-tab", id);
    }
    return id;
  }

  async function post(url, body, options) {
    const headers = { "X-CSRF-Token": csrf, Accept: "application/json" };
    if (!(body instanceof FormData)) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method: "POST",
      headers,
      body: body instanceof FormData ? body : JSON.stringify(body),
      credentials: "same-origin",
      keepalive: Boolean(options && options.keepalive),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      const message = data && (data.error || (data.detail && JSON.stringify(data.detail)));
      const error = new Error(message || "服务器返回 " + response.status);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function clock() {
    return new Date().toLocaleTimeString("zh-CN", { hour12: false });
  }

  const EXPIRED = "页面已过期（服务可能已重启）。请刷新页面：你输入的内容会自动恢复。";

  window.Draftsmith = { csrf, post, tabId, clock, EXPIRED };

  document.addEventListener("click", function (event) {
    const back = event.target.closest("[data-back]");
    if (back && history.length > 1) { event.preventDefault(); history.back(); }
    const focus = event.target.closest("[data-focus]");
    if (focus) {
      const field = document.getElementById(focus.dataset.focus);
      if (field) { event.preventDefault(); field.scrollIntoView({ block: "center" }); field.focus(); }
    }
  });
})();
