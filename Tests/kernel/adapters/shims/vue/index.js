// NOT Vue: a small stand-in for the Vue 3 API that index.d.ts declares, so the Mizan Vue adapter's
// composables can run under node in tests (Debian packages Vue 2.6 only). Refs track which
// watcher reads them; a changed ref schedules its watchers for the next microtask, as Vue's
// default "pre" flush runs them before the next render. Apps provide values that inject() reads
// inside app.runWithContext(); effect scopes collect watchers and onScopeDispose callbacks.

let activeWatcher = null;
let activeScope = null;
let currentApp = null;

class RefImpl {
  constructor(value) {
    this.__v_isRef = true;
    this._value = value;
    this._watchers = new Set();
  }
  get value() {
    if (activeWatcher !== null) {
      this._watchers.add(activeWatcher);
      activeWatcher.sources.add(this._watchers);
    }
    return this._value;
  }
  set value(next) {
    if (Object.is(next, this._value)) return;
    this._value = next;
    for (const watcher of [...this._watchers]) watcher.schedule();
  }
}

export const ref = (value) => new RefImpl(value);
export const shallowRef = ref;
export const isRef = (r) => r !== null && typeof r === "object" && r.__v_isRef === true;
export const unref = (r) => (isRef(r) ? r.value : r);

const queue = new Set();
let flush = null;
function schedule(job) {
  queue.add(job);
  flush ??= Promise.resolve().then(() => {
    flush = null;
    const jobs = [...queue];
    queue.clear();
    for (const run of jobs) run();
  });
}
export const nextTick = () => flush ?? Promise.resolve();

export function watch(source, cb, options = {}) {
  const getter = typeof source === "function" ? source : () => source.value;
  let stopped = false;
  const watcher = { sources: new Set(), schedule: () => { if (!stopped) schedule(job); } };
  const collect = () => {
    for (const set of watcher.sources) set.delete(watcher);
    watcher.sources.clear();
    const outer = activeWatcher;
    activeWatcher = watcher;
    try {
      return getter();
    } finally {
      activeWatcher = outer;
    }
  };
  let last = collect();
  function job() {
    if (stopped) return;
    const next = collect();
    if (Object.is(next, last)) return;
    const previous = last;
    last = next;
    cb(next, previous);
  }
  const stop = () => {
    stopped = true;
    for (const set of watcher.sources) set.delete(watcher);
  };
  activeScope?.cleanups.push(stop);
  if (options.immediate === true) cb(last, undefined);
  return stop;
}

export function effectScope() {
  const scope = {
    cleanups: [],
    run(fn) {
      const outer = activeScope;
      activeScope = scope;
      try {
        return fn();
      } finally {
        activeScope = outer;
      }
    },
    stop() {
      for (const cleanup of scope.cleanups.splice(0)) cleanup();
    },
  };
  return scope;
}
export const getCurrentScope = () => activeScope ?? undefined;
export function onScopeDispose(fn) {
  activeScope?.cleanups.push(fn);
}

export function createApp() {
  const provides = new Map();
  const app = {
    provide(key, value) {
      provides.set(key, value);
      return app;
    },
    use(plugin) {
      plugin.install(app);
      return app;
    },
    runWithContext(fn) {
      const outer = currentApp;
      currentApp = app;
      try {
        return fn();
      } finally {
        currentApp = outer;
      }
    },
    _provides: provides,
  };
  return app;
}

export function inject(key) {
  return currentApp?._provides.get(key);
}
