/**
 * The visual half of the double: Raycast's components as host elements the test renderer keeps,
 * with every prop preserved. Re-exported by api.tsx; see the overview there.
 *
 * Shape of the rendered tree (what screen.ts reads):
 * - Each component renders a host element named by its API path: "List", "List.Item", "Form.TextField",
 *   "Action.Push", "Metadata.Label" (for Detail.Metadata.Label).
 * - Element-valued props (`actions`, `metadata`) are rendered as children under a "Slot" host element with
 *   `name` = the prop, so custom action components and their hooks run.
 * - Form fields carry `__field` (kind, current value, change/blur as a user would);
 *   actions carry `__action` (kind, run). Those are the only props the double adds.
 */
import {
  createContext,
  createElement,
  forwardRef,
  Fragment,
  isValidElement,
  useCallback,
  useContext,
  useEffect,
  useImperativeHandle,
  useMemo,
  useRef,
  useState,
  type ReactElement,
  type ReactNode,
} from "react";
import { raycast } from "./state";
import { Clipboard, Icon, open, showHUD } from "./system";

// Props are typed loosely on purpose: commands are type-checked against the real @raycast/api.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Props = Record<string, any>;
type Component = ((props: Props) => ReactElement | null) & { displayName?: string };

export const SLOT = "Slot";

/* ------------------------------------------------------------------ host factory */

function withArgs(children: unknown): ReactNode[] {
  if (children === undefined) return [];
  return Array.isArray(children) ? children : [children as ReactNode];
}

/**
 * A host element with the given props, its slot props rendered under "Slot" elements, then its children.
 * Slots and children sit in two keyed fragments, so a slot appearing never remounts the children.
 */
function hostElement(type: string, props: Props, slots: readonly string[] = [], extra: Props = {}): ReactElement {
  recordShown(type, { ...props, ...extra });
  const { children, ...rest } = props;
  const hostProps: Props = { ...extra };
  const slotElements: ReactNode[] = [];
  for (const [key, value] of Object.entries(rest)) {
    if (key === "ref") continue;
    if (slots.includes(key)) {
      if (value !== null && value !== undefined && value !== false) {
        slotElements.push(createElement(SLOT, { key, name: key }, value as ReactNode));
      }
    } else if (!(key in hostProps)) {
      hostProps[key] = value;
    }
  }
  return createElement(
    type,
    hostProps,
    createElement(Fragment, { key: "slots" }, ...slotElements),
    createElement(Fragment, { key: "children" }, ...withArgs(children)),
  );
}

/** Props whose text a user reads on screen (never a field's value: that is what the user typed or picked). */
const SHOWN_PROPS = [
  "navigationTitle",
  "searchBarPlaceholder",
  "title",
  "subtitle",
  "markdown",
  "text",
  "label",
  "description",
  "placeholder",
  "error",
  "info",
  "tooltip",
] as const;

/** The text of a Raycast "string or { value, tooltip }" prop, and its tooltip. */
function textsOf(value: unknown): string[] {
  if (typeof value === "string" || typeof value === "number") return [String(value)];
  if (typeof value !== "object" || value === null) return [];
  const { value: inner, tooltip } = value as { value?: unknown; tooltip?: unknown };
  return [...textsOf(inner), ...textsOf(tooltip)];
}

/**
 * Every text an element puts on screen, each time it renders, into `raycast.rendered` (what the test world's leak
 * check reads): titles, subtitles, accessories, markdown, metadata, form errors and info, descriptions, tooltips.
 */
function recordShown(type: string, props: Props): void {
  const add = (prop: string, value: unknown) => {
    for (const text of textsOf(value)) if (text !== "") raycast.rendered.add(`${type} ${prop}\u0000${text}`);
  };
  for (const prop of SHOWN_PROPS) add(prop, props[prop]);
  for (const accessory of (props.accessories ?? []) as Props[]) {
    for (const prop of ["text", "tag", "tooltip"]) add(`accessory ${prop}`, accessory?.[prop]);
  }
  if (typeof props.children === "string") add("children", props.children);
}

function host(type: string, slots: readonly string[] = []): Component {
  const Host: Component = (props) => hostElement(type, props, slots);
  Host.displayName = type;
  return Host;
}

/* ------------------------------------------------------------------ navigation */

/** What `useNavigation()`, `Action.Push` and the Screen's `pop()` act on: one screen's stack. */
export interface NavigationController {
  push: (view: ReactNode) => void;
  pop: () => void;
}

const NavigationContext = createContext<NavigationController | undefined>(undefined);

/** Raycast's useNavigation: push and pop on the stack of the screen the component is in. */
export function useNavigation(): NavigationController {
  const navigation = useContext(NavigationContext);
  if (!navigation) {
    throw new Error("useNavigation() is only available inside a view rendered with render() from test/raycast/harness");
  }
  return navigation;
}

interface StackEntry {
  key: number;
  view: ReactNode;
}

/**
 * The harness's root: Raycast's navigation stack. Views below the top stay mounted (as in Raycast, so
 * popping returns to a view with its state), each in a "View" host element; the last one is on screen.
 */
export function NavigationRoot(props: { root: ReactNode; controller: { current?: NavigationController } }) {
  const [stack, setStack] = useState<StackEntry[]>(() => [{ key: 0, view: props.root }]);
  const stackRef = useRef(stack);
  const nextKey = useRef(1);

  const controller = useMemo<NavigationController>(() => {
    const apply = (next: StackEntry[]) => {
      stackRef.current = next;
      setStack(next);
    };
    return {
      push(view) {
        apply([...stackRef.current, { key: nextKey.current++, view }]);
      },
      pop() {
        if (stackRef.current.length > 1) apply(stackRef.current.slice(0, -1));
      },
    };
  }, []);
  props.controller.current = controller;

  return createElement(
    "Stack",
    null,
    stack.map((entry, depth) =>
      createElement(
        NavigationContext.Provider,
        { key: entry.key, value: controller },
        createElement("View", { depth, entry: entry.key }, entry.view),
      ),
    ),
  );
}

/* ------------------------------------------------------------------ actions */

/** What an action does when run: `formValues` are the current form's values (for SubmitForm). */
type Run = (formValues: Record<string, unknown>) => unknown;

function actionElement(kind: string, props: Props, title: string | undefined, icon: unknown, run: Run): ReactElement {
  const extra: Props = { __action: { kind, run } };
  if (title !== undefined) extra.title = props.title ?? title;
  if (icon !== undefined) extra.icon = props.icon ?? icon;
  return hostElement(kind, props, [], extra);
}

const ActionStyle = { Regular: "regular", Destructive: "destructive" } as const;

function convenience(kind: string, title: string, icon: string, run: (props: Props) => Run) {
  const Convenience: Component = (props) => actionElement(kind, props, title, icon, run(props));
  Convenience.displayName = kind;
  return Convenience;
}

const PushAction: Component = (props) => {
  const navigation = useNavigation();
  const { target, ...rest } = props;
  return actionElement("Action.Push", rest, undefined, undefined, () => navigation.push(target));
};
PushAction.displayName = "Action.Push";

const SubmitFormAction: Component = (props) =>
  actionElement("Action.SubmitForm", props, "Submit Form", Icon.CheckCircle, (values) => props.onSubmit?.(values));
SubmitFormAction.displayName = "Action.SubmitForm";

const BaseAction: Component = (props) => actionElement("Action", props, undefined, undefined, () => props.onAction?.());
BaseAction.displayName = "Action";

export const Action = Object.assign(BaseAction, {
  Style: ActionStyle,
  Push: PushAction,
  SubmitForm: SubmitFormAction,
  CopyToClipboard: convenience("Action.CopyToClipboard", "Copy to Clipboard", Icon.Clipboard, (p) => async () => {
    await Clipboard.copy(p.content, p.concealed !== undefined ? { concealed: p.concealed } : undefined);
    await showHUD("Copied to Clipboard");
  }),
  OpenInBrowser: convenience("Action.OpenInBrowser", "Open in Browser", Icon.Globe, (p) => () => open(p.url)),
});

export const ActionPanel = Object.assign(host("ActionPanel"), {
  Section: host("ActionPanel.Section"),
  // In Raycast a submenu is one entry of the panel that opens onto its own actions (screen.ts lists it so).
  Submenu: host("ActionPanel.Submenu"),
});

/* ------------------------------------------------------------------ detail */

const Metadata = Object.assign(host("Metadata"), {
  Label: host("Metadata.Label"),
  Separator: host("Metadata.Separator"),
  TagList: Object.assign(host("Metadata.TagList"), { Item: host("Metadata.TagList.Item") }),
});

export const Detail = Object.assign(host("Detail", ["actions", "metadata"]), { Metadata });

/* ------------------------------------------------------------------ form fields */

type FieldKind = "TextField" | "Checkbox" | "Dropdown" | "FilePicker";

const EMPTY: Record<FieldKind, () => unknown> = {
  TextField: () => "",
  Checkbox: () => false,
  Dropdown: () => "",
  FilePicker: () => [],
};

/** null or undefined read as the field's empty value (useForm passes `value: null` for "no value"). */
function normalise(kind: FieldKind, value: unknown): unknown {
  return value === null || value === undefined ? EMPTY[kind]() : value;
}

const FormDropdownItem = host("Form.Dropdown.Item");

/** The first Dropdown.Item value among the children, looking through fragments. */
function firstItemValue(children: unknown): string | undefined {
  for (const child of withArgs(children).flat(Infinity as 1)) {
    if (!isValidElement(child)) continue;
    const props = child.props as Props;
    if (child.type === FormDropdownItem) return props.value as string;
    if (child.type === Fragment) {
      const found = firstItemValue(props.children);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * A form field that is controlled when `value` is given (even null, as useForm does) and uncontrolled
 * otherwise (`defaultValue`, then the kind's empty value). `__field.change` is the user editing it:
 * it updates the uncontrolled value and calls onChange. A Dropdown with no value picks its first item
 * after mounting and reports it through onChange, as Raycast does. Its ref has focus(), which useForm
 * calls on the first invalid field; it is recorded in `raycast.focused`.
 */
function formField(type: string, kind: FieldKind) {
  const Field = forwardRef<{ focus: () => void }, Props>(function Field(props, ref) {
    const [inner, setInner] = useState<unknown>(() => props.defaultValue ?? EMPTY[kind]());
    const latest = useRef(props);
    latest.current = props;
    const value = normalise(kind, props.value !== undefined ? props.value : inner);
    const valueRef = useRef(value);
    valueRef.current = value;

    const change = useCallback((next: unknown) => {
      if (latest.current.value === undefined) setInner(next);
      latest.current.onChange?.(next);
    }, []);
    const blur = useCallback(
      () => latest.current.onBlur?.({ target: { id: latest.current.id, value: valueRef.current }, type: "blur" }),
      [],
    );

    useImperativeHandle(ref, () => ({ focus: () => raycast.focused.push(latest.current.id) }), []);

    useEffect(() => {
      if (kind !== "Dropdown" || valueRef.current !== "") return;
      const first = firstItemValue(latest.current.children);
      if (first !== undefined) change(first);
    }, []);

    return hostElement(type, props, [], { __field: { kind, value, change, blur } });
  });
  Field.displayName = type;
  return Field;
}

export const Form = Object.assign(host("Form", ["actions"]), {
  TextField: formField("Form.TextField", "TextField"),
  Checkbox: formField("Form.Checkbox", "Checkbox"),
  FilePicker: formField("Form.FilePicker", "FilePicker"),
  Dropdown: Object.assign(formField("Form.Dropdown", "Dropdown"), { Item: FormDropdownItem }),
  Description: host("Form.Description"),
  Separator: host("Form.Separator"),
});

/* ------------------------------------------------------------------ list */

export const List = Object.assign(host("List"), {
  Item: host("List.Item", ["actions"]),
  EmptyView: host("List.EmptyView", ["actions"]),
  Section: host("List.Section"),
});
