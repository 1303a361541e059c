// A form marked `data-draft` keeps what was typed in the tab's sessionStorage (never sent
// anywhere, gone when the tab closes), so that a sign-in that expires loses nothing:
// - typing saves the draft;
// - sending moves it aside ("in flight"): if the console answers with the login page at once,
//   the send did not happen and the login page puts the draft back; any other page means it
//   was taken (an old one is left where it is);
// - the form's page restores a draft into a form the server sent back empty, and says so.
(function () {
  "use strict";

  const store = window.sessionStorage;
  const DRAFT = "lianxin.draft.", SENT = "lianxin.sent.";

  function fields(form) {
    const data = {};
    Array.from(form.elements).forEach(function (el) {
      if (!el.name || el.type === "password" || el.type === "hidden" || el.type === "file") return;
      if (el.type === "radio") { if (el.checked) data[el.name] = el.value; return; }
      data[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    return data;
  }

  function fill(form, data) {
    Array.from(form.elements).forEach(function (el) {
      if (!el.name || !(el.name in data)) return;
      if (el.type === "radio") el.checked = el.value === data[el.name];
      else if (el.type === "checkbox") el.checked = !!data[el.name];
      else el.value = data[el.name];
    });
  }

  // On the login page: a form sent while signed out comes back as a draft.
  if (document.querySelector("[data-login]")) {
    for (let i = store.length - 1; i >= 0; i--) {
      const key = store.key(i);
      if (key && key.indexOf(SENT) === 0) {
        const sent = JSON.parse(store.getItem(key));
        if (Date.now() - sent.at < 60000) {
          store.setItem(DRAFT + key.slice(SENT.length), JSON.stringify(sent.data));
        }
        store.removeItem(key);
      }
    }
    return;
  }

  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    const name = form.dataset.draft;
    store.removeItem(SENT + name);  // sent from here earlier and taken: nothing to restore
    const saved = store.getItem(DRAFT + name);
    if (saved && form.dataset.draftEmpty === "1") {
      fill(form, JSON.parse(saved));
      const note = form.querySelector("[data-draft-note]");
      if (note) note.hidden = false;
    }
    function save() { store.setItem(DRAFT + name, JSON.stringify(fields(form))); }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () {
      store.setItem(SENT + name, JSON.stringify({ at: Date.now(), data: fields(form) }));
      store.removeItem(DRAFT + name);
    });
  });
})();
