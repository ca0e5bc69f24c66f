// NOT Vue. Debian packages Vue 2.6 only, so the Mizan Vue 3 adapter is type-checked against these
// declarations: the subset of Vue 3's public API that the adapter and its tests use, with Vue 3's
// signatures (simplified where Vue's are overloaded). index.js beside it runs them under node.

export interface Ref<T = any> {
  value: T;
}

export interface InjectionKey<T> extends Symbol {}

export interface App<HostElement = any> {
  provide<T>(key: InjectionKey<T> | string, value: T): this;
  use(plugin: { install(app: App<HostElement>): void }): this;
  runWithContext<T>(fn: () => T): T;
}

export interface EffectScope {
  run<T>(fn: () => T): T | undefined;
  stop(): void;
}

export type WatchSource<T = any> = Ref<T> | (() => T);
export type WatchStopHandle = () => void;

export declare function ref<T>(value: T): Ref<T>;
export declare function shallowRef<T>(value: T): Ref<T>;
export declare function isRef<T>(r: Ref<T> | unknown): r is Ref<T>;
export declare function unref<T>(ref: T | Ref<T>): T;
export declare function watch<T>(
  source: WatchSource<T>, cb: (value: T, oldValue: T | undefined) => void, options?: { immediate?: boolean },
): WatchStopHandle;
export declare function inject<T>(key: InjectionKey<T> | string): T | undefined;
export declare function effectScope(detached?: boolean): EffectScope;
export declare function getCurrentScope(): EffectScope | undefined;
export declare function onScopeDispose(fn: () => void): void;
export declare function createApp(rootComponent: object): App;
export declare function nextTick(): Promise<void>;
