/**
 * The non-visual half of the double: toasts, HUDs, clipboard, storage, cache, alerts, environment,
 * preferences, launching, constants (Icon, Color, Keyboard...). Every side effect is recorded in
 * `raycast` (state.ts). Re-exported by api.tsx; see the overview there.
 */
import path from "node:path";
import { act } from "react";
import {
  raycast,
  store,
  supportPath,
  type ClipboardRecord,
  type ToastActionLike,
  type ToastRecord,
  type ToastSnapshot,
} from "./state";

/* ------------------------------------------------------------------ constants */

/** Icon.X is the string "X" for any X (the real values are opaque asset names). */
export const Icon: Record<string, string> = new Proxy({} as Record<string, string>, {
  get(_target, key) {
    if (typeof key !== "string" || NOT_ENUM_KEYS.has(key)) return undefined;
    return key;
  },
});

/** Keys a tool may probe on any object (thenables, matchers, serialisers): never enum members. */
const NOT_ENUM_KEYS = new Set([
  "then",
  "toJSON",
  "$$typeof",
  "__esModule",
  "constructor",
  "asymmetricMatch",
  "nodeType",
]);

const COLORS: Record<string, unknown> = {
  Blue: "raycast-blue",
  Green: "raycast-green",
  Magenta: "raycast-magenta",
  Orange: "raycast-orange",
  Purple: "raycast-purple",
  Red: "raycast-red",
  Yellow: "raycast-yellow",
  PrimaryText: "raycast-primary-text",
  SecondaryText: "raycast-secondary-text",
  Brown: { light: "#A57544", dark: "#C5935E" },
};

/** The real Color members with their real values; any other member is its own name. */
export const Color: Record<string, string> = new Proxy(COLORS as Record<string, string>, {
  get(target, key) {
    if (typeof key !== "string" || NOT_ENUM_KEYS.has(key)) return undefined;
    return key in target ? target[key] : key;
  },
});

export const Image = {
  Mask: { Circle: "circle", RoundedRectangle: "roundedRectangle" },
};

type Shortcut = { modifiers: string[]; key: string };
const shortcut = (key: string, ...modifiers: string[]): Shortcut => ({ modifiers, key });

export const Keyboard = {
  Shortcut: {
    Common: {
      Copy: shortcut("c", "cmd", "shift"),
      CopyDeeplink: shortcut("c", "cmd", "shift"),
      CopyName: shortcut(".", "cmd", "shift"),
      CopyPath: shortcut(",", "cmd", "shift"),
      Save: shortcut("s", "cmd"),
      Duplicate: shortcut("d", "cmd"),
      Edit: shortcut("e", "cmd"),
      MoveDown: shortcut("arrowDown", "cmd", "shift"),
      MoveUp: shortcut("arrowUp", "cmd", "shift"),
      New: shortcut("n", "cmd"),
      Open: shortcut("o", "cmd"),
      OpenWith: shortcut("o", "cmd", "shift"),
      Pin: shortcut("p", "cmd", "shift"),
      Refresh: shortcut("r", "cmd"),
      Remove: shortcut("x", "ctrl"),
      RemoveAll: shortcut("x", "ctrl", "shift"),
      ToggleQuickLook: shortcut("y", "cmd"),
    } as Record<string, Shortcut>,
  },
};

export const LaunchType = { UserInitiated: "userInitiated", Background: "background" } as const;

/* ------------------------------------------------------------------ environment and preferences */

export interface DoubleEnvironment {
  raycastVersion: string;
  ownerOrAuthorName: string;
  extensionName: string;
  commandName: string;
  commandMode: "no-view" | "view" | "menu-bar";
  assetsPath: string;
  supportPath: string;
  isDevelopment: boolean;
  appearance: "light" | "dark";
  theme: "light" | "dark";
  textSize: "medium" | "large";
  launchType: string;
  launchContext?: Record<string, unknown>;
  canAccess(api: unknown): boolean;
  [key: string]: unknown;
}

function defaultEnvironment(): DoubleEnvironment {
  return {
    raycastVersion: "1.104.0",
    ownerOrAuthorName: "lingcode",
    extensionName: "lingcode-asc-key",
    commandName: "test-command",
    commandMode: "view",
    // showFailureToast reads `${assetsPath}/../package.json`: point at the project's real assets.
    assetsPath: path.resolve(process.cwd(), "assets"),
    supportPath: supportPath(),
    isDevelopment: true,
    appearance: "dark",
    theme: "dark",
    textSize: "medium",
    launchType: LaunchType.UserInitiated,
    launchContext: undefined,
    // AI and the browser extension are off unless a test says otherwise.
    canAccess: (api: unknown) => api !== AI && api !== BrowserExtension,
  };
}

/** Mutable, like Raycast's: tests may assign fields (or use `setEnvironment`); reset restores it. */
export const environment: DoubleEnvironment = {} as DoubleEnvironment;

export function resetEnvironment(): void {
  for (const key of Object.keys(environment)) delete environment[key];
  Object.assign(environment, defaultEnvironment());
}

export function getPreferenceValues<T = Record<string, unknown>>(): T {
  return { ...store.preferences } as T;
}

export async function openExtensionPreferences(): Promise<void> {
  raycast.openedPreferences.extension += 1;
}

export async function openCommandPreferences(): Promise<void> {
  raycast.openedPreferences.command += 1;
}

export async function updateCommandMetadata(metadata: { subtitle?: string | null }): Promise<void> {
  raycast.metadata.push(metadata);
}

export async function launchCommand(options: Record<string, unknown>): Promise<void> {
  raycast.launches.push(options);
}

/* ------------------------------------------------------------------ toasts and HUDs */

const ToastStyle = { Success: "SUCCESS", Failure: "FAILURE", Animated: "ANIMATED" } as const;

interface ToastOptions {
  title: string;
  message?: string;
  style?: string;
  primaryAction?: ToastActionLike;
  secondaryAction?: ToastActionLike;
}

/** Raycast's Toast: every field is settable after it is shown; each change is recorded. */
export class Toast {
  static Style = ToastStyle;
  #options: ToastOptions;
  #record: ToastRecord;

  constructor(options: ToastOptions) {
    this.#options = { ...options, style: options.style ?? ToastStyle.Success };
    const toast = this as Toast;
    const options_ = () => this.#options;
    const run = async (action: ToastActionLike | undefined, which: string) => {
      if (!action) throw new Error(`The toast "${options_().title}" has no ${which} action.`);
      // The action may update React state (e.g. usePromise's Retry): run it as a user event, inside act().
      await act(async () => {
        await action.onAction(toast as never);
      });
    };
    this.#record = {
      get style() {
        return options_().style as string;
      },
      get title() {
        return options_().title;
      },
      get message() {
        return options_().message;
      },
      get primaryAction() {
        return options_().primaryAction?.title;
      },
      get secondaryAction() {
        return options_().secondaryAction?.title;
      },
      history: [],
      visible: false,
      runPrimaryAction: () => run(options_().primaryAction, "primary"),
      runSecondaryAction: () => run(options_().secondaryAction, "secondary"),
    };
  }

  #snapshot(): ToastSnapshot {
    const { style, title, message, primaryAction, secondaryAction } = this.#options;
    const snapshot: ToastSnapshot = { style: style as string, title };
    if (message !== undefined) snapshot.message = message;
    if (primaryAction) snapshot.primaryAction = primaryAction.title;
    if (secondaryAction) snapshot.secondaryAction = secondaryAction.title;
    return snapshot;
  }

  #update(change: Partial<ToastOptions>): void {
    this.#options = { ...this.#options, ...change };
    if (raycast.toasts.includes(this.#record)) this.#record.history.push(this.#snapshot());
  }

  get style(): string {
    return this.#options.style as string;
  }
  set style(style: string) {
    this.#update({ style });
  }
  get title(): string {
    return this.#options.title;
  }
  set title(title: string) {
    this.#update({ title });
  }
  get message(): string | undefined {
    return this.#options.message;
  }
  set message(message: string | undefined) {
    this.#update({ message });
  }
  get primaryAction(): ToastActionLike | undefined {
    return this.#options.primaryAction;
  }
  set primaryAction(primaryAction: ToastActionLike | undefined) {
    this.#update({ primaryAction });
  }
  get secondaryAction(): ToastActionLike | undefined {
    return this.#options.secondaryAction;
  }
  set secondaryAction(secondaryAction: ToastActionLike | undefined) {
    this.#update({ secondaryAction });
  }

  async show(): Promise<void> {
    for (const other of raycast.toasts) if (other !== this.#record) other.visible = false;
    if (!raycast.toasts.includes(this.#record)) raycast.toasts.push(this.#record);
    this.#record.visible = true;
    this.#record.history.push(this.#snapshot());
  }

  async hide(): Promise<void> {
    this.#record.visible = false;
  }
}

/** Both overloads: `showToast(options)` and the legacy `showToast(style, title, message?)`. */
export async function showToast(optionsOrStyle: ToastOptions | string, title?: string, message?: string) {
  const options: ToastOptions =
    typeof optionsOrStyle === "string" ? { style: optionsOrStyle, title: title ?? "", message } : optionsOrStyle;
  const toast = new Toast(options);
  await toast.show();
  return toast;
}

export async function showHUD(title: string, options?: unknown): Promise<void> {
  raycast.huds.push(title);
  raycast.hudDetails.push({ title, options });
}

/* ------------------------------------------------------------------ clipboard */

type ClipboardContent = string | number | { text?: string; file?: string; html?: string };

function contentText(content: ClipboardContent): string {
  if (typeof content === "string" || typeof content === "number") return String(content);
  return String(content.text ?? content.file ?? content.html ?? "");
}

export const Clipboard = {
  async copy(content: ClipboardContent, options?: { concealed?: boolean; transient?: boolean }): Promise<void> {
    const text = contentText(content);
    const record: ClipboardRecord = {
      text,
      content,
      concealed: Boolean(options?.concealed),
      transient: Boolean(options?.transient),
    };
    if (options !== undefined) record.options = options;
    raycast.clipboard.push(record);
    store.clipboardText = text;
  },
  async paste(content: ClipboardContent): Promise<void> {
    raycast.pasted.push(contentText(content));
  },
  async clear(): Promise<void> {
    store.clipboardText = undefined;
  },
  async readText(): Promise<string | undefined> {
    return store.clipboardText;
  },
  async read(): Promise<{ text: string }> {
    return { text: store.clipboardText ?? "" };
  },
};

/* ------------------------------------------------------------------ LocalStorage and Cache */

type StorageValue = string | number | boolean;

export const LocalStorage = {
  async getItem<T extends StorageValue = StorageValue>(key: string): Promise<T | undefined> {
    return store.localStorage.get(key) as T | undefined;
  },
  async setItem(key: string, value: StorageValue): Promise<void> {
    store.localStorage.set(key, value);
  },
  async removeItem(key: string): Promise<void> {
    store.localStorage.delete(key);
  },
  async allItems<T = Record<string, StorageValue>>(): Promise<T> {
    return Object.fromEntries(store.localStorage) as T;
  },
  async clear(): Promise<void> {
    store.localStorage.clear();
  },
};

type CacheSubscriber = (key: string | undefined, data: string | undefined) => void;

/**
 * In memory. Instances with the same namespace share their data (as on disk in Raycast);
 * subscribers belong to the instance, as in Raycast. `resetRaycast()` empties every namespace.
 */
export class Cache {
  static get STORAGE_DIRECTORY_NAME(): string {
    return ".cache";
  }
  static get DEFAULT_CAPACITY(): number {
    return 10 * 1024 * 1024;
  }

  readonly #namespace: string;
  readonly #subscribers = new Set<CacheSubscriber>();

  constructor(options?: { namespace?: string; directory?: string; capacity?: number }) {
    this.#namespace = options?.namespace ?? "";
  }

  get #data(): Map<string, string> {
    let data = store.cache.get(this.#namespace);
    if (!data) store.cache.set(this.#namespace, (data = new Map()));
    return data;
  }

  get storageDirectory(): string {
    return path.join(environment.supportPath, Cache.STORAGE_DIRECTORY_NAME);
  }
  get(key: string): string | undefined {
    return this.#data.get(key);
  }
  has(key: string): boolean {
    return this.#data.has(key);
  }
  get isEmpty(): boolean {
    return this.#data.size === 0;
  }
  set(key: string, data: string): void {
    this.#data.set(key, data);
    this.#notify(key, data);
  }
  remove(key: string): boolean {
    const existed = this.#data.delete(key);
    this.#notify(key, undefined);
    return existed;
  }
  clear(options: { notifySubscribers: boolean } = { notifySubscribers: true }): void {
    this.#data.clear();
    if (options.notifySubscribers) this.#notify(undefined, undefined);
  }
  /** Bound, because @raycast/utils passes `cache.subscribe` to useSyncExternalStore as is. */
  subscribe = (subscriber: CacheSubscriber): (() => void) => {
    this.#subscribers.add(subscriber);
    return () => {
      this.#subscribers.delete(subscriber);
    };
  };
  #notify(key: string | undefined, data: string | undefined): void {
    for (const subscriber of [...this.#subscribers]) subscriber(key, data);
  }
}

/* ------------------------------------------------------------------ alerts */

const AlertActionStyle = { Default: "default", Cancel: "cancel", Destructive: "destructive" } as const;
export const Alert = { ActionStyle: AlertActionStyle };

interface AlertActionOptions {
  title: string;
  style?: string;
  onAction?: () => void;
}

/** Answers with the next `answerNextAlert(...)`; with none queued it records a problem and throws. */
export async function confirmAlert(options: {
  title: string;
  message?: string;
  icon?: unknown;
  primaryAction?: AlertActionOptions;
  dismissAction?: AlertActionOptions;
  rememberUserChoice?: boolean;
}): Promise<boolean> {
  const answer = store.alertAnswers.shift();
  if (answer === undefined) {
    const problem = `confirmAlert("${options.title}") was called, but the test queued no answer: call answerNextAlert(true | false) first.`;
    raycast.problems.push(problem);
    throw new Error(problem);
  }
  const action = (a?: AlertActionOptions) =>
    a ? { title: a.title, ...(a.style ? { style: a.style } : {}) } : undefined;
  raycast.alerts.push({
    title: options.title,
    message: options.message,
    primaryAction: action(options.primaryAction),
    dismissAction: action(options.dismissAction),
    rememberUserChoice: options.rememberUserChoice,
    answer,
  });
  if (answer) options.primaryAction?.onAction?.();
  else options.dismissAction?.onAction?.();
  return answer;
}

/* ------------------------------------------------------------------ window and system */

export async function closeMainWindow(): Promise<void> {
  raycast.closedMainWindow += 1;
}

export async function clearSearchBar(): Promise<void> {}

export async function open(target: string, application?: unknown): Promise<void> {
  raycast.opened.push(target);
  raycast.openedWith.push(application === undefined ? { target } : { target, application });
}

/** Records the paths; the files are left alone. */
export async function trash(paths: string | string[] | { toString(): string }[]): Promise<void> {
  const list = Array.isArray(paths) ? paths : [paths];
  raycast.trashed.push(...list.map(String));
}

export async function showInFinder(target: string | { toString(): string }): Promise<void> {
  raycast.shownInFinder.push(String(target));
}

/** Set by `setSelectedFinderItems(...)`; rejects like Raycast when Finder is not frontmost (not set). */
export async function getSelectedFinderItems(): Promise<{ path: string }[]> {
  if (!store.selectedFinderItems) throw new Error("Finder isn't the frontmost application");
  return store.selectedFinderItems.map((p) => ({ path: p }));
}

/** Set by `setSelectedText(...)`; rejects when nothing is selected (not set). */
export async function getSelectedText(): Promise<string> {
  if (store.selectedText === undefined) throw new Error("Unable to get selected text from frontmost application");
  return store.selectedText;
}

const FINDER = { name: "Finder", path: "/System/Library/CoreServices/Finder.app", bundleId: "com.apple.finder" };

export async function getFrontmostApplication() {
  return FINDER;
}
export async function getApplications() {
  return [FINDER];
}
export async function getDefaultApplication() {
  return FINDER;
}

export function captureException(): void {}

/* ------------------------------------------------------------------ AI, OAuth, browser (minimal) */

/** `AI.ask` answers with the next `answerNextAI(...)` (or "") and records the prompt. */
export const AI = {
  ask(prompt: string) {
    raycast.aiPrompts.push(prompt);
    const answer = store.aiAnswers.shift() ?? "";
    const listeners: ((chunk: string) => void)[] = [];
    const promise = Promise.resolve().then(() => {
      for (const listener of listeners) listener(answer);
      return answer;
    });
    return Object.assign(promise, {
      on(_event: "data", listener: (chunk: string) => void) {
        listeners.push(listener);
      },
    });
  },
  Model: new Proxy({} as Record<string, string>, {
    get: (_target, key) => (typeof key === "string" && !NOT_ENUM_KEYS.has(key) ? key : undefined),
  }),
};

export const BrowserExtension = {
  async getContent(): Promise<string> {
    throw new Error("The browser extension is not available in tests.");
  },
  async getTabs(): Promise<unknown[]> {
    return [];
  },
};

class PKCEClient {
  constructor(readonly options: Record<string, unknown>) {}
  async authorizationRequest(): Promise<never> {
    throw new Error("OAuth is not available in tests.");
  }
  async authorize(): Promise<never> {
    throw new Error("OAuth is not available in tests.");
  }
  async getTokens(): Promise<undefined> {
    return undefined;
  }
  async setTokens(): Promise<void> {}
  async removeTokens(): Promise<void> {}
}

export const OAuth = {
  PKCEClient,
  RedirectMethod: { Web: "web", App: "app", AppURI: "appURI" },
};

resetEnvironment();
