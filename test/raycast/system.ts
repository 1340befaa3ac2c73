/**
 * The non-visual half of the double: toasts, HUDs, clipboard, storage, cache, alerts, environment,
 * preferences, launching, open, trash, constants (Icon, Color, Keyboard...). Every side effect is recorded
 * in `raycast` (state.ts). Re-exported by api.tsx; see the overview there.
 */
import path from "node:path";
import { act } from "react";
import {
  raycast,
  store,
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

/** Real values of the members src uses. */
const COLORS: Record<string, string> = {
  Green: "raycast-green",
  Orange: "raycast-orange",
  Red: "raycast-red",
  SecondaryText: "raycast-secondary-text",
};

/** The Color members src uses with their real values; any other member is its own name. */
export const Color: Record<string, string> = new Proxy(COLORS, {
  get(target, key) {
    if (typeof key !== "string" || NOT_ENUM_KEYS.has(key)) return undefined;
    return key in target ? target[key] : key;
  },
});

type Shortcut = { modifiers: string[]; key: string };
const shortcut = (key: string, ...modifiers: string[]): Shortcut => ({ modifiers, key });

/** The Keyboard.Shortcut.Common entries src uses, with their real keys. */
export const Keyboard = {
  Shortcut: {
    Common: {
      Copy: shortcut("c", "cmd", "shift"),
      Edit: shortcut("e", "cmd"),
      New: shortcut("n", "cmd"),
      Open: shortcut("o", "cmd"),
      Refresh: shortcut("r", "cmd"),
      Remove: shortcut("x", "ctrl"),
    } as Record<string, Shortcut>,
  },
};

export const LaunchType = { UserInitiated: "userInitiated", Background: "background" } as const;

/* ------------------------------------------------------------------ environment and preferences */

/** The fields src and the @raycast/utils hooks it uses read. */
export interface DoubleEnvironment {
  /** showFailureToast reads `${assetsPath}/../package.json`. */
  assetsPath: string;
  /** showFailureToast offers "Copy Logs" (not "Report Error") when true. */
  isDevelopment: boolean;
  /** check-api-key and launchProps(); usePromise shows no failure toast in the background. */
  launchType: string;
}

function defaultEnvironment(): DoubleEnvironment {
  return {
    // showFailureToast reads `${assetsPath}/../package.json`: point at the project's real assets.
    assetsPath: path.resolve(process.cwd(), "assets"),
    isDevelopment: true,
    launchType: LaunchType.UserInitiated,
  };
}

/** Mutable, like Raycast's: tests may assign fields (or use `setEnvironment`); reset restores it. */
export const environment: DoubleEnvironment = {} as DoubleEnvironment;

export function resetEnvironment(): void {
  Object.assign(environment, defaultEnvironment());
}

export function getPreferenceValues<T = Record<string, unknown>>(): T {
  return { ...store.preferences } as T;
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

export async function showToast(options: ToastOptions): Promise<Toast> {
  const toast = new Toast(options);
  await toast.show();
  return toast;
}

export async function showHUD(title: string): Promise<void> {
  raycast.huds.push(title);
}

/* ------------------------------------------------------------------ clipboard */

export const Clipboard = {
  async copy(content: string | number, options?: { concealed?: boolean }): Promise<void> {
    const text = String(content);
    const record: ClipboardRecord = { text, concealed: Boolean(options?.concealed) };
    if (options !== undefined) record.options = options;
    raycast.clipboard.push(record);
    store.clipboardText = text;
  },
  /** Pastes into the front app: recorded in `raycast.clipboard` as `pasted`. */
  async paste(content: string | number): Promise<void> {
    raycast.clipboard.push({ text: String(content), concealed: false, pasted: true });
  },
  async readText(): Promise<string | undefined> {
    return store.clipboardText;
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
};

type CacheSubscriber = (key: string | undefined, data: string | undefined) => void;

/**
 * What useCachedPromise keeps its data in (through useCachedState): get, set and subscribe. In memory;
 * instances with the same namespace share their data (as on disk in Raycast); subscribers belong to
 * the instance, as in Raycast. `resetRaycast()` empties every namespace.
 */
export class Cache {
  readonly #namespace: string;
  readonly #subscribers = new Set<CacheSubscriber>();

  constructor(options?: { namespace?: string }) {
    this.#namespace = options?.namespace ?? "";
  }

  get #data(): Map<string, string> {
    let data = store.cache.get(this.#namespace);
    if (!data) store.cache.set(this.#namespace, (data = new Map()));
    return data;
  }

  get(key: string): string | undefined {
    return this.#data.get(key);
  }
  set(key: string, data: string): void {
    this.#data.set(key, data);
    for (const subscriber of [...this.#subscribers]) subscriber(key, data);
  }
  /** Bound, because @raycast/utils passes `cache.subscribe` to useSyncExternalStore as is. */
  subscribe = (subscriber: CacheSubscriber): (() => void) => {
    this.#subscribers.add(subscriber);
    return () => {
      this.#subscribers.delete(subscriber);
    };
  };
}

/* ------------------------------------------------------------------ alerts */

const AlertActionStyle = { Default: "default", Cancel: "cancel", Destructive: "destructive" } as const;
export const Alert = { ActionStyle: AlertActionStyle };

/** Answers with the next `answerNextAlert(...)`; with none queued it records a problem and throws. */
export async function confirmAlert(options: {
  title: string;
  message?: string;
  primaryAction?: { title: string; style?: string };
}): Promise<boolean> {
  const answer = store.alertAnswers.shift();
  if (answer === undefined) {
    const problem = `confirmAlert("${options.title}") was called, but the test queued no answer: call answerNextAlert(true | false) first.`;
    raycast.problems.push(problem);
    throw new Error(problem);
  }
  const primary = options.primaryAction;
  raycast.alerts.push({
    title: options.title,
    message: options.message,
    primaryAction: primary && { title: primary.title, ...(primary.style ? { style: primary.style } : {}) },
    answer,
  });
  return answer;
}

/* ------------------------------------------------------------------ system */

export async function open(target: string): Promise<void> {
  raycast.opened.push(target);
}

/** Records the paths; the files are left alone. */
export async function trash(paths: string | string[]): Promise<void> {
  raycast.trashed.push(...(Array.isArray(paths) ? paths : [paths]));
}

resetEnvironment();
