// NOT Svelte. Debian packages no Svelte, so the Mizan Svelte adapter is type-checked against
// these declarations: the two functions it imports, with Svelte 3/4's signatures. index.js
// beside it runs them under node.

export declare function setContext<T>(key: any, context: T): T;
export declare function getContext<T>(key: any): T;
