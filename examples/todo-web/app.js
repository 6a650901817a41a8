// Todo app on the bkend REST API: no build step, no framework.
// Requests carry the publishable key (X-API-Key) and the user's access token (Authorization: Bearer);
// a 401 refreshes the pair once through /v1/auth/refresh and repeats the request.
"use strict";

const { baseUrl: API, apiKey: KEY } = window.TODO_CONFIG || {};
const PAGE_SIZE = 5;
const state = { page: 1, filter: "all", search: "" };
const $ = (selector) => document.querySelector(selector);

// ---- tokens -------------------------------------------------------------------------------------------------
const tokens = {
  get access() { return localStorage.getItem("todo.accessToken"); },
  get refresh() { return localStorage.getItem("todo.refreshToken"); },
  save(pair) {
    localStorage.setItem("todo.accessToken", pair.accessToken);
    localStorage.setItem("todo.refreshToken", pair.refreshToken);
    if (pair.user) localStorage.setItem("todo.user", pair.user.email);
  },
  clear() { ["todo.accessToken", "todo.refreshToken", "todo.user"].forEach((k) => localStorage.removeItem(k)); },
};

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

async function send(path, { method = "GET", body, auth = true } = {}) {
  const headers = { "X-API-Key": KEY };
  if (auth && tokens.access) headers.Authorization = `Bearer ${tokens.access}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${API}${path}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await response.text();
  return { response, data: text ? JSON.parse(text) : null };
}

let refreshing = null; // one refresh at a time, shared by parallel 401s

async function refreshTokens() {
  refreshing ??= (async () => {
    const { response, data } = await send("/v1/auth/refresh", {
      method: "POST", body: { refreshToken: tokens.refresh }, auth: false,
    });
    if (!response.ok) throw new ApiError(response.status, data);
    tokens.save(data);
    showStatus("Session refreshed");
  })().finally(() => { refreshing = null; });
  return refreshing;
}

async function api(path, options = {}) {
  let { response, data } = await send(path, options);
  if (response.status === 401 && options.auth !== false && tokens.refresh) {
    try {
      await refreshTokens();
    } catch (error) {
      signedOut("Your session ended; please sign in again.");
      throw error;
    }
    ({ response, data } = await send(path, options));
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// ---- auth ---------------------------------------------------------------------------------------------------
async function signUp(form) {
  const fields = Object.fromEntries(new FormData(form));
  tokens.save(await api("/v1/auth/email/signup", { method: "POST", body: fields, auth: false }));
  form.reset();
  signedIn();
}

async function signIn(form) {
  const { email, password } = Object.fromEntries(new FormData(form));
  tokens.save(await api("/v1/auth/email/signin", { method: "POST", body: { email, password }, auth: false }));
  form.reset();
  signedIn();
}

async function signOut() {
  try { await api("/v1/auth/signout", { method: "POST", body: {} }); } finally { signedOut("Signed out"); }
}

function signedIn() {
  $("#auth-view").hidden = true;
  $("#todo-view").hidden = false;
  $("#who").textContent = localStorage.getItem("todo.user") || "";
  state.page = 1;
  return loadTodos();
}

function signedOut(message) {
  tokens.clear();
  $("#todo-view").hidden = true;
  $("#auth-view").hidden = false;
  showStatus(message);
}

// ---- todos --------------------------------------------------------------------------------------------------
async function loadTodos() {
  const filters = {};
  if (state.filter !== "all") filters.done = state.filter === "done";
  if (state.search) filters.title = { $contains: state.search };
  const query = new URLSearchParams({
    page: String(state.page), limit: String(PAGE_SIZE), sortBy: "createdAt", sortDirection: "desc",
  });
  if (Object.keys(filters).length) query.set("andFilters", JSON.stringify(filters));
  const { items, pagination } = await api(`/v1/data/todos?${query}`);
  if (!items.length && pagination.page > 1) { // the last item of a page went away: step back
    state.page = pagination.totalPages || 1;
    return loadTodos();
  }
  $("#todos").replaceChildren(...items.map(renderTodo));
  $("#page-info").textContent = `Page ${pagination.page} of ${Math.max(pagination.totalPages, 1)} · ${pagination.total} todos`;
  $("#prev").disabled = !pagination.hasPrev;
  $("#next").disabled = !pagination.hasNext;
}

function renderTodo(todo) {
  const item = $("#todo-item").content.firstElementChild.cloneNode(true);
  item.dataset.id = todo.id;
  item.classList.toggle("is-done", todo.done);
  item.querySelector(".title").textContent = todo.title;
  item.querySelector(".priority").textContent = todo.priority;
  const done = item.querySelector(".done");
  done.checked = todo.done;
  done.addEventListener("change", () => run(async () => {
    await api(`/v1/data/todos/${todo.id}`, { method: "PATCH", body: { done: done.checked } });
    await loadTodos();
  }));
  item.querySelector(".delete").addEventListener("click", () => run(async () => {
    await api(`/v1/data/todos/${todo.id}`, { method: "DELETE" });
    showStatus(`Deleted “${todo.title}”`);
    await loadTodos();
  }));
  if (todo.attachment) {
    const link = item.querySelector(".attachment");
    link.hidden = false;
    link.href = todo.attachment.url;
    link.textContent = todo.attachment.name;
  }
  const file = item.querySelector(".file");
  file.addEventListener("change", () => run(() => attach(todo, file.files[0])));
  return item;
}

async function createTodo(form) {
  const { title, priority } = Object.fromEntries(new FormData(form));
  await api("/v1/data/todos", { method: "POST", body: { title, priority } });
  form.reset();
  state.page = 1;
  showStatus(`Added “${title}”`);
  await loadTodos();
}

// A presigned upload: ask for a URL, PUT the bytes straight to storage (no key, no token), store the link.
async function attach(todo, file) {
  const contentType = file.type || "application/octet-stream";
  const upload = await api("/v1/files/presigned-url", {
    method: "POST", body: { filename: file.name, contentType },
  });
  const put = await fetch(upload.url, { method: "PUT", headers: { "Content-Type": contentType }, body: file });
  if (!put.ok) throw new ApiError(put.status, null);
  const attachment = { fileId: upload.fileId, name: file.name, url: upload.url.split("?")[0] };
  await api(`/v1/data/todos/${todo.id}`, { method: "PATCH", body: { attachment } });
  showStatus(`Attached ${file.name}`);
  await loadTodos();
}

// ---- wiring -------------------------------------------------------------------------------------------------
function showStatus(message, isError = false) {
  $("#status").textContent = message;
  $("#status").classList.toggle("error", isError);
}

async function run(action) {
  try {
    await action();
  } catch (error) {
    showStatus(error.code ? `${error.message} (${error.code})` : error.message, true);
  }
}

function onSubmit(selector, handler) {
  $(selector).addEventListener("submit", (event) => {
    event.preventDefault();
    run(() => handler(event.target));
  });
}

onSubmit("#signup-form", signUp);
onSubmit("#signin-form", signIn);
onSubmit("#new-todo", createTodo);
$("#signout").addEventListener("click", () => run(signOut));
$("#filter").addEventListener("change", (event) => {
  state.filter = event.target.value;
  state.page = 1;
  run(loadTodos);
});
$("#search").addEventListener("input", (event) => {
  state.search = event.target.value.trim();
  state.page = 1;
  run(loadTodos);
});
$("#prev").addEventListener("click", () => { state.page -= 1; run(loadTodos); });
$("#next").addEventListener("click", () => { state.page += 1; run(loadTodos); });

if (!API || !KEY) showStatus("config.js is missing: run setup.py first.", true);
else if (tokens.access) run(signedIn);
