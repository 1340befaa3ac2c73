/**
 * What render() returns: the command's window as a user sees it, read from the test renderer's tree
 * of host elements (see ui.tsx), and the user's moves on it (type, pick, select, run an action, Esc).
 * Every move runs inside React's act() so effects and state updates are flushed before it returns.
 */
import { act } from "react";
import type { ReactTestRenderer, ReactTestRendererJSON } from "react-test-renderer";
import { SLOT, type NavigationController } from "./ui";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Props = Record<string, any>;
type Node = ReactTestRendererJSON;

/** An action as listed in the action panel, in order (the first is the primary action). */
export interface ActionInfo {
  title: string;
  /** "Action", "Action.Push", "Action.SubmitForm", "Action.CopyToClipboard", ... */
  kind: string;
  /** Title of the ActionPanel.Section it is in, if any. */
  section?: string;
  /** Title of the ActionPanel.Submenu it is in, if any: reached as "Submenu › Action" (runAction). */
  submenu?: string;
  shortcut?: unknown;
  icon?: unknown;
  style?: string;
  /** All props as the command passed them (with convenience defaults such as title filled in). */
  props: Props;
}

/** A form field as the user sees it. */
export interface FieldInfo {
  id: string;
  /** "TextField", "Checkbox", "Dropdown", "FilePicker" */
  kind: string;
  title?: string;
  /** The value shown now (controlled or not), as Raycast would submit it. */
  value: unknown;
  error?: string;
  info?: string;
  placeholder?: string;
  /** Checkbox label. */
  label?: string;
  /** Dropdown items in order. */
  options?: { value: string; title: string }[];
  props: Props;
}

/** A list item. */
export interface ItemInfo {
  title: string;
  subtitle?: string;
  /** Texts of accessories (text, tag), in order. */
  accessories: string[];
  keywords: string[];
  props: Props;
}

export interface WaitOptions {
  /** Milliseconds before giving up (default 3000). */
  timeout?: number;
  /** Milliseconds between checks (default 10). */
  interval?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Let pending promises, timers of 0 ms and the React updates they cause run, inside act(). */
export async function flush(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    await act(async () => {
      await sleep(0);
    });
  }
}

/* ------------------------------------------------------------------ reading the tree */

function nodes(node: Node | undefined): Node[] {
  return (node?.children ?? []).filter((child): child is Node => typeof child === "object");
}

function slot(node: Node | undefined, name: string): Node | undefined {
  return nodes(node).find((child) => child.type === SLOT && child.props.name === name);
}

function findAll(node: Node | undefined, match: (node: Node) => boolean, skipSlots = true): Node[] {
  const found: Node[] = [];
  const visit = (current: Node) => {
    for (const child of nodes(current)) {
      if (skipSlots && child.type === SLOT) continue;
      if (match(child)) found.push(child);
      visit(child);
    }
  };
  if (node) visit(node);
  return found;
}

/** Text of a Raycast "string or { value }" prop (titles, subtitles, accessory texts, tags). */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (typeof value === "object" && "value" in value) return text((value as { value: unknown }).value);
  if (typeof value === "object") return undefined;
  return String(value);
}

function accessories(props: Props): string[] {
  const list = (props.accessories ?? []) as Props[];
  return list.flatMap((a) => [text(a.text), text(a.tag)]).filter((t): t is string => t !== undefined);
}

function publicProps(props: Props): Props {
  const { __action, __field, ...rest } = props;
  void __action;
  void __field;
  return rest;
}

interface Item {
  info: ItemInfo;
  node: Node;
}

/* ------------------------------------------------------------------ the screen */

export class Screen {
  readonly #renderer: ReactTestRenderer;
  readonly #controller: { current?: NavigationController };
  #onUnmount: () => void;
  /** Item selected with select(), per view on the stack (keyed by its stack entry): its title. */
  #selected = new Map<number, string>();
  #mounted = true;

  constructor(renderer: ReactTestRenderer, controller: { current?: NavigationController }, onUnmount: () => void) {
    this.#renderer = renderer;
    this.#controller = controller;
    this.#onUnmount = onUnmount;
  }

  /* ---------------------------------------------------------------- view */

  #stack(): Node[] {
    const json = this.#renderer.toJSON();
    const root = Array.isArray(json) ? json[0] : json;
    return nodes(root ?? undefined).filter((node) => node.type === "View");
  }

  /** Views on the navigation stack (1 = the command's root view). */
  get depth(): number {
    return this.#stack().length;
  }

  /** The top view's root element: its type ("List", "Detail", "Form"...) and props, if it renders one. */
  get view(): { type: string; props: Props } | undefined {
    const node = this.#view();
    return node ? { type: node.type, props: publicProps(node.props) } : undefined;
  }

  #view(): Node | undefined {
    const stack = this.#stack();
    return nodes(stack[stack.length - 1])[0];
  }

  /** Identity of the top view's stack entry (stable while it stays on the stack). */
  #entry(): number {
    const stack = this.#stack();
    return stack[stack.length - 1]?.props.entry ?? -1;
  }

  get navigationTitle(): string | undefined {
    return this.#view()?.props.navigationTitle;
  }

  /** The top view's `isLoading`. */
  get isLoading(): boolean {
    return Boolean(this.#view()?.props.isLoading);
  }

  /* ---------------------------------------------------------------- list */

  #items(view = this.#view()): Item[] {
    if (view?.type !== "List") return [];
    return findAll(view, (n) => n.type === "List.Item").map((node) => {
      const p = node.props;
      const info: ItemInfo = {
        title: text(p.title) ?? "",
        accessories: accessories(p),
        keywords: p.keywords ?? [],
        props: publicProps(p),
      };
      const subtitle = text(p.subtitle);
      if (subtitle !== undefined) info.subtitle = subtitle;
      return { info, node };
    });
  }

  #selectedItem(view = this.#view()): Item | undefined {
    const items = this.#items(view);
    const wanted = this.#selected.get(this.#entry());
    return items.find(({ info }) => info.title === wanted) ?? items[0];
  }

  /** Items of the top List, in order. */
  items(): ItemInfo[] {
    return this.#items().map(({ info }) => info);
  }

  /** The selected item: the one chosen with select(), else the first. */
  selectedItem(): ItemInfo | undefined {
    return this.#selectedItem()?.info;
  }

  /** Move the selection to an item (by title): its actions become the ones actions() lists and runAction() runs. */
  async select(title: string): Promise<void> {
    if (!this.#items().some(({ info }) => info.title === title)) {
      const titles = this.#items().map(({ info }) => JSON.stringify(info.title));
      throw new Error(`No item "${title}". Items: ${titles.join(", ") || "(none)"}`);
    }
    this.#selected.set(this.#entry(), title);
  }

  /** The List's empty view, when it is what the user sees (no items). */
  emptyView(): { title?: string; description?: string; icon?: unknown } | undefined {
    const node = this.#emptyViewNode();
    if (!node) return undefined;
    const { title, description, icon } = node.props;
    return { title, description, icon };
  }

  #emptyViewNode(view = this.#view()): Node | undefined {
    if (view?.type !== "List" || this.#items(view).length > 0) return undefined;
    return findAll(view, (n) => n.type === "List.EmptyView")[0];
  }

  /* ---------------------------------------------------------------- text and metadata */

  /**
   * All text visible on the top view, one piece per line: navigation title, item titles/subtitles/accessories,
   * empty view title/description, Detail markdown, metadata labels and texts, form field titles, checkbox
   * labels, descriptions and errors. Not: action titles (see actions()), field values, tooltips, `info`.
   */
  text(): string {
    const view = this.#view();
    if (!view) return "";
    const lines: string[] = [];
    const add = (...values: unknown[]) => {
      for (const value of values) {
        const t = text(value);
        if (t !== undefined && t !== "") lines.push(t);
      }
    };
    const empty = this.#emptyViewNode(view);

    const visit = (node: Node) => {
      const p = node.props;
      switch (node.type) {
        case "List":
        case "Detail":
        case "Form":
          add(p.navigationTitle, p.markdown);
          nodes(slot(node, "metadata")).forEach(visit);
          break;
        case "List.Item":
          add(p.title, p.subtitle, ...accessories(p));
          return;
        case "List.EmptyView":
          if (node === empty) add(p.title, p.description);
          return;
        case "Metadata.Label":
          add(p.title, p.text);
          return;
        case "Metadata.TagList":
          add(p.title);
          break;
        case "Metadata.TagList.Item":
          add(p.text);
          return;
        case "Form.Description":
          add(p.title, p.text);
          return;
        default:
          if (p.__field) {
            add(p.title, p.label, p.error);
            return;
          }
          if (p.__action) return;
      }
      for (const child of node.children ?? []) {
        if (typeof child === "string") add(child);
        else if (child.type !== SLOT) visit(child);
      }
    };
    visit(view);
    return lines.join("\n");
  }

  /** The Detail's metadata, in order. */
  metadataEntries(): [label: string, text: string][] {
    const view = this.#view();
    const metadata = view?.type === "Detail" ? nodes(slot(view, "metadata"))[0] : undefined;
    const entries: [string, string][] = [];
    for (const node of findAll(metadata, () => true)) {
      const p = node.props;
      if (node.type === "Metadata.Label") entries.push([p.title, text(p.text) ?? ""]);
      if (node.type === "Metadata.TagList") {
        const tags = findAll(node, (n) => n.type === "Metadata.TagList.Item").map((n) => text(n.props.text) ?? "");
        entries.push([p.title, tags.join(", ")]);
      }
    }
    return entries;
  }

  /** Metadata as label -> text (a TagList's tags joined with ", "; a repeated label keeps the last). */
  metadata(): Record<string, string> {
    return Object.fromEntries(this.metadataEntries());
  }

  /** The Detail's markdown. */
  get markdown(): string | undefined {
    const view = this.#view();
    return view?.type === "Detail" ? (view.props.markdown ?? undefined) : undefined;
  }

  /* ---------------------------------------------------------------- actions */

  #actionPanel(view = this.#view()): Node | undefined {
    if (view?.type === "List") {
      const owner = this.#selectedItem(view)?.node ?? this.#emptyViewNode(view);
      return nodes(slot(owner, "actions"))[0];
    }
    return nodes(slot(view, "actions"))[0];
  }

  #actions(): { info: ActionInfo; node: Node }[] {
    const found: { info: ActionInfo; node: Node }[] = [];
    const visit = (node: Node, section?: string, submenu?: string) => {
      for (const child of nodes(node)) {
        const p = child.props;
        if (child.type === "ActionPanel.Submenu") {
          // The submenu is one entry of the panel; its actions are reached through it.
          const info: ActionInfo = { title: p.title, kind: "ActionPanel.Submenu", props: publicProps(p) };
          if (section !== undefined) info.section = section;
          if (p.shortcut !== undefined) info.shortcut = p.shortcut;
          if (p.icon !== undefined) info.icon = p.icon;
          found.push({ info, node: child });
          visit(child, section, p.title);
        } else if (p.__action) {
          const info: ActionInfo = { title: p.title, kind: p.__action.kind, props: publicProps(p) };
          if (section !== undefined) info.section = section;
          if (submenu !== undefined) info.submenu = submenu;
          if (p.shortcut !== undefined) info.shortcut = p.shortcut;
          if (p.icon !== undefined) info.icon = p.icon;
          if (p.style !== undefined) info.style = p.style;
          found.push({ info, node: child });
        } else {
          visit(child, child.type === "ActionPanel.Section" ? (p.title ?? section) : section, submenu);
        }
      }
    };
    const panel = this.#actionPanel();
    if (panel) visit(panel);
    return found;
  }

  /**
   * The action panel of the top view (the selected item's, for a list), flattened, in order, as the panel shows it:
   * a submenu is one entry (kind "ActionPanel.Submenu"); its own actions are in submenuActions(title).
   */
  actions(): ActionInfo[] {
    return this.#actions()
      .map(({ info }) => info)
      .filter((info) => info.submenu === undefined);
  }

  /**
   * Open a submenu of the panel as the user does: its onOpen runs (Raycast calls it each time the submenu opens), and
   * what it changes is rendered. runAction("Submenu › Action") opens it first too.
   */
  async openSubmenu(title: string): Promise<void> {
    const submenu = this.#actions().find(({ info }) => info.kind === "ActionPanel.Submenu" && info.title === title);
    if (!submenu) throw new Error(`No submenu "${title}". Actions: ${this.actionTitles().join(", ") || "(none)"}`);
    await act(async () => {
      await submenu.node.props.onOpen?.();
    });
    await flush();
  }

  /** The actions a submenu of the panel opens onto, in order (as they are now: openSubmenu runs its onOpen). */
  submenuActions(title: string): ActionInfo[] {
    return this.#actions()
      .map(({ info }) => info)
      .filter((info) => info.submenu === title);
  }

  /** Titles of actions(), in order. */
  actionTitles(): string[] {
    return this.actions().map((a) => a.title);
  }

  /**
   * Run an action as the user would (first one with that title): onAction, SubmitForm's onSubmit with
   * the form's values, Push's target pushed, OpenInBrowser/CopyToClipboard performed and recorded.
   * Awaits what the handler returns; rethrows its error.
   */
  async runAction(title: string): Promise<void> {
    // "Submenu › Action" runs an action of a submenu, as the user opens it and picks one.
    const [submenu, inside] = title.includes(" › ") ? title.split(" › ", 2) : [undefined, title];
    if (submenu !== undefined) await this.openSubmenu(submenu);
    const action = this.#actions().find(
      ({ info }) => info.title === inside && info.submenu === submenu && info.kind !== "ActionPanel.Submenu",
    );
    if (!action) {
      const titles = this.actionTitles();
      throw new Error(
        `No action "${title}". Actions: ${titles.length ? titles.map((t) => JSON.stringify(t)).join(", ") : "(none)"}`,
      );
    }
    const values = action.info.kind === "Action.SubmitForm" ? this.form.values() : {};
    await act(async () => {
      await action.node.props.__action.run(values);
    });
    await flush();
  }

  /* ---------------------------------------------------------------- form */

  #fields(): Node[] {
    return findAll(this.#view(), (n) => Boolean(n.props.__field));
  }

  #field(id: string): Node {
    const field = this.#fields().find((n) => n.props.id === id);
    if (!field) throw new Error(`No form field "${id}". Fields: ${this.form.fieldIds().join(", ") || "(none)"}`);
    return field;
  }

  #fieldInfo(node: Node): FieldInfo {
    const p = node.props;
    const info: FieldInfo = { id: p.id, kind: p.__field.kind, value: p.__field.value, props: publicProps(p) };
    for (const key of ["title", "error", "info", "placeholder", "label"] as const) {
      if (p[key] !== undefined && p[key] !== null) info[key] = p[key];
    }
    if (info.kind === "Dropdown") {
      info.options = findAll(node, (n) => n.type === "Form.Dropdown.Item").map((n) => ({
        value: n.props.value,
        title: n.props.title,
      }));
    }
    return info;
  }

  /** The top view's form, as the user fills it in. */
  readonly form = {
    /** Ids of the visible fields, in order. */
    fieldIds: (): string[] => this.#fields().map((n) => n.props.id),
    /** Every visible field. */
    fields: (): FieldInfo[] => this.#fields().map((n) => this.#fieldInfo(n)),
    /** One field: title, value, error, info... Throws if it is not on screen. */
    field: (id: string): FieldInfo => this.#fieldInfo(this.#field(id)),
    /** The values Raycast would pass to Action.SubmitForm's onSubmit. */
    values: (): Record<string, unknown> =>
      Object.fromEntries(this.#fields().map((n) => [n.props.id, n.props.__field.value])),
    /**
     * Type, tick or pick a value as the user would: calls the field's onChange (and updates an
     * uncontrolled field). Checks the value is one the user could choose (Dropdown items, one file
     * when allowMultipleSelection is false). A FilePicker also takes a single path.
     */
    setValue: async (id: string, value: unknown): Promise<void> => {
      const node = this.#field(id);
      const next = this.#checkValue(this.#fieldInfo(node), value);
      await act(async () => {
        node.props.__field.change(next);
      });
      await flush();
    },
    /** Leave the field: calls onBlur with its current value (useForm validates then). */
    blur: async (id: string): Promise<void> => {
      const node = this.#field(id);
      await act(async () => {
        node.props.__field.blur();
      });
      await flush();
    },
  };

  #checkValue(field: FieldInfo, value: unknown): unknown {
    const fail = (why: string) => {
      throw new Error(`Cannot set ${field.kind} "${field.id}" to ${JSON.stringify(value)}: ${why}`);
    };
    switch (field.kind) {
      case "Checkbox":
        if (typeof value !== "boolean") fail("a checkbox takes true or false");
        return value;
      case "Dropdown":
        if (!field.options?.some((o) => o.value === value)) {
          fail(`items are ${field.options?.map((o) => JSON.stringify(o.value)).join(", ") || "(none)"}`);
        }
        return value;
      case "FilePicker": {
        const list = typeof value === "string" ? [value] : value;
        if (!Array.isArray(list) || list.some((v) => typeof v !== "string")) fail("a file picker takes paths");
        if (field.props.allowMultipleSelection === false && (list as string[]).length > 1) {
          fail("allowMultipleSelection is false");
        }
        return list;
      }
      default:
        if (typeof value !== "string") fail("a text field takes a string");
        return value;
    }
  }

  /* ---------------------------------------------------------------- navigation */

  /** Esc: pop the top view. No-op on the root view, as in Raycast. */
  async pop(): Promise<void> {
    await act(async () => {
      this.#controller.current?.pop();
    });
    await flush();
  }

  /* ---------------------------------------------------------------- waiting */

  /**
   * Wait until `check` passes: it passes when it neither throws nor returns `false` (so both
   * `() => !screen.isLoading` and `() => expect(...)` work). Time passes inside act(), so promises,
   * hooks and timers the command starts settle meanwhile. Real timers only.
   */
  async waitFor<T>(check: () => T | Promise<T>, options: WaitOptions = {}): Promise<T> {
    const { timeout = 3000, interval = 10 } = options;
    const deadline = Date.now() + timeout;
    for (;;) {
      let failure: unknown;
      try {
        const result = await check();
        if (result !== false) return result;
      } catch (error) {
        failure = error;
      }
      if (Date.now() >= deadline) {
        const reason =
          failure instanceof Error ? failure.message : failure ? String(failure) : "the check returned false";
        throw new Error(`waitFor timed out after ${timeout} ms: ${reason}\n\nScreen:\n${this.debug()}`, {
          cause: failure,
        });
      }
      await act(async () => {
        await sleep(interval);
      });
    }
  }

  /** Wait until text() contains `expected` (or matches it). */
  async waitForText(expected: string | RegExp, options?: WaitOptions): Promise<void> {
    await this.waitFor(() => {
      const shown = this.text();
      if (typeof expected === "string" ? !shown.includes(expected) : !expected.test(shown)) {
        throw new Error(`${JSON.stringify(String(expected))} is not on screen`);
      }
    }, options);
  }

  /** Let pending promises and the updates they cause settle (a few event-loop turns, inside act). */
  async flush(): Promise<void> {
    await flush();
  }

  /* ---------------------------------------------------------------- lifecycle and debugging */

  /** An outline of the top view, for failure messages. */
  debug(): string {
    const lines: string[] = [];
    const visit = (node: Node, depth: number) => {
      const p = node.props;
      const label = [
        node.type === SLOT ? `[${p.name}]` : node.type,
        ...["id", "title", "label", "text", "markdown", "navigationTitle", "error"]
          .filter((key) => typeof p[key] === "string" || typeof p[key]?.value === "string")
          .map((key) => `${key}=${JSON.stringify(text(p[key]))}`),
        p.__field ? `value=${JSON.stringify(p.__field.value)}` : "",
        p.isLoading ? "isLoading" : "",
      ].filter(Boolean);
      lines.push(`${"  ".repeat(depth)}${label.join(" ")}`);
      for (const child of node.children ?? []) {
        if (typeof child === "string") lines.push(`${"  ".repeat(depth + 1)}${JSON.stringify(child)}`);
        else visit(child, depth + 1);
      }
    };
    const view = this.#view();
    if (view) visit(view, 0);
    return lines.join("\n") || "(nothing rendered)";
  }

  async unmount(): Promise<void> {
    if (!this.#mounted) return;
    this.#mounted = false;
    await act(async () => {
      this.#renderer.unmount();
    });
    this.#onUnmount();
  }
}
