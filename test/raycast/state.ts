/**
 * The double's memory: everything the fake Raycast records or stores, in one place, so that
 * `resetRaycast()` can clear it between tests. `api.tsx` writes here; `harness.tsx` reads here.
 * Nothing in this file imports React.
 */
/** One visible state of a toast: what the user would read at that moment. */
export interface ToastSnapshot {
  style: string;
  title: string;
  message?: string;
  /** Title of the primary action, if any. */
  primaryAction?: string;
  /** Title of the secondary action, if any. */
  secondaryAction?: string;
}

/** A toast action as Raycast receives it: title, shortcut and callback. */
export interface ToastActionLike {
  title: string;
  shortcut?: unknown;
  onAction: (toast: never) => void;
}

/** A toast the command showed, live: its fields follow later changes, `history` keeps every state. */
export interface ToastRecord extends ToastSnapshot {
  /** Every state the toast went through, the first being how it was shown. */
  history: ToastSnapshot[];
  /** False once `hide()` was called or another toast replaced it. */
  visible: boolean;
  /** Run the primary action's `onAction(toast)` as if the user clicked it. */
  runPrimaryAction(): Promise<void>;
  /** Run the secondary action's `onAction(toast)` as if the user clicked it. */
  runSecondaryAction(): Promise<void>;
}

export interface ClipboardRecord {
  /** The text copied (or pasted). */
  text: string;
  concealed: boolean;
  /** Set when the text was pasted into the front app (`Clipboard.paste`), not copied. */
  pasted?: true;
  /** The options passed to `Clipboard.copy`, if any, unchanged. */
  options?: { concealed?: boolean };
}

export interface AlertRecord {
  title: string;
  message?: string;
  primaryAction?: { title: string; style?: string };
  /** What the test answered (true = primary action). */
  answer: boolean;
}

/** Everything a command did that a test may want to assert. Cleared by `resetRaycast()`. */
export interface RaycastRecords {
  /** Every toast shown, oldest first, each live with its full history. */
  toasts: ToastRecord[];
  /** The most recent toast (undefined if none). */
  readonly toast: ToastRecord | undefined;
  /** HUD titles, in order. */
  huds: string[];
  /** Targets given to `open()`, in order; includes Action.OpenInBrowser. */
  opened: string[];
  /** Every `Clipboard.copy`, including Action.CopyToClipboard, and every `Clipboard.paste`. */
  clipboard: ClipboardRecord[];
  /**
   * Every text any view put on screen while the test ran, as `"<element> <prop>\0<text>"` (once each): titles,
   * subtitles, accessories, markdown, metadata, form errors and info, descriptions, tooltips. Not field values.
   */
  rendered: Set<string>;
  /** Every answer (or thrown error's message) of an AI tool and of its confirmation, in order. */
  toolAnswers: { tool: string; answer: unknown }[];
  /** Paths given to `trash()`, flattened, in order. */
  trashed: string[];
  /** Every `confirmAlert`, with the answer the test queued. */
  alerts: AlertRecord[];
  /** Every `updateCommandMetadata(...)` argument. */
  metadata: { subtitle?: string | null }[];
  /** Every `launchCommand(...)` argument. */
  launches: Record<string, unknown>[];
  /** Ids of form fields focused by code (useForm focuses the first invalid field on submit). */
  focused: string[];
  /** A snapshot of LocalStorage now. */
  readonly localStorage: Record<string, string | number | boolean>;
  /**
   * Misuse the double detected where a throw may have been swallowed by the command (e.g. a
   * `confirmAlert` with no answer queued). The vitest setup fails the test if this is not empty.
   */
  problems: string[];
}

type Value = string | number | boolean;

/** Raw stores behind the API functions. */
export const store = {
  localStorage: new Map<string, Value>(),
  /** Cache namespaces ("" = none) -> key -> data. Shared by every Cache instance of a namespace. */
  cache: new Map<string, Map<string, string>>(),
  clipboardText: undefined as string | undefined,
  preferences: {} as Record<string, unknown>,
  alertAnswers: [] as boolean[],
};

function freshRecords(): RaycastRecords {
  return {
    toasts: [],
    get toast() {
      return this.toasts[this.toasts.length - 1];
    },
    huds: [],
    opened: [],
    clipboard: [],
    rendered: new Set(),
    toolAnswers: [],
    trashed: [],
    alerts: [],
    metadata: [],
    launches: [],
    focused: [],
    get localStorage() {
      return Object.fromEntries(store.localStorage);
    },
    problems: [],
  };
}

/** The records object: same identity for the whole test file, contents cleared by `resetRecords()`. */
export const raycast: RaycastRecords = freshRecords();

export function resetRecords(): void {
  const fresh = freshRecords();
  for (const key of Object.keys(fresh) as (keyof RaycastRecords)[]) {
    const descriptor = Object.getOwnPropertyDescriptor(fresh, key);
    if (descriptor && !descriptor.get) (raycast as unknown as Record<string, unknown>)[key] = descriptor.value;
  }
  store.localStorage.clear();
  store.cache.clear();
  store.clipboardText = undefined;
  store.preferences = {};
  store.alertAnswers = [];
}
