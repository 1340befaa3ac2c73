/**
 * What command tests import: render a command and drive it like a user, run a no-view command,
 * answer alerts, set preferences/clipboard/environment, and read what Raycast was asked to do.
 *
 *   const screen = await render(<Command />);
 *   await screen.waitFor(() => !screen.isLoading);
 *   await screen.form.setValue("keyId", "2X9R4HXF34");
 *   answerNextAlert(true);
 *   await screen.runAction("Delete Key");
 *   expect(raycast.toast?.history.map((t) => t.style)).toEqual(["ANIMATED", "SUCCESS"]);
 *
 * setup.ts (vitest setupFiles) calls resetRaycast() before each test and unmounts screens after it.
 * See api.tsx for how the double behaves and README.md for notes.
 */
import type { LaunchProps } from "@raycast/api";
import { act, createElement, type ReactElement } from "react";
import { create, type ReactTestRenderer } from "react-test-renderer";
import { Screen } from "./screen";
import { raycast, resetRecords, store } from "./state";
import { environment, resetEnvironment, type DoubleEnvironment } from "./system";
import { NavigationRoot, type NavigationController } from "./ui";

export { flush, Screen } from "./screen";
export { raycast, type ToastRecord } from "./state";

const screens = new Set<Screen>();

/** Forget everything: records, LocalStorage, Cache, preferences, clipboard, queued answers, environment. */
export function resetRaycast(): void {
  resetRecords();
  resetEnvironment();
}

/** Queue the answer to the next confirmAlert (true = its primary action). Queue several for several. */
export function answerNextAlert(answer: boolean): void {
  store.alertAnswers.push(answer);
}

/** What getPreferenceValues() returns (replaces, does not merge). */
export function setPreferences(preferences: Record<string, unknown>): void {
  store.preferences = { ...preferences };
}

/** What Clipboard.readText() returns (undefined = empty clipboard). */
export function setClipboardText(text: string | undefined): void {
  store.clipboardText = text;
}

/** Change `environment` fields for this test (reset restores them). */
export function setEnvironment(changes: Partial<DoubleEnvironment>): void {
  Object.assign(environment, changes);
}

/** Launch props as Raycast passes them to a command (launchType from `environment`), typed as the real ones. */
export function launchProps<P extends LaunchProps = LaunchProps>(overrides: Partial<P> = {}): P {
  return { arguments: {}, launchType: environment.launchType, ...overrides } as P;
}

/**
 * Render a view command (or any view) as the root of a navigation stack, flushing its first effects.
 * Then await `screen.waitFor(...)` for what its hooks load.
 */
export async function render(element: ReactElement): Promise<Screen> {
  const controller: { current?: NavigationController } = {};
  let renderer: ReactTestRenderer | undefined;
  const globals = globalThis as { IS_REACT_NATIVE_TEST_ENVIRONMENT?: boolean };
  await act(async () => {
    // react-test-renderer is deprecated in React 19 and says so on every create() unless it believes
    // it runs under React Native; claim that only for the call, and ask for a concurrent root as React 19 has.
    const previous = globals.IS_REACT_NATIVE_TEST_ENVIRONMENT;
    globals.IS_REACT_NATIVE_TEST_ENVIRONMENT = true;
    try {
      renderer = create(createElement(NavigationRoot, { root: element, controller }), {
        unstable_isConcurrent: true,
      } as unknown as Parameters<typeof create>[1]);
    } finally {
      globals.IS_REACT_NATIVE_TEST_ENVIRONMENT = previous;
    }
  });
  const screen = new Screen(renderer!, controller, () => screens.delete(screen));
  screens.add(screen);
  await screen.flush();
  return screen;
}

/** Unmount every screen still mounted (setup.ts does this after each test). */
export async function cleanup(): Promise<void> {
  for (const screen of [...screens]) await screen.unmount();
}

/**
 * Run a no-view command: awaits it (pass the default export) with `props` (default: launchProps()).
 * Returns what it returns; its error is thrown.
 */
export async function runNoView<P, R>(command: (props: P) => R | Promise<R>, props?: P): Promise<R> {
  return await command(props ?? (launchProps() as P));
}

/** Problems the double detected (e.g. an alert with no answer queued); setup.ts fails the test on any. */
export function takeProblems(): string[] {
  return raycast.problems.splice(0);
}
