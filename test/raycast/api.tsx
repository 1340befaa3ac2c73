/**
 * A test double for `@raycast/api`.
 *
 * The real package is types plus the `ray` CLI: its components and functions exist only inside
 * Raycast. vitest.config.mts aliases `@raycast/api` to this file (and inlines @raycast/utils so its
 * own imports of `@raycast/api` land here too). Commands are still type-checked by `tsc` against the
 * REAL types; this file only has to behave like Raycast at run time, so its own types are loose.
 *
 * It covers what src/ uses, and what the @raycast/utils hooks src uses need at run time (Cache for
 * useCachedPromise; showToast, Toast, Clipboard.copy and environment for usePromise's failure toast); it
 * grows when a feature needs more, not ahead of it. The other names @raycast/utils imports (MenuBarExtra,
 * AI, OAuth...) are left undefined: only parts of it src does not use touch them.
 *
 * Layout
 * - `ui.tsx`      components: List (Item, EmptyView, Section), Detail (Metadata), Form (TextField, Checkbox,
 *                 Dropdown, FilePicker, Description, Separator), ActionPanel (Section, Submenu), Action (Push,
 *                 SubmitForm, CopyToClipboard, OpenInBrowser, Style), useNavigation.
 *                 Each renders a host element named by its API path ("List.Item", "Action.Push") with
 *                 its props preserved, so the harness can read the screen as a user sees it.
 * - `system.ts`   everything else: showToast/Toast, showHUD, Clipboard, LocalStorage, Cache, confirmAlert/
 *                 Alert, open, trash, environment, preferences, launchCommand/LaunchType,
 *                 updateCommandMetadata, Icon, Color, Keyboard.
 * - `state.ts`    the records (`raycast`) and in-memory stores those write to.
 * - `harness.tsx` what tests import: render(), runNoView(), resetRaycast(), answerNextAlert()...
 * - `screen.ts`   the Screen returned by render(): text, actions, form, items, waitFor...
 * - `setup.ts`    vitest setup: act environment, reset before each test, unmount after, loud problems.
 *
 * Behaviour worth knowing (each mirrors Raycast unless noted)
 * - Form fields are controlled when `value` is passed (even `null`, as useForm does) and uncontrolled
 *   otherwise. Values: TextField string, Checkbox boolean, Dropdown string, FilePicker string[]. A Dropdown
 *   without a value selects its first item after mounting and reports it through onChange. A field's
 *   ref has focus() (useForm focuses the first invalid field), recorded in `raycast.focused`.
 * - Action.Push pushes onto the harness's navigation stack; views below stay mounted. useNavigation()
 *   acts on the same stack.
 * - Every text an element shows (titles, subtitles, accessories, markdown, metadata, form errors and info,
 *   descriptions, tooltips; not field values) is recorded in `raycast.rendered` each time it renders.
 * - Clipboard.paste is recorded in `raycast.clipboard` with `pasted: true`.
 * - Action.CopyToClipboard copies (recording `concealed`) and shows the HUD "Copied to Clipboard";
 *   Action.OpenInBrowser calls open(). Both are recorded in `raycast`.
 * - showToast returns a live Toast: later changes to title/message/style/actions are recorded in the
 *   toast's history. A new toast replaces the visible one.
 * - confirmAlert answers with the next answerNextAlert(bool); with none queued it throws and records
 *   a problem that fails the test even if the command swallowed the throw.
 * - Cache and LocalStorage live in memory, emptied by resetRaycast(). Cache instances of one namespace
 *   share data; subscribers are per instance.
 * - trash() and open() only record (nothing on disk or on screen changes).
 * - environment is a plain mutable object with the fields src and usePromise's failure toast read:
 *   launchType, isDevelopment, assetsPath (the project's assets/).
 * - Icon.X === "X" for any X; Color has the real values of the members src uses, any other member is its name.
 */
export { Action, ActionPanel, Detail, Form, List, useNavigation } from "./ui";

export {
  Alert,
  Cache,
  Clipboard,
  Color,
  confirmAlert,
  environment,
  getPreferenceValues,
  Icon,
  Keyboard,
  launchCommand,
  LaunchType,
  LocalStorage,
  open,
  showHUD,
  showToast,
  Toast,
  trash,
  updateCommandMetadata,
} from "./system";
