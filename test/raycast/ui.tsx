/**
 * The visual half of the double: Raycast's components as host elements the test renderer keeps,
 * with every prop preserved. Re-exported by api.tsx; see the overview there.
 *
 * Shape of the rendered tree (what screen.ts reads):
 * - Each component renders a host element named by its API path: "List", "List.Item", "Form.TextField",
 *   "Action.Push", "Metadata.Label" (Detail.Metadata and List.Item.Detail.Metadata are one "Metadata").
 * - Element-valued props (`actions`, `detail`, `metadata`, `searchBarAccessory`) are rendered as children
 *   under a "Slot" host element with `name` = the prop, so custom action components and their hooks run.
 * - Form fields carry `__field` (kind, current value, change/blur/focus as a user would);
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
import { navigation as currentNavigation, raycast, type NavigationController } from "./state";
import { Clipboard, Icon, open, showHUD, showInFinder, trash } from "./system";

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

function host(type: string, slots: readonly string[] = []): Component {
  const Host: Component = (props) => hostElement(type, props, slots);
  Host.displayName = type;
  return Host;
}

/* ------------------------------------------------------------------ navigation */

interface Navigation {
  push: (view: ReactNode, onPop?: () => void) => void;
  pop: () => void;
}

const NavigationContext = createContext<Navigation | undefined>(undefined);

/** Raycast's useNavigation: push and pop on the stack of the screen the component is in. */
export function useNavigation(): Navigation {
  const navigation = useContext(NavigationContext);
  if (!navigation) {
    throw new Error("useNavigation() is only available inside a view rendered with render() from test/raycast/harness");
  }
  return navigation;
}

interface StackEntry {
  key: number;
  view: ReactNode;
  onPop?: () => void;
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
      push(view, onPop) {
        apply([...stackRef.current, { key: nextKey.current++, view: view as ReactNode, onPop }]);
      },
      pop() {
        const current = stackRef.current;
        if (current.length <= 1) return;
        apply(current.slice(0, -1));
        current[current.length - 1].onPop?.();
      },
      popToRoot() {
        const current = stackRef.current;
        if (current.length <= 1) return;
        apply(current.slice(0, 1));
        for (const entry of current.slice(1).reverse()) entry.onPop?.();
      },
    };
  }, []);
  props.controller.current = controller;
  currentNavigation.current = controller;

  const value = useMemo<Navigation>(() => ({ push: controller.push, pop: controller.pop }), [controller]);
  return createElement(
    "Stack",
    null,
    stack.map((entry, depth) =>
      createElement(
        NavigationContext.Provider,
        { key: entry.key, value },
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

function convenience(kind: string, title: string | undefined, icon: string | undefined, run: (props: Props) => Run) {
  const Convenience: Component = (props) => actionElement(kind, props, title, icon, run(props));
  Convenience.displayName = kind;
  return Convenience;
}

const PushAction: Component = (props) => {
  const navigation = useNavigation();
  const { target, ...rest } = props;
  return actionElement("Action.Push", rest, undefined, undefined, () => {
    navigation.push(target, props.onPop);
    props.onPush?.();
  });
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
    await Clipboard.copy(p.content, {
      ...(p.concealed !== undefined ? { concealed: p.concealed } : {}),
      ...(p.transient !== undefined ? { transient: p.transient } : {}),
    });
    await showHUD("Copied to Clipboard");
    p.onCopy?.(p.content);
  }),
  Paste: convenience("Action.Paste", "Paste in Active App", Icon.Clipboard, (p) => async () => {
    await Clipboard.paste(p.content);
    p.onPaste?.(p.content);
  }),
  OpenInBrowser: convenience("Action.OpenInBrowser", "Open in Browser", Icon.Globe, (p) => async () => {
    await open(p.url);
    p.onOpen?.(p.url);
  }),
  Open: convenience("Action.Open", undefined, Icon.Finder, (p) => async () => {
    await open(p.target, p.application);
    p.onOpen?.(p.target);
  }),
  OpenWith: convenience("Action.OpenWith", "Open With", Icon.Upload, (p) => async () => p.onOpen?.(p.path)),
  ShowInFinder: convenience("Action.ShowInFinder", "Show in Finder", Icon.Finder, (p) => async () => {
    await showInFinder(p.path);
    p.onShow?.(p.path);
  }),
  Trash: convenience("Action.Trash", "Move to Trash", Icon.Trash, (p) => async () => {
    await trash(p.paths);
    p.onTrash?.(p.paths);
  }),
  ToggleQuickLook: convenience("Action.ToggleQuickLook", "Quick Look", Icon.Eye, () => () => undefined),
  CreateSnippet: convenience("Action.CreateSnippet", "Save as Snippet", Icon.Snippets, () => () => undefined),
  CreateQuicklink: convenience("Action.CreateQuicklink", "Save as Quicklink", Icon.Link, () => () => undefined),
  InstallMCPServer: convenience("Action.InstallMCPServer", "Install Server", Icon.Plug, () => () => undefined),
  PickDate: Object.assign(
    convenience("Action.PickDate", undefined, Icon.Calendar, () => () => undefined),
    { Type: { Date: "date", DateTime: "date_time" }, isFullDay: isFullDay },
  ),
});

export const ActionPanel = Object.assign(host("ActionPanel"), {
  Section: host("ActionPanel.Section"),
  Submenu: host("ActionPanel.Submenu"),
});

/* ------------------------------------------------------------------ metadata, detail */

const TagList = Object.assign(host("Metadata.TagList"), { Item: host("Metadata.TagList.Item") });

/** One component for Detail.Metadata and List.Item.Detail.Metadata, as in Raycast. */
export const Metadata = Object.assign(host("Metadata"), {
  Label: host("Metadata.Label"),
  Separator: host("Metadata.Separator"),
  Link: host("Metadata.Link"),
  TagList,
});

export const Detail = Object.assign(host("Detail", ["actions", "metadata"]), { Metadata });

/* ------------------------------------------------------------------ form fields */

type FieldKind =
  "TextField" | "PasswordField" | "TextArea" | "Checkbox" | "Dropdown" | "FilePicker" | "DatePicker" | "TagPicker";

const EMPTY: Record<FieldKind, () => unknown> = {
  TextField: () => "",
  PasswordField: () => "",
  TextArea: () => "",
  Checkbox: () => false,
  Dropdown: () => "",
  FilePicker: () => [],
  DatePicker: () => null,
  TagPicker: () => [],
};

/** null or undefined read as the field's empty value (useForm passes `value: null` for "no value"). */
function normalise(kind: FieldKind, value: unknown): unknown {
  return value === null || value === undefined ? EMPTY[kind]() : value;
}

/** The first Dropdown.Item value among the children, looking through sections and fragments. */
function firstItemValue(children: unknown, itemType: unknown, sectionType: unknown): string | undefined {
  for (const child of withArgs(children).flat(Infinity as 1)) {
    if (!isValidElement(child)) continue;
    const props = child.props as Props;
    if (child.type === itemType) return props.value as string;
    if (child.type === sectionType || child.type === Fragment) {
      const found = firstItemValue(props.children, itemType, sectionType);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

interface FieldRef {
  focus: () => void;
  reset: () => void;
}

/**
 * A form field that is controlled when `value` is given (even null, as useForm does) and uncontrolled
 * otherwise (`defaultValue`, then the kind's empty value). `__field.change` is the user editing it:
 * it updates the uncontrolled value and calls onChange. A Dropdown with no value picks its first item
 * after mounting and reports it through onChange, as Raycast does.
 */
function formField(type: string, kind: FieldKind, dropdown?: { item: unknown; section: unknown }) {
  const Field = forwardRef<FieldRef, Props>(function Field(props, ref) {
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
    const event = (type: "blur" | "focus") => ({ target: { id: latest.current.id, value: valueRef.current }, type });
    const blur = useCallback(() => latest.current.onBlur?.(event("blur")), []);
    const focus = useCallback(() => {
      raycast.focused.push(latest.current.id);
      latest.current.onFocus?.(event("focus"));
    }, []);

    useImperativeHandle(ref, () => ({ focus, reset: () => change(latest.current.defaultValue ?? EMPTY[kind]()) }), [
      focus,
      change,
    ]);

    useEffect(() => {
      if (!dropdown || valueRef.current !== "") return;
      const first = firstItemValue(latest.current.children, dropdown.item, dropdown.section);
      if (first !== undefined) change(first);
    }, []);

    return hostElement(type, props, [], { __field: { kind, value, change, blur, focus } });
  });
  Field.displayName = type;
  return Field;
}

function isFullDay(date?: Date | null): boolean {
  return Boolean(date) && date!.getHours() === 0 && date!.getMinutes() === 0 && date!.getSeconds() === 0;
}

const FormDropdownItem = host("Form.Dropdown.Item");
const FormDropdownSection = host("Form.Dropdown.Section");
const FormTagPickerItem = host("Form.TagPicker.Item");

export const Form = Object.assign(host("Form", ["actions", "searchBarAccessory"]), {
  TextField: formField("Form.TextField", "TextField"),
  PasswordField: formField("Form.PasswordField", "PasswordField"),
  TextArea: formField("Form.TextArea", "TextArea"),
  Checkbox: formField("Form.Checkbox", "Checkbox"),
  FilePicker: formField("Form.FilePicker", "FilePicker"),
  DatePicker: Object.assign(formField("Form.DatePicker", "DatePicker"), {
    Type: { Date: "date", DateTime: "date_time" },
    isFullDay,
  }),
  Dropdown: Object.assign(
    formField("Form.Dropdown", "Dropdown", { item: FormDropdownItem, section: FormDropdownSection }),
    { Item: FormDropdownItem, Section: FormDropdownSection },
  ),
  TagPicker: Object.assign(formField("Form.TagPicker", "TagPicker"), { Item: FormTagPickerItem }),
  Description: host("Form.Description"),
  Separator: host("Form.Separator"),
  LinkAccessory: host("Form.LinkAccessory"),
});

/* ------------------------------------------------------------------ list, grid, menu bar */

const ListDropdownItem = host("List.Dropdown.Item");
const ListDropdownSection = host("List.Dropdown.Section");

export const List = Object.assign(host("List", ["actions", "searchBarAccessory"]), {
  Item: Object.assign(host("List.Item", ["actions", "detail"]), {
    Detail: Object.assign(host("List.Item.Detail", ["metadata"]), { Metadata }),
  }),
  Section: host("List.Section"),
  EmptyView: host("List.EmptyView", ["actions"]),
  Dropdown: Object.assign(
    formField("List.Dropdown", "Dropdown", { item: ListDropdownItem, section: ListDropdownSection }),
    { Item: ListDropdownItem, Section: ListDropdownSection },
  ),
});

const GridDropdownItem = host("Grid.Dropdown.Item");
const GridDropdownSection = host("Grid.Dropdown.Section");

export const Grid = Object.assign(host("Grid", ["actions", "searchBarAccessory"]), {
  Item: host("Grid.Item", ["actions"]),
  Section: host("Grid.Section"),
  EmptyView: host("Grid.EmptyView", ["actions"]),
  Dropdown: Object.assign(
    formField("Grid.Dropdown", "Dropdown", { item: GridDropdownItem, section: GridDropdownSection }),
    { Item: GridDropdownItem, Section: GridDropdownSection },
  ),
  Fit: { Contain: "contain", Fill: "fill" },
  Inset: { Small: "small", Medium: "medium", Large: "large" },
  ItemSize: { Small: "small", Medium: "medium", Large: "large" },
  AspectRatio: {
    One: "1",
    ThreeToTwo: "3/2",
    TwoToThree: "2/3",
    FourToThree: "4/3",
    ThreeToFour: "3/4",
    SixteenToNine: "16/9",
    NineToSixteen: "9/16",
  },
});

export const MenuBarExtra = Object.assign(host("MenuBarExtra"), {
  Item: host("MenuBarExtra.Item"),
  Section: host("MenuBarExtra.Section"),
  Separator: host("MenuBarExtra.Separator"),
  Submenu: host("MenuBarExtra.Submenu"),
});
