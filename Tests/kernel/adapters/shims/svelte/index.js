// NOT Svelte: a stand-in for setContext/getContext so the Mizan Svelte adapter runs under node in
// tests (Debian packages no Svelte). As in Svelte, they work only while a component initialises,
// and a child sees its parents' context. __component is test-only, not Svelte API: it runs `init`
// as the initialisation of a component nested in the one initialising now.

const stack = [];

export function setContext(key, context) {
  if (stack.length === 0) throw new Error("Function called outside component initialization");
  stack[stack.length - 1].set(key, context);
  return context;
}

export function getContext(key) {
  if (stack.length === 0) throw new Error("Function called outside component initialization");
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i].has(key)) return stack[i].get(key);
  return undefined;
}

export function __component(init) {
  stack.push(new Map());
  try {
    return init();
  } finally {
    stack.pop();
  }
}
